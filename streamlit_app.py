"""The fitness coach in the browser: Live workout, Analyse a video, History.

The only module that calls ``st.*``. Everything the webcam callback thread touches lives in
:mod:`fitness.ui_state` (lock-guarded, unit-tested); the pipeline is :mod:`fitness.analysis`
and the history is :mod:`fitness.storage`. Run with ``make app``.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
from streamlit_webrtc import WebRtcMode, webrtc_streamer

# Private, but streamlit-webrtc is pinned to 0.79.0: see fitness.ui_state.guard_streamer_context.
from streamlit_webrtc.component import _reset_context
from streamlit_webrtc.config import Translations

from exercises import REGISTRY
from fitness.analysis import AUTO, AnalysisResult, analyze_video
from fitness.errors import FitnessError
from fitness.models import CATALOGUE
from fitness.session import Rep, SessionInfo, SessionRecorder, angle_trace
from fitness.storage import CSV_COLUMNS, SessionStore, SessionSummary, csv_row, save_analysis
from fitness.ui_state import (
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

log = logging.getLogger("fitness.app")

WEBRTC_KEY = "live-camera"
LAST_PAGE_KEY = "_fitness_last_page"
VARIANTS = ("lightning", "thunder")  # SinglePose: the live counter follows one person
UPLOAD_TYPES = ["mp4", "mov", "webm", "avi"]
DEFAULT_PROFILE = "default"
PANEL_REFRESH_S = 0.5
CATCH_UP_MS = 60.0  # pipeline time one callback may spend on a burst of queued frames
CUT_SHORT = 0.9  # fewer decodable frames than this share of the announced count: say the file is cut
STALL_S = 4.0  # no camera frame for this long while streaming: tell the person
CAMERA_TEXTS: Translations = {
    "device_not_available": "No camera found. Plug one in (or close the app using it), then press START again",
    "device_access_denied": "Camera access was refused. Allow it for this site in the browser, then press START again",
    "media_api_not_available": "This browser cannot use a camera here: open the app as http://localhost or over https",
    "device_ask_permission": "Please allow the app to use your camera",
}
VERDICT_LABEL = {"good": "good", "needs_work": "needs work"}
VERDICT_COLOUR = {"good": "#2e9e5b", "needs_work": "#e8913a"}

st.set_page_config(page_title="Fitness coach", page_icon="🏋️", layout="wide")


# -- shared resources ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _configure_logging() -> bool:
    # Streamlit sets up its own loggers only; ours would otherwise go nowhere below WARNING.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("fitness")
    root.addHandler(handler)
    wanted = os.environ.get("FITNESS_LOG_LEVEL", "INFO").strip().upper()
    level = logging.getLevelNamesMapping().get(wanted)
    root.setLevel(level if level is not None else logging.INFO)
    root.propagate = False
    if level is None:
        log.warning("FITNESS_LOG_LEVEL=%s is not a log level (DEBUG, INFO, WARNING, ERROR); using INFO", wanted)
    return True


@st.cache_resource(show_spinner=False)
def _open_store() -> SessionStore:
    return SessionStore.open()


def get_store() -> tuple[SessionStore | None, str | None]:
    """The history database (``$FITNESS_DB`` or ``data/fitness.db``), or why it cannot be used."""
    try:
        return _open_store(), None
    except FitnessError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner="Preparing the pose model (only the first time)…")
def prepare_model(variant: str) -> str:
    """Fetch/convert the model here, on the page, never inside the frame callback: a slow first
    frame would trip streamlit-webrtc's 10 s processing limit and end the stream."""
    from fitness.models import ensure_model

    ensure_model(variant)
    return variant


@st.cache_resource(show_spinner=False)
def ice_servers() -> list[dict[str, Any]]:
    return parse_ice_servers(os.environ.get("FITNESS_ICE_SERVERS"))


def exercise_label(key: str) -> str:
    return "Auto-detect" if key == AUTO else REGISTRY[key].name


def variant_label(key: str) -> str:
    return f"{key.title()} ({CATALOGUE[key].description.split(': ', 1)[-1]})"


def fmt_clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def fmt_when(ts: datetime) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M")


