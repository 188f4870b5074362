"""Plotly figures for the pages (no ``st.*``: they build figures, the pages show them)."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from fitness.app.common import VERDICT_COLOUR, history_exercise_label
from fitness.engine.fatigue import rep_losses
from fitness.engine.values import Rep, SetResult
from fitness.pipeline.stream import AnalysisResult

log = logging.getLogger("fitness.app")


def angle_chart(result: AnalysisResult) -> go.Figure:
    t, a = result.angle_series()
    spec = result.spec
    return trace_figure(
        [float(x) / 1000 for x in t],
        [None if pd.isna(y) else float(y) for y in a],
        result.reps,
        f"{spec.name}: {spec.primary.label()} over time" if spec is not None else "No exercise found",
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
                text=["; ".join(map(str, r.cues)) for r in cued],
                hovertemplate="%{text}<extra>rep cue</extra>",
            )
        )
    fig.update_layout(
        title=title_under_toolbar(title),
        xaxis_title="time (s)",
        yaxis_title="angle (°)",
        height=360,
        margin={"l": 10, "r": 10, "t": TOP_MARGIN_PX, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


# Plotly's toolbar (zoom, download...) sits in the top ~30 px at the right, and a centred title
# runs under it on a narrow (phone) screen. The title goes left, just above the plot area, in a
# top margin tall enough for both.
TOP_MARGIN_PX = 76


def title_under_toolbar(text: str) -> dict[str, Any]:
    """A chart title that the toolbar never covers (use with a top margin of ``TOP_MARGIN_PX``)."""
    return {"text": text, "x": 0, "xanchor": "left", "xref": "paper", "y": 1, "yanchor": "bottom",
            "yref": "paper", "pad": {"b": 12}}  # fmt: skip


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


def rep_bars(reps: Sequence[Rep]) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[r.index for r in reps],
            y=[r.rom_deg for r in reps],
            marker_color=[VERDICT_COLOUR.get(r.verdict, "#999") for r in reps],
            text=["; ".join(map(str, r.cues)) for r in reps],
            hovertemplate="rep %{x}: %{y:.0f}°<br>%{text}<extra></extra>",
        )
    )
    return _small(fig, "Range of motion per rep (green good, orange needs work)", "degrees").update_xaxes(
        title="rep", dtick=1
    )


# -- History ------------------------------------------------------------------------------------
# Each takes a frame the store computed (fitness.store.analytics) and only draws it.

TOP_CUES = 10  # bars in the cue chart: beyond ten, a cue is rare enough not to matter


def reps_per_day_chart(per_day: pd.DataFrame) -> go.Figure:
    """Reps per local day, stacked by exercise (``DAY_COLUMNS``)."""
    fig = go.Figure()
    for ex, part in per_day.groupby("exercise"):
        # A bar at noon sits in the middle of its day on a date axis.
        days = [datetime.combine(d, datetime.min.time()) + timedelta(hours=12) for d in part["day"]]
        fig.add_trace(
            go.Bar(
                x=days,
                y=part["reps"],
                width=DAY_MS * 0.7,
                name=history_exercise_label(str(ex)),
                marker_color=EXERCISE_COLOURS.get(str(ex)),
            )
        )
    fig.update_layout(barmode="stack")
    fig = _time_axis(fig, [datetime.combine(d, datetime.min.time()) for d in per_day["day"]])
    return _small(fig, "Reps per day", "reps")


def _watched(per_session: pd.DataFrame) -> pd.DataFrame:
    """Sessions with reps the coach recorded (those have a form share and means to draw)."""
    return per_session[per_session["mean_rom_deg"].notna()]


def good_share_chart(per_session: pd.DataFrame) -> go.Figure:
    """Share of good reps per session (``SESSION_COLUMNS``), sessions without recorded reps left
    out (a count corrected by hand says nothing about form)."""
    fig = _session_lines(_watched(per_session), [TrendLine("good_share", scale=100)])
    fig.update_yaxes(range=[0, 105])
    return _time_axis(_small(fig, "Share of good reps per session", "% good"), _local(per_session["started_at"]))


def rom_chart(per_session: pd.DataFrame) -> go.Figure:
    fig = _session_lines(_watched(per_session), [TrendLine("mean_rom_deg")])
    fig.update_yaxes(rangemode="tozero")
    return _time_axis(_small(fig, "Range of motion (session mean)", "degrees"), _local(per_session["started_at"]))


def tempo_chart(per_session: pd.DataFrame) -> go.Figure:
    fig = _session_lines(
        _watched(per_session),
        [
            TrendLine("mean_eccentric_ms", scale=0.001, hover="down: %{y:.1f} s"),
            TrendLine("mean_concentric_ms", scale=0.001, dash="dot", hover="up: %{y:.1f} s"),
        ],
    )
    fig.update_yaxes(rangemode="tozero")
    return _time_axis(_small(fig, "Tempo (down solid, up dotted)", "seconds"), _local(per_session["started_at"]))


def cue_chart(cue_counts: pd.DataFrame) -> go.Figure | None:
    """The most frequent cues (``CUE_COLUMNS``): reps that drew each, stacked by exercise
    (a cue two exercises share is one bar); None when no rep drew a cue."""
    if cue_counts.empty:
        return None
    totals = cue_counts.groupby("cue")["count"].sum().sort_values(kind="stable")
    top = list(totals.index[-TOP_CUES:])
    fig = go.Figure()
    for ex, part in cue_counts[cue_counts["cue"].isin(top)].groupby("exercise"):
        fig.add_trace(
            go.Bar(
                x=part["count"],
                y=part["cue"],
                orientation="h",
                name=history_exercise_label(str(ex)),
                marker_color=EXERCISE_COLOURS.get(str(ex), "#d9534f"),
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=top)
    fig = _small(fig, "Most frequent cues (reps that drew each)", "")
    fig.update_layout(height=120 + 28 * len(top))
    return fig


def session_chart(reps: Sequence[Rep], trace: object, title: str) -> go.Figure:
    """One session: its saved angle trace with the reps shaded, else (no trace was kept) the
    range of motion of each rep."""
    if isinstance(trace, dict) and trace.get("t_ms"):
        return trace_figure([t / 1000 for t in trace["t_ms"]], trace["angle"], reps, title)
    return rep_bars(reps)


# -- Workouts -----------------------------------------------------------------------------------


def sets_timeline(sets: Sequence[SetResult], duration_s: float, title: str = "Sets") -> go.Figure:
    """A workout on one time axis: each set a bar on its exercise's row (rests are the gaps),
    each rep a mark at its turning point, a hold's bar labelled with the time held."""
    fig = go.Figure()
    rows = list(dict.fromkeys(history_exercise_label(s.exercise) for s in sets))
    for found in sets:
        row = history_exercise_label(found.exercise)
        colour = EXERCISE_COLOURS.get(found.exercise, "#4a6fe3")
        label = f"{found.hold_s:.1f} s held" if found.hold_s is not None else f"{len(found.reps)} reps"
        fig.add_trace(
            go.Bar(
                x=[found.duration_ms / 1000],
                base=[found.start_ms / 1000],
                y=[row],
                orientation="h",
                marker_color=colour,
                opacity=0.35,
                name=f"set {found.index}",
                text=[f"set {found.index}: {label}"],
                textposition="inside",
                insidetextanchor="start",
                hovertemplate=f"set {found.index}: {row}, {label}<br>%{{base:.1f}}-{found.end_ms / 1000:.1f} s"
                + "<extra></extra>",
                showlegend=False,
            )
        )
        if found.reps:
            fig.add_trace(
                go.Scatter(
                    x=[r.bottom_ms / 1000 for r in found.reps],
                    y=[row] * len(found.reps),
                    mode="markers",
                    marker={"symbol": "line-ns-open", "size": 18, "line": {"width": 3},
                            "color": [VERDICT_COLOUR.get(r.verdict, "#999") for r in found.reps]},
                    text=[f"rep {r.index}" for r in found.reps],
                    hovertemplate="%{text} at %{x:.1f} s<extra></extra>",
                    showlegend=False,
                )
            )  # fmt: skip
    fig.update_layout(
        title=title_under_toolbar(title),
        barmode="overlay",
        height=140 + 50 * max(1, len(rows)),
        margin={"l": 10, "r": 10, "t": TOP_MARGIN_PX, "b": 10},
        xaxis_title="time (s)",
    )
    fig.update_xaxes(range=[0, max(duration_s, max((s.end_ms for s in sets), default=0) / 1000)])
    fig.update_yaxes(categoryorder="array", categoryarray=rows[::-1])
    return fig


