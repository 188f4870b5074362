"""The Analyse a video page: upload, analyse, show, save."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from fitness.app.analysis import AnalysisView, analyse_upload
from fitness.app.charts import angle_chart, fatigue_chart, sets_timeline
from fitness.app.common import (
    UPLOAD_TYPES,
    VARIANTS,
    _configure_logging,
    choice_from_url,
    enter_page,
    exercise_label,
    get_store,
    keep_in_url,
    no_store_warning,
    prepare_model,
    profile_picker,
    variant_label,
)
from fitness.app.tables import partial_table, rep_table, set_table, summary_table
from fitness.app.uploads import SessionUploads
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO, AnalysisResult
from fitness.store import SessionStore


def page_analyse() -> None:
    enter_page("analyse")
    _configure_logging()
    store, store_error = get_store()
    st.title("Analyse a video")
    no_store_warning(store_error)
    cap_mb = int(st.get_option("server.maxUploadSize"))
    exercises = [AUTO, *sorted(REGISTRY)]
    choice_from_url("exercise", "an-exercise", exercises)
    choice_from_url("model", "an-variant", VARIANTS)
    c1, c2, c3 = st.columns(3)
    with c1:
        profile = profile_picker(store, "analyse-profile")
    with c2:
        exercise = st.selectbox("Exercise", exercises, format_func=exercise_label, key="an-exercise")
    with c3:
        variant = st.selectbox("Pose model", VARIANTS, format_func=variant_label, key="an-variant")
    keep_in_url(profile=profile, exercise=exercise, model=variant)
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


@st.cache_resource(scope="session", on_release=SessionUploads.release, show_spinner=False)
def session_uploads() -> SessionUploads:
    """This browser session's upload folders: Streamlit releases the entry, and so removes
    them, when the session disconnects or is shut down (it has no other session-end hook)."""
    return SessionUploads()


def run_analysis(upload: UploadedFile, exercise: str, variant: str, profile: str) -> None:
    st.session_state.pop("analysis_error", None)
    old = st.session_state.pop("analysis", None)
    if isinstance(old, AnalysisView):
        old.discard()
    bar = st.progress(0.0, text=f"Analysing {upload.name}…")
    try:
        view = analyse_upload(
            upload.name,
            upload.getbuffer(),
            exercise=exercise,
            variant=variant,
            profile=profile,
            progress=lambda share, text: bar.progress(share, text=text),
            prepare=prepare_model,
            uploads=session_uploads(),
        )
    except FitnessError as exc:
        st.session_state["analysis_error"] = (upload.file_id, f"Could not analyse **{upload.name}**: {exc}")
        return
    finally:
        bar.empty()
    st.session_state["analysis"] = view


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
        st.table(summary_table(result.reps))
        with st.expander("Every measurement of each rep"):
            st.dataframe(rep_table(result.reps))
    elif result.found:
        st.warning("No complete reps were found in this video.")
    if result.partial_reps:
        st.caption("Not counted: movements that turned back before the turning point")
        st.table(partial_table(result.partial_reps))
    if result.sets:
        show_sets(result)
    if result.found:
        st.plotly_chart(angle_chart(result), width="stretch", key="an-chart")
    # A portrait phone clip at full column width would be taller than the screen.
    portrait = result.video.height > result.video.width
    left, right = st.columns([2, 3] if portrait else [3, 2], gap="large")
    with left:
        if view.video_kept and view.video_path is not None:
            st.video(str(view.video_path))
        elif view.video_path is not None:
            st.caption("The annotated video was cleared when the connection dropped: analyse the file again to see it.")
    with right:
        if view.video_kept and view.video_path is not None:
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
                view.saved_id = (
                    store.save_workout(view.session_info(), result.sets)
                    if result.sets
                    else store.save_session(view.session_info(), result.reps)
                )
            except FitnessError as exc:
                st.error(f"Could not save: {exc}")
            else:
                st.success(f"Saved to the history as session #{view.saved_id}.")


def show_sets(result: AnalysisResult) -> None:
    """The workout's sets: a timeline with the reps marked, a table (rest, velocity loss) and
    each rep's velocity loss against its set's first reps."""
    st.subheader(f"Sets ({len(result.sets)})")
    st.plotly_chart(
        sets_timeline(result.sets, result.video.duration_ms / 1000, "Sets and rests (a mark per rep)"),
        width="stretch",
        key="an-sets",
    )
    st.table(set_table(result.sets))
    fatigue = fatigue_chart(result.sets)
    if fatigue is not None:
        st.plotly_chart(fatigue, width="stretch", key="an-fatigue")
        st.caption(
            "Velocity loss: with the range the same, a slower lift is a slower bar, as strength coaches "
            "measure fatigue within a set; 20% is a common point to stop a strength set."
        )