def profile_picker(store: SessionStore | None, key: str, disabled: bool = False) -> str:
    """Choose a profile from the history, or type a new one (created on first use)."""
    names = store.profiles() if store is not None else []
    extra = st.session_state.get("_new_profiles", [])
    options = sorted({DEFAULT_PROFILE, *names, *extra})
    new_option = "+ New profile…"
    current = st.session_state.get("_profile", DEFAULT_PROFILE)
    choice = st.selectbox(
        "Profile",
        [*options, new_option],
        index=options.index(current) if current in options else 0,
        key=key,
        disabled=disabled,
    )
    if choice != new_option:
        st.session_state["_profile"] = choice
        return str(choice)
    name = st.text_input("New profile name", max_chars=100, key=f"{key}-new").strip()
    if not name:
        st.caption("Type a name and press Enter.")
        return str(current)
    if store is not None:
        try:
            store.create_profile(name)
        except FitnessError as exc:
            st.error(f"Could not create the profile: {exc}")
            return str(current)
    st.session_state["_new_profiles"] = [*extra, name]
    st.session_state["_profile"] = name
    return name


def enter_page(name: str) -> str | None:
    """Remember which page was rendered last; leaving the live page ends the stream."""
    previous = st.session_state.get(LAST_PAGE_KEY)
    st.session_state[LAST_PAGE_KEY] = name
    if name != "live" and previous == "live":
        live = st.session_state.get("live_state")
        if isinstance(live, LiveState):
            live.disarm("stopped")
        context = st.session_state.get(WEBRTC_KEY)
        if context is not None:
            # The component's iframe is gone with the page: stop its worker now rather than
            # when the peer connection times out.
            _reset_context(context)
    return previous if isinstance(previous, str) else None


def no_store_warning(error: str | None) -> None:
    if error:
        st.error(f"The workout history cannot be opened: {error}")


# -- Live workout --------------------------------------------------------------------------------


def _recorder_factory(store: SessionStore | None) -> RecorderFactory:
    def factory(settings: LiveSettings, exercise: str) -> tuple[SessionRecorder, int | None]:
        if store is None:
            raise FitnessError("the history database is not available")
        recorder = SessionRecorder(
            store,
            SessionInfo(exercise=exercise, source="live", profile=settings.profile, model_variant=settings.variant),
        )
        return recorder, recorder.start()

    return factory


def get_live_state(store: SessionStore | None) -> LiveState:
    """One per browser session: the callback thread holds a reference, never ``st.session_state``."""
    live = st.session_state.get("live_state")
    if not isinstance(live, LiveState):
        live = LiveState(PipelineCoach, _recorder_factory(store))
        st.session_state["live_state"] = live
    return live


