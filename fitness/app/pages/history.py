"""The History page: charts over the saved sessions, one session's detail, CSV."""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from fitness.app.charts import (
    DAY_MS,
    EXERCISE_COLOURS,
    TrendLine,
    _local,
    _session_lines,
    _small,
    _time_axis,
    rep_bars,
    trace_figure,
)
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
from fitness.engine.values import Rep
from fitness.errors import FitnessError
from fitness.store.store import CSV_COLUMNS, SessionSummary, csv_row

log = logging.getLogger("fitness.app")

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


def date_range(picked: Any, first_day: date) -> tuple[date, date]:
    """``st.date_input`` gives one date while the second is being picked."""
    if isinstance(picked, Sequence) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, Sequence) and len(picked) == 1:
        return picked[0], date.today()
    if isinstance(picked, date):
        return picked, date.today()
    return first_day, date.today()



def history_charts(chosen: Sequence[SessionSummary], details: dict[int, tuple[Rep, ...]]) -> None:
    from fitness.store.store import good_share_frame, reps_per_day_frame, trends_frame

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



def history_csv(chosen: Sequence[SessionSummary], details: dict[int, tuple[Rep, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in sorted(chosen, key=lambda x: (x.started_at, x.id)):
        for rep in details.get(s.id, ()):
            writer.writerow(csv_row(s, rep))
    return out.getvalue().encode()


