"""The Live workout page: webcam, skeleton, rep counter, spoken cues, sets and rests.

Laid out to be followed from across the room and on a phone: the settings are in the sidebar
(folded away on a phone), then a scoreboard (count, set time or rest, the set and its target,
the cue) right above the camera view, and the details (the plan, the last sets, the last reps,
undo, frame rates) beside it, or under it on a narrow screen.

A START is a workout: its sets are found as the person trains (free), or follow a saved plan
(chosen in the sidebar, made on the Plans page). What the scoreboard says is the workout's own
:meth:`~fitness.app.workout_live.Workout.board`; this page only draws it.
"""

from __future__ import annotations

import time

import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from fitness.app.announce import Announcer, announcement_html, camera_check_html, fullscreen_html
from fitness.app.coach import PipelineCoach
from fitness.app.common import (
    CAMERA_TEXTS,
    PANEL_REFRESH_S,
    STALL_S,
    VARIANTS,
    WEBRTC_KEY,
    _configure_logging,
    choice_from_url,
    enter_page,
    exercise_label,
    fmt_clock,
    get_store,
    ice_servers,
    keep_in_url,
    no_store_warning,
    prepare_model,
    profile_picker,
    variant_label,
)
from fitness.app.frame_callback import make_frame_callback
from fitness.app.group_live import GroupPipelineCoach
from fitness.app.live_state import LiveSettings, LiveSnapshot, LiveState, done_text, store_recorders
from fitness.app.pages.live_group import group_controls, group_panel
from fitness.app.tables import live_sets_frame, plan_frame, recent_reps_frame
from fitness.app.webrtc_fix import guard_streamer_context, reset_context
from fitness.app.workout_live import Board, plan_label
from fitness.engine.fatigue import DEFAULT_STOP_AT
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO
from fitness.store import SessionStore
from fitness.store.values import Plan
from fitness.text import clock as clock_text
from fitness.text import escape_markdown

DETAILS_REFRESH_S = 1.0  # the last-reps table changes once a rep: no need for the scoreboard's pace
UNDO_KEY = "_undo_rep"  # the rep the person asked to take back, awaiting confirmation
UNDO_NOTICE_KEY = "_undo_notice"
FREE = "free"  # the plan picker's "no plan" choice


def get_live_state(store: SessionStore | None) -> LiveState:
    """One per browser session: the callback thread holds a reference, never ``st.session_state``."""
    live = st.session_state.get("live_state")
    if not isinstance(live, LiveState):
        live = LiveState(PipelineCoach, store_recorders(store), GroupPipelineCoach)
        st.session_state["live_state"] = live
    return live


def page_live() -> None:
    previous = enter_page("live")
    _configure_logging()
    store, store_error = get_store()
    live = get_live_state(store)
    existing = st.session_state.get(WEBRTC_KEY)
    streaming = bool(existing is not None and (existing.state.playing or existing.state.signalling))

    exercises = [AUTO, *sorted(REGISTRY)]
    choice_from_url("exercise", "live-exercise", exercises)
    choice_from_url("model", "live-variant", VARIANTS)
    with st.sidebar:
        profile = profile_picker(store, "live-profile", disabled=streaming)
        group = group_controls(store, profile, disabled=streaming)
        plan, plan_error = plan_picker(store, profile, disabled=streaming or bool(group))
        exercise = st.selectbox(
            "Exercise",
            exercises,
            format_func=exercise_label,
            key="live-exercise",
            disabled=streaming or plan is not None,
            help="With a plan, each set counts the plan's exercise." if plan is not None else None,
        )
        variant = st.selectbox(
            "Pose model", VARIANTS, format_func=variant_label, key="live-variant", disabled=streaming
        )
        beep = st.toggle("Beep on each rep", value=False, key="live-beep")
        speak = st.toggle("Spoken cues", value=False, key="live-speak", help="At most one cue every few seconds")
        fatigue = st.toggle(
            f"Stop the set at {DEFAULT_STOP_AT:.0%} velocity loss",
            value=False,
            key="live-fatigue",
            help="Velocity-based training: once your reps are this much slower than the set's first, "
            "the page (and, with spoken cues, the voice) tells you to stop the set.",
        )
        mirror = st.toggle(
            "Mirror the picture",
            value=True,
            key="live-mirror",
            help="Shown as a mirror shows you. Only the picture is flipped: left and right stay yours.",
        )
    keep_in_url(profile=profile, exercise=exercise, model=variant, plan=str(plan.id) if plan else FREE)

    st.title("Live workout")
    # Everything above the camera keeps the same number of elements on every run: an element
    # appearing above it moves the component in the page tree, Streamlit remounts its iframe,
    # and the stream that was starting dies. (The sidebar is a tree of its own.)
    notices = st.container()
    with notices:
        no_store_warning(store_error)
        if plan_error:
            st.error(plan_error)
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
    live.configure(LiveSettings(profile=profile, exercise=exercise, variant=variant, group=group, plan=plan))
    live.set_mirror(mirror)
    live.set_fatigue_alert(DEFAULT_STOP_AT if fatigue else None)
    scoreboard_slot = st.container(key="scoreboard")

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
        st.iframe(fullscreen_html(), height=40)
        st.caption(
            f"Profile **{profile}** · {f'plan {plan.name}' if plan else exercise_label(exercise)} · "
            "press STOP to change them (in the sidebar)."
            if streaming
            else "Stand so your whole body is in view; side-on works best for squats and push-ups. "
            "Reps are saved to the history as you complete them; a set ends when you rest, "
            "and the next begins with its first rep."
        )
        # Last in the column: when it has nothing to say, its space at the bottom goes unseen.
        st.iframe(camera_check_html(), height=44)
    playing = ctx.state.playing
    if not (playing or ctx.state.signalling):
        live.disarm("stopped")
    with scoreboard_slot:
        scoreboard(live, playing=playing, beep=beep, speak=speak)
    with right:
        group_panel(live, playing=playing)
        details(live, playing=playing)