def make_frame_callback(live: LiveState) -> Callable[[list[av.VideoFrame]], Awaitable[list[av.VideoFrame]]]:
    """The webcam callback: runs on streamlit-webrtc's processing thread, never touches ``st``.

    It gets every frame that arrived since its last call. WebRTC delivers frames in small
    bursts, so the newest ones that fit in ``CATCH_UP_MS`` are all run (a burst costs no
    frames); older ones are dropped, so when the machine cannot keep up, latency still never
    builds up (see :func:`fitness.ui_state.frames_to_run`). Only the newest goes back to the
    browser. (``video_frame_callback`` with ``async_processing`` would keep just the newest one
    and log a warning for every burst.)
    """

    async def callback(frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        batch = frames[-frames_to_run(len(frames), live.process_ms, CATCH_UP_MS) :]
        skipped = len(frames) - len(batch)
        try:
            outs = [
                live.process(
                    frame.to_ndarray(format="rgb24"),
                    float(frame.time) if frame.time is not None else None,
                    skipped=skipped if i == 0 else 0,
                )
                for i, frame in enumerate(batch)
            ]
            return [av.VideoFrame.from_ndarray(outs[-1], format="rgb24")]
        except Exception:
            # Conversion trouble must not end the stream either (LiveState.process never raises).
            log.exception("could not convert a webcam frame")
            return [frames[-1]]

    return callback


def page_live() -> None:
    previous = enter_page("live")
    _configure_logging()
    store, store_error = get_store()
    live = get_live_state(store)
    existing = st.session_state.get(WEBRTC_KEY)
    streaming = bool(existing is not None and (existing.state.playing or existing.state.signalling))

    st.title("Live workout")
    # Everything above the camera keeps the same number of elements on every run: an element
    # appearing above it moves the component in the page tree, Streamlit remounts its iframe,
    # and the stream that was starting dies.
    notices = st.container()
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    with c1:
        profile = profile_picker(store, "live-profile", disabled=streaming)
    with c2:
        exercise = st.selectbox(
            "Exercise", [AUTO, *sorted(REGISTRY)], format_func=exercise_label, key="live-exercise", disabled=streaming
        )
    with c3:
        variant = st.selectbox(
            "Pose model", VARIANTS, format_func=variant_label, key="live-variant", disabled=streaming
        )
    with c4:
        beep = st.toggle("Beep on each rep", value=False, key="live-beep")
        speak = st.toggle("Spoken cues", value=False, key="live-speak", help="At most one cue every few seconds")

    with notices:
        no_store_warning(store_error)
        try:
            prepare_model(variant)
        except FitnessError as exc:
            st.error(f"The pose model is not available: {exc}")
            return
        try:
            servers = ice_servers()
        except ValueError as exc:
            st.error(str(exc))
            servers = []
    live.configure(LiveSettings(profile=profile, exercise=exercise, variant=variant))

    # Render the streamer on every run of this page, always with the same key, and keep the
    # library's racy stale-context check away from it (see guard_streamer_context).
    guard_streamer_context(existing, remounted=previous is not None and previous != "live", reset=_reset_context)
    # The component's state is up to date before the script runs (its on_change callback), so
    # the set is armed before the worker exists, and the worker's end-of-stream callback knows
    # which set it belongs to.
    generation = live.arm() if streaming else live.generation
    left, right = st.columns([3, 2], gap="large")
    with left:
        ctx = webrtc_streamer(
            key=WEBRTC_KEY,
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": servers},
            media_stream_constraints={"video": {"frameRate": {"ideal": 30}}, "audio": False},
            queued_video_frames_callback=make_frame_callback(live),
            on_video_ended=lambda: live.stream_ended(generation),
            async_processing=True,  # frames that pile up while busy are dropped, never queued
            translations=CAMERA_TEXTS,
            video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
        )
        st.caption(
            "Press STOP to change the profile, exercise or model. "
            if streaming
            else "Stand so your whole body is in view; side-on works best for squats and push-ups. "
            "Reps are saved to the history as you complete them."
        )
        # Last in the column: when it has nothing to say, its space at the bottom goes unseen.
        st.iframe(camera_check_html(), height=44)
    if not (ctx.state.playing or ctx.state.signalling):
        live.disarm("stopped")
    with right:
        live_panel(live, playing=ctx.state.playing, beep=beep, speak=speak)


def live_panel(live: LiveState, *, playing: bool, beep: bool, speak: bool) -> None:
    @st.fragment(run_every=PANEL_REFRESH_S if playing else None)
    def panel() -> None:
        snap = live.snapshot()
        c1, c2 = st.columns(2)
        with c1, st.container(key="rep-counter"):
            st.metric("Reps", snap.reps)
        c2.metric("Set time", fmt_clock(snap.elapsed_s()))
        st.markdown(status_line(snap))
        if snap.cue:
            st.info(snap.cue, icon=":material/record_voice_over:")
        elif snap.note and snap.armed:
            st.caption(snap.note)
        if snap.armed and snap.last_frame_at is not None and time.monotonic() - snap.last_frame_at > STALL_S:
            st.warning("No picture from the camera for a few seconds. Press STOP, then START again.")
        elif snap.armed and snap.frames_in == 0:
            st.caption("Waiting for the camera…")
        if snap.error:
            st.warning(snap.error if snap.errors < 2 else f"{snap.error} ({snap.errors} problems in this set)")
        if snap.recent:
            st.markdown("**Last reps**")
            st.table(recent_reps_frame(snap.recent))
        elif snap.ended_at is not None and snap.session_id is not None:
            st.caption("No reps in that set.")
        if snap.ended_at is not None and snap.session_id is not None:
            st.success(f"Set saved as session #{snap.session_id}: {snap.reps} reps. See it under History.")
        st.caption(
            f"Camera {snap.fps_in:.0f} fps · processed {snap.fps_processed:.0f} fps "
            f"({snap.process_ms:.0f} ms each) · {snap.frames_in} frames received, {snap.frames_processed} processed"
        )
        announcer = st.session_state.setdefault("_announcer", Announcer())
        item = announcer.update(snap, time.monotonic(), beep=beep, speak=speak)
        if item is not None:
            st.session_state["_announcement"] = item
        # The newest announcement stays in the page until the next one replaces it, so a refresh
        # coming quickly cannot remove it before it played; it plays once (it marks itself).
        latest = st.session_state.get("_announcement")
        if latest is not None:
            st.iframe(announcement_html(latest), height=1)

    panel()


def status_line(snap: LiveSnapshot) -> str:
    if not snap.armed and snap.started_at is None:
        return "Press **START** under the camera view to begin a set."
    parts = []
    if snap.exercise:
        parts.append(f"**{exercise_label(snap.exercise)}**")
    if snap.phase:
        parts.append(f"phase: {snap.phase}")
    if snap.angle is not None:
        parts.append(f"angle: {snap.angle:.0f}°")
    if not snap.armed:
        parts.append("stopped")
    return " · ".join(parts) or "Looking for you…"


def recent_reps_frame(reps: Sequence[Rep]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Verdict": [VERDICT_LABEL.get(r.verdict, r.verdict) for r in reps],
            "Range": [f"{r.rom_deg:.0f}°" for r in reps],
            "Tempo (down/up)": [f"{r.eccentric_ms / 1000:.1f} / {r.concentric_ms / 1000:.1f} s" for r in reps],
            "Cues": ["; ".join(r.cues) or "—" for r in reps],
        },
        index=pd.Index([r.index for r in reps], name="Rep"),
    )


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
    expected = [0]

    def progress(done: int, total: int) -> None:
        expected[0] = total
        now = time.monotonic()
        if now - last[0] < 0.25:  # a progress message per frame would flood the websocket
            return
        last[0] = now
        share = min(done / total, 1.0) if total else 0.0
        bar.progress(share, text=f"Analysing {upload.name}: frame {done}" + (f" of {total}" if total else ""))

    try:
        prepare_model(variant)
        result = analyze_video(source, exercise, variant=variant, annotate_to=annotated, progress=progress)
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
    if expected[0] and result.video.frames < CUT_SHORT * expected[0]:
        warnings.append(
            f"The file seems cut short: only {result.video.frames} of the {expected[0]} frames it announces "
            "could be read, so the results cover the first part only."
        )
    st.session_state["analysis"] = AnalysisView(
        upload.name, upload.size, exercise, variant, profile, result, video, workdir, warnings=warnings
    )


