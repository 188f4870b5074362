"""The History page: charts over the saved sessions, one session's detail, CSV.

The store answers (:meth:`~fitness.store.store.SessionStore.history`: filtered and aggregated
by the database, a fixed number of statements however long the history); this page only lays
out the filters and draws what comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from fitness.app import charts
from fitness.app.common import (
    _configure_logging,
    enter_page,
    fmt_clock,
    fmt_when,
    get_store,
    history_exercise_label,
    no_store_warning,
)
from fitness.app.tables import rep_table
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.store import HistoryView, Selection, SessionStore, SessionSummary

log = logging.getLogger("fitness.app")


def page_history() -> None:
    enter_page("history")
    _configure_logging()
    st.title("History")
    store, store_error = get_store()
    if store is None:
        no_store_warning(store_error)
        return
    try:
        offered = store.history_choices()
    except FitnessError as exc:
        st.error(f"Could not read the history: {exc}")
        return
    if offered.first is None:
        st.info("No sessions yet. Record a set on **Live workout** or save an analysed video.")
        return

    first_day = offered.first.astimezone().date()
    c1, c2, c3 = st.columns([2, 2, 3])
    with c1:
        profiles = st.multiselect("Profile", offered.profiles, default=offered.profiles, key="hist-profiles")
    with c2:
        exercises = st.multiselect(
            "Exercise",
            offered.exercises,
            default=offered.exercises,
            format_func=history_exercise_label,
            key="hist-exercises",
        )
    with c3:
        picked = st.date_input("Dates", value=(first_day, date.today()), key="hist-dates")
    start_day, end_day = date_range(picked, first_day)
    selection = Selection.of(profiles, exercises, start_day, end_day)
    try:
        view = store.history(selection)
    except FitnessError as exc:
        st.error(f"Could not read the history: {exc}")
        return
    if not view.sessions:
        st.info("No sessions match these filters.")
        return

    m1, m2, m3 = st.columns(3)
    m1.metric("Sessions", len(view.sessions))
    m2.metric("Total reps", view.rep_count)
    m3.metric("Good form", f"{view.good_share:.0%}" if view.good_share is not None else "—")

    history_charts(view)
    session_detail(store, view.sessions)
    st.download_button(
        "Download these reps as CSV",
        # Made when the button is pressed (the same export as `fitness history export`), not
        # on every run of the page.
        data=lambda: store.csv_bytes(selection),
        file_name=f"fitness-history-{date.today().isoformat()}.csv",
        mime="text/csv",
        key="hist-csv",
    )


def date_range(picked: Any, first_day: date) -> tuple[date, date]:
    """``st.date_input`` gives one date while the second is being picked."""
    if isinstance(picked, Sequence) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, Sequence) and len(picked) == 1:
        return picked[0], date.today()
    if isinstance(picked, date):
        return picked, date.today()
    return first_day, date.today()


def history_charts(view: HistoryView) -> None:
    row1 = st.columns(2, gap="large")
    row2 = st.columns(2, gap="large")
    row1[0].plotly_chart(charts.reps_per_day_chart(view.per_day), width="stretch", key="h-day")
    row1[1].plotly_chart(charts.good_share_chart(view.per_session), width="stretch", key="h-good")
    row2[0].plotly_chart(charts.rom_chart(view.per_session), width="stretch", key="h-rom")
    row2[1].plotly_chart(charts.tempo_chart(view.per_session), width="stretch", key="h-tempo")
    cues = charts.cue_chart(view.cues)
    if cues is None:
        st.caption("No form cues in these sessions.")
    else:
        st.plotly_chart(cues, width="stretch", key="h-cues")


def session_label(s: SessionSummary) -> str:
    where = s.video_name if s.source == "video" and s.video_name else "live"
    return (
        f"#{s.id} · {fmt_when(s.started_at)} · {history_exercise_label(s.exercise)} · "
        f"{s.rep_count} reps · {s.profile} · {where}"
    )


def session_detail(store: SessionStore, found: Sequence[SessionSummary]) -> None:
    st.subheader("Session detail")
    by_id = {s.id: s for s in found}
    picked = st.selectbox("Session", list(by_id), format_func=lambda i: session_label(by_id[i]), key="hist-session")
    if picked is None:
        return
    try:
        detail = store.get_session(int(picked))
    except FitnessError as exc:
        st.error(f"Could not read session #{picked}: {exc}")
        return
    s = detail.summary
    # "interrupted" is the longest value: its column gets the room, the numbers need little.
    c1, c2, c3, c4 = st.columns([0.8, 1.1, 0.9, 1.6])
    c1.metric("Reps", s.rep_count)
    c2.metric("Good form", f"{s.good_count} of {s.rep_count}" if s.rep_count else "—")
    c3.metric("Duration", fmt_clock(s.duration.total_seconds()) if s.duration is not None else "—")
    c4.metric("Ended", s.end_reason.replace("_", " "))
    if s.extra.get("batch"):
        st.caption(f"Analysed by batch {s.extra['batch']} from {s.extra.get('source_path') or s.video_name}")
    if not detail.reps:
        st.caption("No reps in this session.")
        return
    angle_name = REGISTRY[s.exercise].primary.label() if s.exercise in REGISTRY else "angle"
    title = f"{history_exercise_label(s.exercise)}: {angle_name}"
    st.plotly_chart(charts.session_chart(detail.reps, s.extra.get("trace"), title), width="stretch", key="h-session")
    st.table(rep_table(detail.reps))