def plan_picker(store: SessionStore | None, profile: str, *, disabled: bool) -> tuple[Plan | None, str | None]:
    """Choose one of the profile's saved plans, or a free workout (kept in the address as
    ``?plan=``); returns the plan and, when the plans cannot be read, why."""
    try:
        plans = {str(p.id): p for p in store.plans(profile)} if store is not None else {}
    except FitnessError as exc:
        return None, f"The saved plans cannot be read: {exc}"
    options = [FREE, *plans]
    choice_from_url("plan", "live-plan", options)
    if st.session_state.get("live-plan") not in options:
        st.session_state["live-plan"] = FREE  # a plan deleted, or another profile's
    choice = st.selectbox(
        "Workout plan",
        options,
        format_func=lambda key: "Free: sets found as you train" if key == FREE else plan_label(plans[key]),
        key="live-plan",
        disabled=disabled,
        help="Make and change plans on the Plans page.",
    )
    return plans.get(str(choice)), None


def scoreboard(live: LiveState, *, playing: bool, beep: bool, speak: bool) -> None:
    """The count, the set time (or the rest, big), the set and its target, the cue, refreshed
    twice a second while the camera runs."""

    @st.fragment(run_every=PANEL_REFRESH_S if playing else None)
    def board() -> None:
        snap = live.snapshot()
        shown = snap.shown_workout.board(time.time(), snap.started_at)
        count, clock, words = st.columns([1, 1, 3], vertical_alignment="center")
        if shown.held_s is not None:
            # A clock has four characters where a count has one or two: the rest timer's size.
            with count, st.container(key="hold-counter"):
                st.metric("Held", clock_text(shown.held_s))
        else:
            with count, st.container(key="rep-counter"):
                st.metric("Reps", snap.reps)
        # The rest is what a person looks up for between sets: it takes the counter's size.
        with clock, st.container(key="rest-time" if shown.state == "rest" else "set-time"):
            st.metric(shown.timer_label, shown.timer if snap.shown_workout.sets else fmt_clock(snap.elapsed_s()))
        with words, st.container(key="live-cue"):
            st.markdown(status_line(snap, shown))
            if shown.alert and snap.recording:
                with st.container(key="live-stop"):
                    st.markdown(escape_markdown(shown.alert))
            if snap.cue:
                with st.container(key="live-cue-text"):
                    st.markdown(escape_markdown(snap.cue))
            elif snap.stalled(time.monotonic(), STALL_S):
                st.warning("No picture from the camera for a few seconds. Press STOP, then START again.")
            elif snap.armed and snap.frames_in == 0:
                st.caption("Waiting for the camera…")
            elif snap.note and snap.armed:
                st.caption(snap.note)
            else:
                # Something in the slot every run: a caption no longer wanted is replaced, not
                # left behind as a stale element while the next refresh is already queued.
                st.empty()
        announce(snap, beep=beep, speak=speak)

    board()


def saved_message(snap: LiveSnapshot) -> str:
    """What was saved when the stream stopped: the set, or the workout of several."""
    what = "Set" if len(snap.workout.sets) <= 1 else "Workout"
    return f"{what} saved as session #{snap.session_id}: {done_text(snap)}. See it under History."


def announce(snap: LiveSnapshot, *, beep: bool, speak: bool) -> None:
    announcer = st.session_state.setdefault("_announcer", Announcer())
    item = announcer.update(snap, time.monotonic(), beep=beep, speak=speak, wall=time.time())
    if item is not None:
        st.session_state["_announcement"] = item
    # The newest announcement stays in the page until the next one replaces it, so a refresh
    # coming quickly cannot remove it before it played; it plays once (it marks itself).
    latest = st.session_state.get("_announcement")
    if latest is not None:
        st.iframe(announcement_html(latest), height=1)