def show_analysis(view: AnalysisView, store: SessionStore | None) -> None:
    result = view.result
    good = sum(r.verdict == "good" for r in result.reps)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Reps", result.count)
    c2.metric("Exercise", result.spec.name)
    c3.metric("Good form", f"{good} of {result.count}" if result.count else "—")
    c4.metric("Video", f"{result.video.duration_ms / 1000:.1f} s")
    for warning in view.warnings:
        st.warning(warning)
    for note in result.notes:
        st.info(note)
    if result.reps:
        st.subheader("Reps")
        st.table(rep_table(result.reps))
    else:
        st.warning("No complete reps were found in this video.")
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
        if view.saved_id is not None:
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


def rep_table(reps: Sequence[Rep]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Start (s)": [f"{r.start_ms / 1000:.1f}" for r in reps],
            "End (s)": [f"{r.end_ms / 1000:.1f}" for r in reps],
            "Angle min–max": [f"{r.min_angle:.0f}–{r.max_angle:.0f}°" for r in reps],
            "Range": [f"{r.rom_deg:.0f}°" for r in reps],
            "Down / up (s)": [f"{r.eccentric_ms / 1000:.1f} / {r.concentric_ms / 1000:.1f}" for r in reps],
            "Verdict": [VERDICT_LABEL.get(r.verdict, r.verdict) for r in reps],
            "Cues": ["; ".join(r.cues) or "—" for r in reps],
        },
        index=pd.Index([r.index for r in reps], name="Rep"),
    )


def angle_chart(result: AnalysisResult) -> go.Figure:
    t, a = result.angle_series()
    return trace_figure(
        [float(x) / 1000 for x in t],
        [None if pd.isna(y) else float(y) for y in a],
        result.reps,
        f"{result.spec.name}: {result.spec.primary.label()} over time",
    )