def fatigue_chart(sets: Sequence[SetResult], stop_at_pct: float = 20.0) -> go.Figure | None:
    """Velocity loss of each rep against the first reps of its set, one line per set, with the
    usual stop line (None when no set has reps to compare)."""
    fig = go.Figure()
    for found in sets:
        losses = rep_losses(found.reps, by_side=found.alternating)
        if len(losses) < 2:
            continue
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(losses) + 1)),
                y=[100 * v for v in losses.values()],
                mode="lines+markers",
                name=f"set {found.index} ({history_exercise_label(found.exercise)})",
                hovertemplate="rep %{x}: %{y:.0f}% slower<extra></extra>",
            )
        )
    if not fig.data:
        return None
    fig.add_hline(y=stop_at_pct, line_dash="dash", line_color="#d9534f", annotation_text=f"{stop_at_pct:.0f}% loss")
    fig = _small(fig, "Velocity loss: each rep's lifting time against the set's first reps", "% slower")
    return fig.update_xaxes(title="rep of the set", dtick=1)


def weekly_volume_chart(weekly: pd.DataFrame) -> go.Figure:
    """Reps per week (``WEEK_COLUMNS``), stacked by exercise; a hold's weekly seconds in its hover."""
    fig = go.Figure()
    for ex, part in weekly.groupby("exercise"):
        fig.add_trace(
            go.Bar(
                x=[datetime.combine(w, datetime.min.time()) for w in part["week"]],
                y=part["reps"] if part["hold_s"].sum() == 0 else part["hold_s"],
                name=history_exercise_label(str(ex)) + ("" if part["hold_s"].sum() == 0 else " (s held)"),
                marker_color=EXERCISE_COLOURS.get(str(ex)),
                customdata=part["sets"],
                hovertemplate="week of %{x|%-d %b}: %{y} in %{customdata} sets<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat="%-d %b", dtick=7 * DAY_MS)
    return _small(fig, "Weekly volume (reps; holds in seconds)", "reps / s")


def holds_chart(holds: pd.DataFrame) -> go.Figure | None:
    """The longest hold per day (``HOLD_COLUMNS``); None without holds."""
    if holds.empty:
        return None
    fig = go.Figure()
    for ex, part in holds.groupby("exercise"):
        fig.add_trace(
            go.Scatter(
                x=[datetime.combine(d, datetime.min.time()) + timedelta(hours=12) for d in part["day"]],
                y=part["hold_s"],
                mode="lines+markers",
                name=history_exercise_label(str(ex)),
                marker_color=EXERCISE_COLOURS.get(str(ex)),
            )
        )
    fig.update_yaxes(rangemode="tozero")
    return _time_axis(_small(fig, "Longest hold per day", "seconds"), [datetime.combine(d, datetime.min.time())
                                                                         for d in holds["day"]])  # fmt: skip


def calendar_chart(days: Sequence[Any], weeks: int = 12) -> go.Figure:
    """Training days of the last ``weeks`` weeks as a calendar (a column per week, Monday on
    top), the newest week on the right."""
    from datetime import date

    trained = set(days)
    end = max(trained) if trained else date.today()
    monday = end - timedelta(days=end.weekday())
    starts = [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    z = [[1 if s + timedelta(days=d) in trained else 0 for s in starts] for d in range(7)]
    text = [[(s + timedelta(days=d)).strftime("%a %-d %b") for s in starts] for d in range(7)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[s.strftime("%-d %b") for s in starts],
            y=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            text=text,
            colorscale=[[0, "#eef1f6"], [1, "#2e9e5b"]],
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig = _small(fig, f"Training days ({len(trained)} in all)", "")
    return fig.update_layout(height=260)