def details(live: LiveState, *, playing: bool) -> None:
    """The set's last reps (with undo), what was saved, problems, and the frame rates."""

    @st.fragment(run_every=DETAILS_REFRESH_S if playing else None)
    def panel() -> None:
        snap = live.snapshot()
        if snap.error:
            st.warning(snap.error if snap.errors < 2 else f"{snap.error} ({snap.errors} problems in this set)")
        workout = snap.workout
        if workout.steps:
            st.markdown(f"**Plan: {escape_markdown(workout.plan_name or '')}**")
            st.table(plan_frame(workout))
        if len(workout.sets) > 1 or (workout.sets and not workout.sets[-1].running):
            st.markdown("**Last sets**")
            st.table(live_sets_frame(workout))
        if snap.recent:
            st.markdown("**Last reps**")
            st.table(recent_reps_frame(snap.recent))
        elif snap.ended_at is not None and snap.session_id is not None:
            st.caption("No reps in that set.")
        if not snap.places:  # Group mode saves each place on its own: no undo across them
            undo_controls(live, snap)
        if snap.ended_at is not None and snap.session_id is not None:
            st.success(saved_message(snap))
        st.caption(
            f"Camera {snap.fps_in:.0f} fps · processed {snap.fps_processed:.0f} fps "
            f"({snap.process_ms:.0f} ms each) · {snap.frames_in} frames received, {snap.frames_processed} processed"
        )

    panel()


def undo_controls(live: LiveState, snap: LiveSnapshot) -> None:
    """The "Undo last rep" button, then a confirmation naming the rep: it leaves the count and the history."""
    # What the last undo did stays up until the set moves on (a rep, another undo, a new set).
    notice = st.session_state.get(UNDO_NOTICE_KEY)
    if isinstance(notice, tuple) and notice[2:] == (snap.session_id, snap.reps):
        (st.success if notice[0] == "ok" else st.error)(notice[1])
    else:
        st.session_state.pop(UNDO_NOTICE_KEY, None)
    pending = st.session_state.get(UNDO_KEY)
    if pending != snap.reps:  # the set moved on (a new rep, a new set): ask again if still wanted
        st.session_state.pop(UNDO_KEY, None)
    elif isinstance(pending, int):
        st.warning(f"Take back rep {pending}? It comes off the count and out of the history.")
        yes, no = st.columns(2)
        if yes.button(f"Yes, remove rep {pending}", type="primary", key="live-undo-yes"):
            try:
                outcome = ("ok", live.undo_last_rep(pending))
            except FitnessError as exc:
                outcome = ("error", f"Nothing was removed: {exc}")
            after = live.snapshot()
            st.session_state[UNDO_NOTICE_KEY] = (*outcome, after.session_id, after.reps)
            del st.session_state[UNDO_KEY]
            st.rerun()  # the whole page: the scoreboard shows the new count at once, even when stopped
        if no.button("Keep it", key="live-undo-no"):
            del st.session_state[UNDO_KEY]
            st.rerun()
    if UNDO_KEY not in st.session_state and snap.reps > 0 and st.button("Undo last rep", key="live-undo"):
        st.session_state[UNDO_KEY] = snap.reps
        st.rerun(scope="fragment")


def status_line(snap: LiveSnapshot, shown: Board) -> str:
    """What the workout is doing, in words: the set and its target, the rest and what comes
    next, the plan's progress. The phase and angle are not here: they change every frame and
    are drawn on the picture itself, where they always belong to the frame shown."""
    workout = snap.shown_workout
    if not snap.armed and snap.started_at is None:
        first = f" The plan starts with {workout.steps[0].target()}." if workout.steps else ""
        return f"Press **START** under the camera view to begin.{first}"
    progress = f"  \n{escape_markdown(shown.progress)}" if shown.progress else ""
    if not snap.armed:
        return f"Stopped.{progress}"
    if snap.places:
        # Each place has its own exercise and count beside the video: one line for the room.
        here = sum(place.person is not None and place.in_view for place in snap.places)
        return f"**Group** · {here} of {len(snap.places)} in view · each person counted on their own"
    if shown.state == "waiting" and snap.exercise is None:
        return f"Looking for you…  \n{escape_markdown(shown.headline)}{progress}"
    if shown.state == "set" and workout.current is not None and workout.current.step is None:
        return f"**{exercise_label(workout.current.exercise)}** · set {workout.current.index} · counting{progress}"
    if shown.state == "waiting" and snap.exercise is not None and not workout.steps:
        return f"**{exercise_label(snap.exercise)}** · counting{progress}"
    return f"**{escape_markdown(shown.headline)}**{progress}"