def trace_figure(t_s: Sequence[float], angle: Sequence[float | None], reps: Sequence[Rep], title: str) -> go.Figure:
    """The counted angle over time; each rep shaded (green good, orange needs work) and its cues
    marked at the turning point."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(t_s), y=list(angle), mode="lines", name="angle", line={"color": "#4a6fe3"}))
    for rep in reps:
        fig.add_vrect(
            x0=rep.start_ms / 1000,
            x1=rep.end_ms / 1000,
            fillcolor=VERDICT_COLOUR.get(rep.verdict, "#999"),
            opacity=0.15,
            line_width=0,
            annotation_text=str(rep.index),
            annotation_position="top left",
        )
    cued = [r for r in reps if r.cues]
    if cued:
        fig.add_trace(
            go.Scatter(
                x=[r.bottom_ms / 1000 for r in cued],
                y=[r.min_angle for r in cued],
                mode="markers",
                name="cue",
                marker={"symbol": "triangle-down", "size": 12, "color": "#d9534f"},
                text=["; ".join(r.cues) for r in cued],
                hovertemplate="%{text}<extra>rep cue</extra>",
            )
        )
    fig.update_layout(
        title=title,
        xaxis_title="time (s)",
        yaxis_title="angle (°)",
        height=340,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


# -- History -----------------------------------------------------------------------------------


def page_history() -> None:
    enter_page("history")
    _configure_logging()
    st.title("History")
    store, store_error = get_store()
    if store is None:
        no_store_warning(store_error)
        return
    try:
        everything = store.list_sessions()
    except FitnessError as exc:
        st.error(f"Could not read the history: {exc}")
        return
    if not everything:
        st.info("No sessions yet. Record a set on **Live workout** or save an analysed video.")
        return

    first_day = min(s.started_at.astimezone().date() for s in everything)
    c1, c2, c3 = st.columns([2, 2, 3])
    profiles = sorted({s.profile for s in everything})
    exercises = sorted({s.exercise for s in everything})
    with c1:
        chosen_profiles = st.multiselect("Profile", profiles, default=profiles, key="hist-profiles")
    with c2:
        chosen_exercises = st.multiselect(
            "Exercise", exercises, default=exercises, format_func=history_exercise_label, key="hist-exercises"
        )
    with c3:
        picked = st.date_input("Dates", value=(first_day, date.today()), key="hist-dates")
    start_day, end_day = date_range(picked, first_day)
    chosen = [
        s
        for s in everything
        if s.profile in chosen_profiles
        and s.exercise in chosen_exercises
        and start_day <= s.started_at.astimezone().date() <= end_day
    ]
    if not chosen:
        st.info("No sessions match these filters.")
        return
    details = {s.id: store.get_session(s.id).reps for s in chosen}
    total_reps = sum(s.rep_count for s in chosen)
    good = sum(s.good_count for s in chosen)
    m1, m2, m3 = st.columns(3)
    m1.metric("Sessions", len(chosen))
    m2.metric("Total reps", total_reps)
    m3.metric("Good form", f"{good / total_reps:.0%}" if total_reps else "—")

    history_charts(chosen, details)
    session_detail(chosen, details)
    st.download_button(
        "Download these reps as CSV",
        data=history_csv(chosen, details),
        file_name=f"fitness-history-{date.today().isoformat()}.csv",
        mime="text/csv",
        key="hist-csv",
    )


def history_exercise_label(key: str) -> str:
    return REGISTRY[key].name if key in REGISTRY else key


def date_range(picked: Any, first_day: date) -> tuple[date, date]:
    """``st.date_input`` gives one date while the second is being picked."""
    if isinstance(picked, Sequence) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, Sequence) and len(picked) == 1:
        return picked[0], date.today()
    if isinstance(picked, date):
        return picked, date.today()
    return first_day, date.today()


def _small(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        height=300,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.4},
    )
    return fig


EXERCISE_COLOURS = {"squat": "#4a6fe3", "pushup": "#2e9e5b", "curl": "#e8913a"}


def _local(times: Any) -> list[datetime]:
    """UTC timestamps from the store as naive local times, which is what a person reads."""
    out = []
    for t in times:
        moment = t.to_pydatetime() if isinstance(t, pd.Timestamp) else t
        out.append(moment.astimezone().replace(tzinfo=None))
    return out


DAY_MS = 86_400_000
MIN_DAYS_SHOWN = 7


def _time_axis(fig: go.Figure, times: Sequence[datetime]) -> go.Figure:
    """Whole days on the x axis, at least a week of them ending on the newest day.

    Left to itself, plotly zooms one session to minutes and labels every tick with the same
    date; a week with one labelled tick per day reads as "what did I do lately".
    """
    if times:
        first = datetime.combine(min(times).date(), datetime.min.time())
        last = datetime.combine(max(times).date(), datetime.min.time())
        first = min(first, last - timedelta(days=MIN_DAYS_SHOWN - 1))
        # The range ends with the newest day's midnight + 1 day, so a session at 23:00 stays in
        # its day. With a label a day, each label sits in the middle of its day ("period"),
        # right under that day's bar (placed at noon). Two-line labels ("12" over "Nov") are
        # narrow: about a week of them fits a half-width chart without turning sideways.
        step = math.ceil(((last - first).days + 1) / MIN_DAYS_SHOWN)
        fig.update_xaxes(
            type="date",
            range=[first, last + timedelta(days=1)],
            tickformat="%-d<br>%b",
            ticklabelmode="period" if step == 1 else "instant",
            tickangle=0,
            dtick=DAY_MS * step,
        )
    return fig


@dataclass(frozen=True, slots=True)
class TrendLine:
    """One per-session column drawn per exercise: ``scale`` converts units (share -> %, ms -> s),
    ``hover`` (after the exercise name) tells apart lines that share a colour."""

    column: str
    scale: float = 1.0
    dash: str | None = None
    hover: str | None = None


def _session_lines(frame: pd.DataFrame, lines: Sequence[TrendLine]) -> go.Figure:
    """Each exercise in its colour, over the sessions' start times; one legend entry per exercise
    (as in the other charts), so extra lines of an exercise differ by line style only."""
    fig = go.Figure()
    for ex, part in frame.groupby("exercise"):
        name, colour = history_exercise_label(str(ex)), EXERCISE_COLOURS.get(str(ex))
        when = _local(part["started_at"])
        for i, line in enumerate(lines):
            fig.add_trace(
                go.Scatter(
                    x=when,
                    y=part[line.column] * line.scale,
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=i == 0,
                    line={"color": colour, "dash": line.dash},
                    hovertemplate=None if line.hover is None else f"{name} {line.hover}<extra></extra>",
                )
            )
    return fig


def history_charts(chosen: Sequence[SessionSummary], details: dict[int, tuple[Rep, ...]]) -> None:
    from fitness.storage import good_share_frame, reps_per_day_frame, trends_frame

    per_day = reps_per_day_frame(chosen)
    shares = good_share_frame(chosen)
    trends = trends_frame(chosen)
    every_time = _local(s.started_at for s in chosen)
    row1 = st.columns(2, gap="large")
    row2 = st.columns(2, gap="large")

    fig = go.Figure()
    for ex, part in per_day.groupby("exercise"):
        colour = EXERCISE_COLOURS.get(str(ex))
        days = [datetime.combine(d, datetime.min.time()) + timedelta(hours=12) for d in part["day"]]
        fig.add_trace(
            go.Bar(
                x=days, y=part["reps"], width=DAY_MS * 0.7, name=history_exercise_label(str(ex)), marker_color=colour
            )
        )
    fig.update_layout(barmode="stack")
    fig = _time_axis(fig, [datetime.combine(d, datetime.min.time()) for d in per_day["day"]])
    row1[0].plotly_chart(_small(fig, "Reps per day", "reps"), width="stretch", key="h-day")

    fig = _session_lines(shares[shares["reps"] > 0], [TrendLine("good_share", scale=100)])
    fig.update_yaxes(range=[0, 105])
    fig = _time_axis(_small(fig, "Share of good reps per session", "% good"), every_time)
    row1[1].plotly_chart(fig, width="stretch", key="h-good")

    fig = _session_lines(trends, [TrendLine("mean_rom_deg")])
    fig.update_yaxes(rangemode="tozero")
    fig = _time_axis(_small(fig, "Range of motion (session mean)", "degrees"), every_time)
    row2[0].plotly_chart(fig, width="stretch", key="h-rom")

    fig = _session_lines(
        trends,
        [
            TrendLine("mean_eccentric_ms", scale=0.001, hover="down: %{y:.1f} s"),
            TrendLine("mean_concentric_ms", scale=0.001, dash="dot", hover="up: %{y:.1f} s"),
        ],
    )
    fig.update_yaxes(rangemode="tozero")
    fig = _time_axis(_small(fig, "Tempo (down solid, up dotted)", "seconds"), every_time)
    row2[1].plotly_chart(fig, width="stretch", key="h-tempo")

    cue_counts: Counter[str] = Counter(cue for reps in details.values() for rep in reps for cue in set(rep.cues))
    if cue_counts:
        top = cue_counts.most_common(10)[::-1]
        fig = go.Figure(go.Bar(x=[n for _, n in top], y=[c for c, _ in top], orientation="h", marker_color="#d9534f"))
        fig = _small(fig, "Most frequent cues (reps that drew each)", "")
        fig.update_layout(height=120 + 28 * len(top))
        st.plotly_chart(fig, width="stretch", key="h-cues")
    else:
        st.caption("No form cues in these sessions.")


def session_label(s: SessionSummary) -> str:
    where = s.video_name if s.source == "video" and s.video_name else "live"
    return (
        f"#{s.id} · {fmt_when(s.started_at)} · {history_exercise_label(s.exercise)} · "
        f"{s.rep_count} reps · {s.profile} · {where}"
    )


def session_detail(chosen: Sequence[SessionSummary], details: dict[int, tuple[Rep, ...]]) -> None:
    st.subheader("Session detail")
    by_id = {s.id: s for s in chosen}
    picked = st.selectbox("Session", list(by_id), format_func=lambda i: session_label(by_id[i]), key="hist-session")
    if picked is None:
        return
    s = by_id[int(picked)]
    reps = details.get(s.id, ())
    # "interrupted" is the longest value: its column gets the room, the numbers need little.
    c1, c2, c3, c4 = st.columns([0.8, 1.1, 0.9, 1.6])
    c1.metric("Reps", s.rep_count)
    c2.metric("Good form", f"{s.good_count} of {s.rep_count}" if s.rep_count else "—")
    c3.metric("Duration", fmt_clock(s.duration.total_seconds()) if s.duration is not None else "—")
    c4.metric("Ended", s.end_reason.replace("_", " "))
    if not reps:
        st.caption("No reps in this session.")
        return
    trace = s.extra.get("trace")
    angle_name = REGISTRY[s.exercise].primary.label() if s.exercise in REGISTRY else "angle"
    if isinstance(trace, dict) and trace.get("t_ms"):
        title = f"{history_exercise_label(s.exercise)}: {angle_name}"
        fig = trace_figure([t / 1000 for t in trace["t_ms"]], trace["angle"], reps, title)
    else:  # live sessions keep per-rep numbers only
        fig = rep_bars(reps)
    st.plotly_chart(fig, width="stretch", key="h-session")
    st.table(rep_table(reps))


def rep_bars(reps: Sequence[Rep]) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[r.index for r in reps],
            y=[r.rom_deg for r in reps],
            marker_color=[VERDICT_COLOUR.get(r.verdict, "#999") for r in reps],
            text=["; ".join(r.cues) for r in reps],
            hovertemplate="rep %{x}: %{y:.0f}°<br>%{text}<extra></extra>",
        )
    )
    return _small(fig, "Range of motion per rep (green good, orange needs work)", "degrees").update_xaxes(
        title="rep", dtick=1
    )


def history_csv(chosen: Sequence[SessionSummary], details: dict[int, tuple[Rep, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in sorted(chosen, key=lambda x: (x.started_at, x.id)):
        for rep in details.get(s.id, ()):
            writer.writerow(csv_row(s, rep))
    return out.getvalue().encode()


# -- navigation ---------------------------------------------------------------------------------


def main() -> None:
    pages = [
        st.Page(page_live, title="Live workout", icon=":material/videocam:", url_path="live", default=True),
        st.Page(page_analyse, title="Analyse a video", icon=":material/movie:", url_path="analyse"),
        st.Page(page_history, title="History", icon=":material/monitoring:", url_path="history"),
    ]
    page = st.navigation(pages)
    st.markdown(
        # A rep counter readable from across the room; the other metrics keep the default size.
        "<style>.st-key-rep-counter [data-testid='stMetricValue'] {font-size: 4.5rem; line-height: 1.1;}</style>",
        unsafe_allow_html=True,
    )
    try:
        page.run()
    except Exception as exc:
        # Streamlit's own rerun/stop signals are BaseExceptions and pass through. Anything else
        # is a bug: a sentence for the person, the traceback for the log, the app stays up.
        log.exception("the %s page failed", page.title)
        st.error(
            f"Something went wrong on this page ({type(exc).__name__}: {exc}). "
            "The details are in the server log; the other pages still work."
        )


main()
