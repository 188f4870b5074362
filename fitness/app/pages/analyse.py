"""The Analyse a video page: upload, analyse, show, save."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
# Private, but streamlit-webrtc is pinned to 0.79.0: see fitness.app.live_state.guard_streamer_context.
from fitness.app.charts import angle_chart
from fitness.app.common import (
    UPLOAD_TYPES,
    VARIANTS,
    _configure_logging,
    enter_page,
    exercise_label,
    get_store,
    no_store_warning,
    prepare_model,
    profile_picker,
    variant_label,
)
from fitness.app.live_state import (  # noqa: F401
    AnalysisView,
    Announcer,
    LiveSettings,
    LiveSnapshot,
    LiveState,
    PipelineCoach,
    RecorderFactory,
    announcement_html,
    camera_check_html,
    frames_to_run,
    guard_streamer_context,
    parse_ice_servers,
)
from fitness.app.tables import rep_table
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO
from fitness.pipeline.video_analysis import analyze_video
from fitness.store.recorder import SessionInfo, angle_trace
from fitness.store.store import SessionStore, save_analysis

log = logging.getLogger("fitness.app")

# -- Analyse a video -------------------------------------------------------------------------------


def page_analyse() -> None:
    enter_page("analyse")
    _configure_logging()
    store, store_error = get_store()
    st.title("Analyse a video")
    no_store_warning(store_error)
    cap_mb = int(st.get_option("server.maxUploadSize"))
    c1, c2, c3 = st.columns(3)
    with c1:
        profile = profile_picker(store, "analyse-profile")
    with c2:
        exercise = st.selectbox("Exercise", [AUTO, *sorted(REGISTRY)], format_func=exercise_label, key="an-exercise")
    with c3:
        variant = st.selectbox("Pose model", VARIANTS, format_func=variant_label, key="an-variant")
    upload = st.file_uploader(
        f"Video file: MP4, MOV, WebM or AVI, up to {cap_mb} MB",
        type=UPLOAD_TYPES,
        key="an-upload",
        help=f"The upload limit is {cap_mb} MB (server.maxUploadSize in .streamlit/config.toml).",
    )
    # A file over the cap never reaches the server (the browser refuses it and marks it red),
    # so the page can only say beforehand what that red mark means.
    st.caption(f"Files over {cap_mb} MB are refused and marked red: trim or compress the video first.")
    # The button names the file: what will be analysed is never in doubt (nor, for the browser
    # tests, whether the server has the new upload yet).
    if upload is not None and st.button(f"Analyse {upload.name}", type="primary", key="an-run"):
        run_analysis(upload, exercise, variant, profile)
    # Kept in the session, so the message stays up through later reruns (another widget, the
    # uploader settling) for as long as that file is the one selected.
    failed = st.session_state.get("analysis_error")
    if upload is not None and isinstance(failed, tuple) and failed[0] == upload.file_id:
        st.error(failed[1])
    view = st.session_state.get("analysis")
    if isinstance(view, AnalysisView):
        if upload is None or upload.name != view.name:
            st.caption(f"Last analysis: {view.name}")
        show_analysis(view, store)


def run_analysis(upload: Any, exercise: str, variant: str, profile: str) -> None:
    st.session_state.pop("analysis_error", None)
    old = st.session_state.pop("analysis", None)
    if isinstance(old, AnalysisView):
        shutil.rmtree(old.workdir, ignore_errors=True)
    workdir = Path(tempfile.mkdtemp(prefix="fitness-upload-"))
    suffix = Path(upload.name).suffix.lower() or ".mp4"
    source = workdir / f"upload{suffix}"
    source.write_bytes(upload.getbuffer())
    annotated = workdir / "annotated.mp4"
    bar = st.progress(0.0, text=f"Analysing {upload.name}…")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.25:  # a progress message per frame would flood the websocket
            return
        last[0] = now
        share = min(done / total, 1.0) if total else 0.0
        bar.progress(share, text=f"Analysing {upload.name}: frame {done}" + (f" of {total}" if total else ""))

    try:
        prepare_model(variant)
        result = analyze_video(
            source, exercise, variant=variant, annotate_to=annotated, progress=progress, allow_cut_short=True
        )
    except FitnessError as exc:
        bar.empty()
        message = str(exc).replace(str(source), upload.name)
        st.session_state["analysis_error"] = (upload.file_id, f"Could not analyse **{upload.name}**: {message}")
        shutil.rmtree(workdir, ignore_errors=True)
        return
    except Exception as exc:
        bar.empty()
        log.exception("analysing %s failed", upload.name)
        st.session_state["analysis_error"] = (
            upload.file_id,
            f"Could not analyse **{upload.name}**: the video could not be processed ({type(exc).__name__}).",
        )
        shutil.rmtree(workdir, ignore_errors=True)
        return
    finally:
        source.unlink(missing_ok=True)
    bar.empty()
    video = annotated if annotated.is_file() and annotated.stat().st_size > 0 else None
    warnings = []
    if result.video.cut_short:
        warnings.append(
            f"The file seems cut short: only {result.video.frames} of the {result.video.expected_frames} frames it "
            "announces could be read, so the results cover the first part only."
        )
    st.session_state["analysis"] = AnalysisView(
        upload.name, upload.size, exercise, variant, profile, result, video, workdir, warnings=warnings
    )


def show_analysis(view: AnalysisView, store: SessionStore | None) -> None:
    result = view.result
    good = sum(r.verdict == "good" for r in result.reps)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Reps", result.count)
    c2.metric("Exercise", result.spec.name if result.spec is not None else "None found")
    c3.metric("Good form", f"{good} of {result.count}" if result.count else "—")
    c4.metric("Video", f"{result.video.duration_ms / 1000:.1f} s")
    for warning in view.warnings:
        st.warning(warning)
    for note in result.notes:
        st.info(note)
    if result.reps:
        st.subheader("Reps")
        st.table(rep_table(result.reps))
    elif result.found:
        st.warning("No complete reps were found in this video.")
    if result.found:
        st.plotly_chart(angle_chart(result), width="stretch", key="an-chart")
    # A portrait phone clip at full column width would be taller than the screen.
    portrait = result.video.height > result.video.width
    left, right = st.columns([2, 3] if portrait else [3, 2], gap="large")
    with left:
        if view.video_path is not None:
            st.video(str(view.video_path))
    with right:
        if view.video_path is not None:
            st.download_button(
                "Download the annotated video",
                data=view.video_path.read_bytes(),
                file_name=f"{Path(view.name).stem}-annotated.mp4",
                mime="video/mp4",
                key="an-download",
            )
        if not result.found:
            st.caption("Nothing was found to count, so there is nothing to save.")
        elif view.saved_id is not None:
            st.success(f"Saved to the history as session #{view.saved_id}.")
        elif store is not None and st.button("Save to history", key="an-save", type="primary"):
            try:
                view.saved_id = save_analysis(store, analysis_info(view), result.reps)
            except FitnessError as exc:
                st.error(f"Could not save: {exc}")
            else:
                st.success(f"Saved to the history as session #{view.saved_id}.")


def analysis_info(view: AnalysisView) -> SessionInfo:
    t, a = view.result.angle_series()
    trace = angle_trace([float(x) for x in t], [float(y) for y in a])
    return SessionInfo(
        exercise=view.result.exercise,
        source="video",
        profile=view.profile,
        model_variant=view.variant,
        video_name=view.name,
        extra={"trace": trace, "notes": list(view.result.notes)},
    )


