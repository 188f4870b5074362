"""The live page's Group mode, on the page: the toggle and each place's profile in the sidebar,
and beside the video each place's count, last cue and saved session (see
:mod:`fitness.app.group_live`). Also where one-person mode says it sees more people."""

from __future__ import annotations

import streamlit as st

from fitness.app.common import PANEL_REFRESH_S, exercise_label
from fitness.app.group_live import PlaceView, guest_name
from fitness.app.live_state import LiveSnapshot, LiveState
from fitness.pose.tracking import MAX_PEOPLE
from fitness.store import SessionStore
from fitness.text import escape_markdown, plural

GROUP_KEY = "live-group"
PEOPLE_KEY = "live-group-people"


def place_name(place: int, places: int) -> str:
    """Where a place is, left to right as the picture shows it."""
    if place == 0:
        return "Left"
    if place == places - 1:
        return "Right"
    if places == 3:
        return "Middle"
    return f"{place + 1}{'nd' if place == 1 else 'rd' if place == 2 else 'th'} from the left"


def group_controls(store: SessionStore | None, profile: str, *, disabled: bool) -> tuple[str, ...]:
    """The Group toggle, how many people, and a profile for each place (the first place is the
    profile chosen above; the others are guests unless named). Empty when Group is off."""
    on = st.toggle(
        "Group",
        value=False,
        key=GROUP_KEY,
        disabled=disabled,
        help=f"Count everyone in view (up to {MAX_PEOPLE}), each person on their own, "
        "each set saved under their own profile",
    )
    if not on:
        return ()
    people = int(
        st.number_input("People", min_value=2, max_value=MAX_PEOPLE, value=2, key=PEOPLE_KEY, disabled=disabled)
    )
    names = store.profiles() if store is not None else []
    profiles: list[str] = []
    for place in range(people):
        default = profile if place == 0 else guest_name(place)
        options = sorted({*names, default, *(guest_name(i) for i in range(1, people))})
        key = f"{GROUP_KEY}-place-{place}"
        if st.session_state.get(key) not in options:
            st.session_state[key] = default
        profiles.append(str(st.selectbox(place_name(place, people), options, key=key, disabled=disabled)))
    repeated = sorted({p for p in profiles if profiles.count(p) > 1})
    if repeated:
        st.warning(f"{', '.join(repeated)} is chosen for more than one place: each person needs their own profile.")
    return tuple(profiles)


def group_panel(live: LiveState, *, playing: bool) -> None:
    """Beside the video: each place's count and last cue (Group mode), or one-person mode's note
    that more people are in view. Refreshed as often as the scoreboard while the camera runs."""

    @st.fragment(run_every=PANEL_REFRESH_S if playing else None)
    def panel() -> None:
        snap = live.snapshot()
        if snap.crowd and snap.armed and not snap.places:
            with st.container(key="live-crowd"):
                st.info(snap.crowd)
        if snap.places:
            places(snap)

    panel()


def places(snap: LiveSnapshot) -> None:
    for place in snap.places:
        with st.container(key=f"group-place-{place.place}", border=True):
            name, count = st.columns([3, 1], vertical_alignment="center")
            with name:
                st.markdown(f"**{escape_markdown(place.profile)}** · {place_name(place.place, len(snap.places))}")
                st.caption(_what(place, armed=snap.armed))
            with count:
                st.metric(place.profile, place.reps, label_visibility="collapsed")
            if place.cue and snap.armed:
                st.markdown(escape_markdown(place.cue))
            if place.session_id is not None and not snap.armed:
                st.success(f"{place.profile}'s set saved as session #{place.session_id}: {plural(place.reps, 'rep')}.")


def _what(place: PlaceView, *, armed: bool) -> str:
    exercise = exercise_label(place.exercise) if place.exercise is not None else "no rep yet"
    if not armed:
        return exercise
    if place.person is None:
        return "waiting for someone to stand here"
    return exercise if place.in_view else f"{exercise} · out of view"
