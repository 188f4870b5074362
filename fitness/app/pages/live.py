"""The Live workout page: webcam, skeleton, rep counter, spoken cues."""

from __future__ import annotations

import time

import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from fitness.app.announce import Announcer, announcement_html, camera_check_html
from fitness.app.coach import PipelineCoach
from fitness.app.common import (
    CAMERA_TEXTS,
    PANEL_REFRESH_S,
    STALL_S,
    VARIANTS,
    WEBRTC_KEY,
    _configure_logging,
    enter_page,
    exercise_label,
    fmt_clock,
    get_store,
    ice_servers,
    no_store_warning,
    prepare_model,
    profile_picker,
    variant_label,
)
from fitness.app.frame_callback import make_frame_callback
from fitness.app.live_state import LiveSettings, LiveSnapshot, LiveState, store_recorders
from fitness.app.tables import recent_reps_frame
from fitness.app.webrtc_fix import guard_streamer_context, reset_context
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO
from fitness.store.store import SessionStore


def get_live_state(store: SessionStore | None) -> LiveState:
    """One per browser session: the callback thread holds a reference, never ``st.session_state``."""
    live = st.session_state.get("live_state")
    if not isinstance(live, LiveState):
        live = LiveState(PipelineCoach, store_recorders(store))
        st.session_state["live_state"] = live
    return live


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
    guard_streamer_context(existing, remounted=previous is not None and previous != "live", reset=reset_context)
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
        if snap.stalled(time.monotonic(), STALL_S):
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
