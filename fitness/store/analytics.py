"""History analytics, answered by the database.

Filtering (profiles, exercises, date range), per-session and per-day aggregates and cue counts
are SQL: each question is one statement whatever the number of sessions, and only its few
result rows reach Python, where they become the frames the charts draw. The functions take
an open connection; :class:`~fitness.store.store.SessionStore` runs them in transactions.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.engine.fields import columns
from fitness.engine.values import LEGACY_CUE, Rep, SetResult
from fitness.errors import StorageError
from fitness.store.localtime import day_number, day_of_number, local_day
from fitness.store.recorder import EndReason
from fitness.store.rows import item_from_row, profile_key, rep_from_row, set_from_row
from fitness.store.schema import (
    REP_INDEX,
    SET_INDEX,
    cues,
    item_columns,
    list_columns,
    plans,
    profiles,
    rep_lists,
    reps,
    sessions,
    set_breaks,
    sets,
)
from fitness.store.values import HistoryChoices, HistoryView, Selection, SessionSummary

if TYPE_CHECKING:
    import pandas as pd

DAY_COLUMNS: Final = ["day", "exercise", "sessions", "reps", "good", "good_share"]
SESSION_COLUMNS: Final = [
    "session_id",
    "started_at",
    "day",
    "profile",
    "exercise",
    "reps",
    "good",
    "good_share",
    "mean_rom_deg",
    "mean_eccentric_ms",
    "mean_concentric_ms",
    "mean_duration_ms",
]
GOOD_COLUMNS: Final = SESSION_COLUMNS[:8]
TREND_COLUMNS: Final = SESSION_COLUMNS[:6] + SESSION_COLUMNS[8:]
CUE_COLUMNS: Final = ["exercise", "cue", "count", "reps", "share"]
# By workout: per week (its Monday) and exercise; personal records; the longest hold per day.
WEEK_COLUMNS: Final = ["week", "exercise", "sets", "reps", "hold_s"]
RECORD_COLUMNS: Final = ["exercise", "record", "value", "unit", "day"]
HOLD_COLUMNS: Final = ["day", "exercise", "hold_s"]
# 1970-01-01 was a Thursday: day number d's Monday is d - (d + 3) % 7.
MONDAY_SHIFT: Final = 3
# One session's reps: every field of a rep (and its duration), as the Rep defines them.
REP_COLUMNS: Final = [c.name for c in columns(Rep)]


# -- statements ---------------------------------------------------------------------------------


def _keys(names: Sequence[str]) -> list[str]:
    """The profile keys of ``names`` ("Alice" finds alice's sessions); a name no profile can
    have (empty, too long) finds nothing."""
    keys = []
    for name in names:
        try:
            keys.append(profile_key(name))
        except StorageError:
            continue
    return keys


def where(sel: Selection) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of ``sel`` over ``sessions`` joined with ``profiles``."""
    clauses: list[sa.ColumnElement[bool]] = []
    if sel.profiles is not None:
        clauses.append(profiles.c.name_key.in_(_keys(sel.profiles)))
    if sel.exercises is not None:
        # A workout is selected by any of its sets' exercises (or, before its first set, its own).
        other = sets.alias("picked_sets")  # not the sets a query may already join
        has_set = sa.select(other.c.id).where(other.c.session_id == sessions.c.id, other.c.exercise.in_(sel.exercises))
        clauses.append(sa.or_(sessions.c.exercise.in_(sel.exercises), has_set.exists()))
    if sel.since is not None:
        clauses.append(sessions.c.started_at >= sel.since)
    if sel.until is not None:
        clauses.append(sessions.c.started_at < sel.until)
    return clauses


_GOOD = sa.func.coalesce(sa.func.sum(sa.case((reps.c.verdict == "good", 1), else_=0)), 0)
_RECORDED = sa.func.count(reps.c.id)
# A session's count: corrected by hand, else its recorded reps (sessions GROUP BY their id).
_COUNT = sa.func.coalesce(sessions.c.corrected_reps, _RECORDED)


# A workout's sets, and those that did an item of its plan: subqueries, so that joining the
# sets does not multiply the reps the aggregates count.
_SET_COUNT = sa.select(sa.func.count(sets.c.id)).where(sets.c.session_id == sessions.c.id).scalar_subquery()
_PLAN_DONE = (
    sa.select(sa.func.count(sets.c.id))
    .where(sets.c.session_id == sessions.c.id, sets.c.plan_item_id.is_not(None))
    .scalar_subquery()
)


def _mean(column: Any) -> sa.ColumnElement[float]:
    return sa.cast(sa.func.avg(column), sa.Double)


def summary_select(*, with_extra: bool = True) -> sa.Select[Any]:
    """Sessions with their rep aggregates, newest first (extra data only ``with_extra``)."""
    return (
        sa.select(
            sessions.c.id,
            profiles.c.name.label("profile"),
            sessions.c.exercise,
            sessions.c.source,
            sessions.c.model_variant,
            sessions.c.video_name,
            sessions.c.started_at,
            sessions.c.ended_at,
            sessions.c.end_reason,
            sessions.c.notes,
            sessions.c.corrected_reps,
            sessions.c.correction_note,
            (sessions.c.extra_json if with_extra else sa.null()).label("extra_json"),
            _RECORDED.label("recorded_count"),
            _GOOD.label("good_count"),
            _mean(reps.c.rom_deg).label("mean_rom"),
            _mean(reps.c.eccentric_ms).label("mean_ecc"),
            _mean(reps.c.concentric_ms).label("mean_con"),
            _mean(reps.c.end_ms - reps.c.start_ms).label("mean_dur"),
            _SET_COUNT.label("set_count"),
            _PLAN_DONE.label("plan_sets_done"),
            sessions.c.plan_id,
            sessions.c.planned_sets,
            plans.c.name.label("plan_name"),
        )
        .select_from(sessions.join(profiles).outerjoin(reps).outerjoin(plans, plans.c.id == sessions.c.plan_id))
        .group_by(sessions.c.id, profiles.c.name, plans.c.name)
        .order_by(sessions.c.started_at.desc(), sessions.c.id.desc())
    )


def _opt_float(value: object) -> float | None:
    return None if value is None else float(cast(Any, value))


def summary(row: sa.Row[Any]) -> SessionSummary:
    return SessionSummary(
        id=int(row.id),
        profile=str(row.profile),
        exercise=str(row.exercise),
        source=str(row.source),
        model_variant=str(row.model_variant),
        video_name=row.video_name,
        started_at=row.started_at,
        ended_at=row.ended_at,
        end_reason=cast(EndReason, row.end_reason),
        notes=row.notes,
        recorded_count=int(row.recorded_count),
        good_count=int(row.good_count),
        corrected_reps=None if row.corrected_reps is None else int(row.corrected_reps),
        correction_note=row.correction_note,
        mean_rom_deg=_opt_float(row.mean_rom),
        mean_eccentric_ms=_opt_float(row.mean_ecc),
        mean_concentric_ms=_opt_float(row.mean_con),
        mean_duration_ms=_opt_float(row.mean_dur),
        extra=json.loads(row.extra_json or "{}"),
        set_count=int(row.set_count or 0),
        plan_id=None if row.plan_id is None else int(row.plan_id),
        plan_name=row.plan_name,
        planned_sets=None if row.planned_sets is None else int(row.planned_sets),
        plan_sets_done=int(row.plan_sets_done or 0),
    )


def session_summaries(
    conn: Connection, sel: Selection, *, with_extra: bool = True, limit: int | None = None
) -> list[SessionSummary]:
    """The selected sessions, newest first: one statement."""
    stmt = summary_select(with_extra=with_extra).where(*where(sel))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [summary(row) for row in conn.execute(stmt)]


SetKey = tuple[int, int]  # (session id, rep index) or (session id, set index)


def load_reps(
    conn: Connection, clauses: Sequence[sa.ColumnElement[bool]], set_of: dict[SetKey, SetKey] | None = None
) -> dict[int, list[Rep]]:
    """Reps of the sessions matching ``clauses``, grouped by session id, in rep order: one
    statement for the reps and one per list field of a rep (its cues). ``set_of``, if given,
    is filled with each rep's set (its id and index) by session id and rep index."""
    items: dict[str, dict[int, list[object]]] = {}
    for col in list_columns():
        table = rep_lists[col.name]
        names = [name for name, _ in item_columns(col)]
        rows = conn.execute(
            sa.select(table.c.rep_id, *(table.c[n] for n in names))
            .select_from(table.join(reps).join(sessions).join(profiles))
            .where(*clauses)
            .order_by(table.c.rep_id, table.c.position)
        ).all()
        by_rep: dict[int, list[object]] = defaultdict(list)
        for row in rows:
            by_rep[int(row.rep_id)].append(item_from_row(col, row._mapping))
        items[col.name] = by_rep
    rows = conn.execute(
        sa.select(reps, sets.c[SET_INDEX])
        .select_from(reps.join(sessions).join(profiles).outerjoin(sets, reps.c.set_id == sets.c.id))
        .where(*clauses)
        .order_by(reps.c.session_id, reps.c[REP_INDEX])
    ).all()
    out: dict[int, list[Rep]] = defaultdict(list)
    for r in rows:
        rep_id = int(r.id)
        found = {name: by_rep.get(rep_id, ()) for name, by_rep in items.items()}
        out[int(r.session_id)].append(rep_from_row(r._mapping, found))
        if set_of is not None and r.set_id is not None:
            set_of[(int(r.session_id), int(r._mapping[REP_INDEX]))] = (int(r.set_id), int(r._mapping[SET_INDEX]))
    return out


def load_sets(
    conn: Connection,
    clauses: Sequence[sa.ColumnElement[bool]],
    reps_of: Mapping[int, Sequence[Rep]],
    set_of: Mapping[SetKey, SetKey],
) -> tuple[dict[int, list[SetResult]], dict[SetKey, int]]:
    """The sets of the sessions matching ``clauses``, by session id and in order, each with its
    reps (``reps_of`` and ``set_of`` from :func:`load_reps`) and breaks; and each set's id by
    session id and set index: two statements."""
    rows = conn.execute(
        sa.select(sets)
        .select_from(sets.join(sessions).join(profiles))
        .where(*clauses)
        .order_by(sets.c.session_id, sets.c[SET_INDEX])
    ).all()
    breaks: dict[int, list[Any]] = defaultdict(list)
    for b in conn.execute(
        sa.select(set_breaks)
        .select_from(set_breaks.join(sets).join(sessions).join(profiles))
        .where(*clauses)
        .order_by(set_breaks.c.set_id, set_breaks.c.position)
    ):
        breaks[int(b.set_id)].append(b._mapping)
    members: dict[int, list[Rep]] = defaultdict(list)
    for session_id, found in reps_of.items():
        for rep in found:
            found_in = set_of.get((session_id, rep.index))
            if found_in is not None:
                members[found_in[0]].append(rep)
    out: dict[int, list[SetResult]] = defaultdict(list)
    ids: dict[SetKey, int] = {}
    for r in rows:
        session_id, set_id = int(r.session_id), int(r.id)
        out[session_id].append(set_from_row(r._mapping, members.get(set_id, []), breaks.get(set_id, [])))
        ids[(session_id, int(r._mapping[SET_INDEX]))] = set_id
    return out, ids


def started_span(conn: Connection, sel: Selection) -> tuple[datetime, datetime] | None:
    """The first and last start among the selected sessions (None: no session): one statement."""
    first: datetime | None
    last: datetime | None
    first, last = conn.execute(
        sa.select(sa.func.min(sessions.c.started_at), sa.func.max(sessions.c.started_at))
        .select_from(sessions.join(profiles))
        .where(*where(sel))
    ).one()
    if first is None or last is None:
        return None
    return first, last


def day_totals(conn: Connection, sel: Selection, span: tuple[datetime, datetime] | None) -> list[dict[str, object]]:
    """Sessions, reps and good reps per local day and exercise, oldest first: one statement.
    ``span`` (first and last start of the selected sessions) bounds the range whose UTC
    offsets the local day needs. ``reps`` counts corrected sessions at their corrected count;
    ``good_share`` is the share of the recorded reps with good form."""
    if span is None:
        return []
    first, last = span
    # Per workout and exercise: a workout of squats and push-ups adds to both.
    exercise = sa.func.coalesce(sets.c.exercise, sessions.c.exercise)
    per_session = (
        sa.select(
            day_number(sessions.c.started_at, conn.dialect.name, first, last, sel.tz).label("day"),
            exercise.label("exercise"),
            _COUNT.label("reps"),
            _RECORDED.label("recorded"),
            _GOOD.label("good"),
        )
        .select_from(sessions.join(profiles).outerjoin(sets).outerjoin(reps, reps.c.set_id == sets.c.id))
        .where(*where(sel), *_set_exercise(sel, exercise))
        .group_by(sessions.c.id, exercise)
        .subquery()
    )
    stmt = (
        sa.select(
            per_session.c.day,
            per_session.c.exercise,
            sa.func.count().label("sessions"),
            sa.func.sum(per_session.c.reps).label("reps"),
            sa.func.sum(per_session.c.good).label("good"),
            sa.func.sum(per_session.c.recorded).label("recorded"),
        )
        .group_by(per_session.c.day, per_session.c.exercise)
        .order_by(per_session.c.day, per_session.c.exercise)
    )
    return [
        {
            "day": day_of_number(day),
            "exercise": str(ex),
            "sessions": int(n),
            "reps": int(r),
            "good": int(g),
            "good_share": _share(int(g), int(recorded)),
        }
        for day, ex, n, r, g, recorded in conn.execute(stmt)
    ]


def _set_exercise(sel: Selection, column: Any) -> list[sa.ColumnElement[bool]]:
    """Within the selected workouts, only the sets of the selected exercises count."""
    return [] if sel.exercises is None else [column.in_(sel.exercises)]


def _per_set(conn: Connection, sel: Selection, span: tuple[datetime, datetime]) -> sa.Subquery:
    """One row per selected set: its exercise, local day, start, reps (a corrected one-set
    workout's corrected count) and seconds held."""
    first, last = span
    return (
        sa.select(
            sets.c.id,
            sets.c.exercise,
            sessions.c.started_at,
            day_number(sessions.c.started_at, conn.dialect.name, first, last, sel.tz).label("day"),
            sa.func.coalesce(sessions.c.corrected_reps, sa.func.count(reps.c.id)).label("reps"),
            sets.c.hold_ms,
        )
        .select_from(sets.join(sessions).join(profiles).outerjoin(reps, reps.c.set_id == sets.c.id))
        .where(*where(sel), *_set_exercise(sel, sets.c.exercise))
        .group_by(sets.c.id, sessions.c.id)
        .subquery()
    )


def weekly_volume(conn: Connection, sel: Selection, span: tuple[datetime, datetime] | None) -> list[dict[str, object]]:
    """Sets, reps and seconds held per week (from its Monday, local days) and exercise, oldest
    first: one statement."""
    if span is None:
        return []
    per_set = _per_set(conn, sel, span)
    week = (per_set.c.day - (per_set.c.day + MONDAY_SHIFT) % 7).label("week")
    stmt = (
        sa.select(
            week,
            per_set.c.exercise,
            sa.func.count(),
            sa.func.sum(per_set.c.reps),
            sa.func.coalesce(sa.func.sum(per_set.c.hold_ms), 0),
        )
        .group_by(week, per_set.c.exercise)
        .order_by(week, per_set.c.exercise)
    )
    return [
        {"week": day_of_number(w), "exercise": str(ex), "sets": int(n), "reps": int(r), "hold_s": int(h) / 1000.0}
        for w, ex, n, r, h in conn.execute(stmt)
    ]


def personal_records(
    conn: Connection, sel: Selection, span: tuple[datetime, datetime] | None
) -> list[dict[str, object]]:
    """Per exercise: the most reps in one set and the longest hold, each with the day it was
    first reached: one statement (window functions)."""
    if span is None:
        return []
    per_set = _per_set(conn, sel, span)
    ranked = sa.select(
        per_set.c.exercise,
        per_set.c.reps,
        per_set.c.hold_ms,
        per_set.c.day,
        sa.func.row_number()
        .over(partition_by=per_set.c.exercise, order_by=(per_set.c.reps.desc(), per_set.c.started_at))
        .label("by_reps"),
        sa.func.row_number()
        .over(
            partition_by=per_set.c.exercise,
            order_by=(sa.func.coalesce(per_set.c.hold_ms, -1).desc(), per_set.c.started_at),
        )
        .label("by_hold"),
    ).subquery()
    stmt = sa.select(ranked).where(sa.or_(ranked.c.by_reps == 1, ranked.c.by_hold == 1))
    out: list[dict[str, object]] = []
    for r in conn.execute(stmt):
        day = day_of_number(r.day)
        if r.by_reps == 1 and int(r.reps) > 0:
            out.append({"exercise": str(r.exercise), "record": "most reps in a set", "value": int(r.reps),
                        "unit": "reps", "day": day})  # fmt: skip
        if r.by_hold == 1 and r.hold_ms is not None:
            out.append({"exercise": str(r.exercise), "record": "longest hold", "value": int(r.hold_ms) / 1000.0,
                        "unit": "s", "day": day})  # fmt: skip
    out.sort(key=lambda d: (str(d["exercise"]), str(d["record"])))
    return out


def longest_holds(conn: Connection, sel: Selection, span: tuple[datetime, datetime] | None) -> list[dict[str, object]]:
    """The longest hold per local day and hold exercise, oldest first: one statement."""
    if span is None:
        return []
    per_set = _per_set(conn, sel, span)
    stmt = (
        sa.select(per_set.c.day, per_set.c.exercise, sa.func.max(per_set.c.hold_ms))
        .where(per_set.c.hold_ms.is_not(None))
        .group_by(per_set.c.day, per_set.c.exercise)
        .order_by(per_set.c.day, per_set.c.exercise)
    )
    return [
        {"day": day_of_number(d), "exercise": str(ex), "hold_s": int(h) / 1000.0} for d, ex, h in conn.execute(stmt)
    ]


def cue_counts(conn: Connection, sel: Selection) -> list[dict[str, object]]:
    """How many reps of each exercise drew each cue, beside that exercise's total of recorded
    reps (the ones the coach watched: reps added by a hand correction drew no cue, so they do
    not dilute the share); most frequent first within an exercise: one statement.

    Cues are told apart by their id (a rule's cue reads the same every time; one judged against
    the person's own first reps says by how much); a cue saved before cues had ids, by its text.
    ``cue`` is the cue's text when all of its cues read alike, else its id in words.
    """
    picked = (*where(sel), *_set_exercise(sel, sets.c.exercise))
    totals = (
        sa.select(sets.c.exercise, sa.func.count(reps.c.id).label("reps"))
        .select_from(reps.join(sets, reps.c.set_id == sets.c.id).join(sessions).join(profiles))
        .where(*picked)
        .group_by(sets.c.exercise)
        .subquery()
    )
    key = sa.case((cues.c.cue_id == LEGACY_CUE, cues.c.text), else_=cues.c.cue_id)
    stmt = (
        sa.select(
            sets.c.exercise,
            key,
            sa.func.min(cues.c.text),
            sa.func.max(cues.c.text),
            sa.func.count(sa.distinct(cues.c.rep_id)),
            totals.c.reps,
        )
        .select_from(
            cues.join(reps)
            .join(sets, reps.c.set_id == sets.c.id)
            .join(sessions)
            .join(profiles)
            .join(totals, totals.c.exercise == sets.c.exercise)
        )
        .where(*picked)
        .group_by(sets.c.exercise, key, totals.c.reps)
    )
    counted = [
        (str(ex), str(lo) if lo == hi else str(k).replace("_", " ").capitalize(), int(n), int(total))
        for ex, k, lo, hi, n, total in conn.execute(stmt)
    ]
    # Sorted here, not in SQL: text collation differs between SQLite and PostgreSQL.
    counted.sort(key=lambda t: (t[0], -t[2], t[1]))
    return [
        {"exercise": ex, "cue": cue, "count": n, "reps": total, "share": _share(n, total)}
        for ex, cue, n, total in counted
    ]


def choices(conn: Connection) -> HistoryChoices:
    """Profiles and exercises that have sessions, the first and last start, and every profile's
    number of sessions: one statement."""
    rows = conn.execute(
        sa.select(
            profiles.c.name,
            sessions.c.exercise,
            sa.func.count(sessions.c.id),
            sa.func.min(sessions.c.started_at),
            sa.func.max(sessions.c.started_at),
        )
        .select_from(profiles.outerjoin(sessions))
        .group_by(profiles.c.name, sessions.c.exercise)
    ).all()
    sessions_of: dict[str, int] = defaultdict(int)
    for name, _exercise, count, _first, _last in rows:
        sessions_of[str(name)] += int(count)
    trained = [r for r in rows if r[1] is not None]
    firsts = [r[3] for r in trained]
    lasts = [r[4] for r in trained]
    return HistoryChoices(
        profiles=tuple(sorted({str(r[0]) for r in trained})),
        exercises=tuple(sorted({str(r[1]) for r in trained})),
        first=min(firsts) if firsts else None,
        last=max(lasts) if lasts else None,
        sessions_of=dict(sorted(sessions_of.items(), key=lambda kv: (kv[0].casefold(), kv[0]))),
    )


def history(conn: Connection, sel: Selection) -> HistoryView:
    """Everything the History page draws for ``sel``: six statements (workouts, days, cues,
    weeks, records, holds) however many workouts match."""
    found = session_summaries(conn, sel, with_extra=False)
    span = (min(s.started_at for s in found), max(s.started_at for s in found)) if found else None
    return HistoryView(
        selection=sel,
        sessions=tuple(found),
        per_day=frame(day_totals(conn, sel, span), DAY_COLUMNS),
        per_session=session_frame(found, sel),
        cues=frame(cue_counts(conn, sel), CUE_COLUMNS),
        weekly=frame(weekly_volume(conn, sel, span), WEEK_COLUMNS),
        records=frame(personal_records(conn, sel, span), RECORD_COLUMNS),
        holds=frame(longest_holds(conn, sel, span), HOLD_COLUMNS),
    )


def per_day_frame(conn: Connection, sel: Selection) -> pd.DataFrame:
    """``DAY_COLUMNS``: two statements (the span of the selection, then the day totals)."""
    return frame(day_totals(conn, sel, started_span(conn, sel)), DAY_COLUMNS)


def cue_frame(conn: Connection, sel: Selection) -> pd.DataFrame:
    """``CUE_COLUMNS``: one statement."""
    return frame(cue_counts(conn, sel), CUE_COLUMNS)


# -- frames (pure: rows in, frame out) ------------------------------------------------------------


def frame(rows: Sequence[Mapping[str, object]], names: Sequence[str]) -> pd.DataFrame:
    import pandas as pd  # only the chart paths pay for importing pandas

    return pd.DataFrame(list(rows), columns=list(names))


def _share(good: int, total: int) -> float:
    return good / total if total else math.nan


def session_frame(found: Sequence[SessionSummary], sel: Selection) -> pd.DataFrame:
    """One row per session (``SESSION_COLUMNS``), oldest first."""
    rows = [
        {
            "session_id": s.id,
            "started_at": s.started_at,
            "day": local_day(s.started_at, sel.tz),
            "profile": s.profile,
            "exercise": s.exercise,
            "reps": s.rep_count,
            "good": s.good_count,
            "good_share": _share(s.good_count, s.recorded_count),
            "mean_rom_deg": s.mean_rom_deg,
            "mean_eccentric_ms": s.mean_eccentric_ms,
            "mean_concentric_ms": s.mean_concentric_ms,
            "mean_duration_ms": s.mean_duration_ms,
        }
        for s in sorted(found, key=lambda s: (s.started_at, s.id))
    ]
    return frame(rows, SESSION_COLUMNS)


def good_share_frame(per_session: pd.DataFrame) -> pd.DataFrame:
    return per_session[GOOD_COLUMNS].reset_index(drop=True)


def trends_frame(per_session: pd.DataFrame) -> pd.DataFrame:
    """Sessions with recorded reps only: a session without any (even one whose count was
    corrected by hand) has no mean to draw."""
    return per_session.loc[per_session["mean_rom_deg"].notna(), TREND_COLUMNS].reset_index(drop=True)


def rep_frame(found: Sequence[Rep]) -> pd.DataFrame:
    """``REP_COLUMNS``: every field of each rep (lists joined with ``"; "``) and its duration."""
    cols = columns(Rep)
    return frame([{c.name: c.csv_value(c.get(rep)) for c in cols} for rep in found], REP_COLUMNS)
