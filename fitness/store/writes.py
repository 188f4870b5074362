"""Recording workouts: what :class:`~fitness.store.store.SessionStore` writes as a workout
happens (a session, its sets, each rep as it completes) or all at once (a finished workout).

Values are checked and turned into rows (:mod:`fitness.store.rows`) before any transaction;
these functions write them within one. A rep or set whose index is already saved in its
session is refused, so a retried write never counts twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.engine.values import LoadUnit, Rep, SetResult
from fitness.errors import StorageError
from fitness.store import plans
from fitness.store.liveness import Owner
from fitness.store.lookups import end_reason, session_of_set
from fitness.store.profiles import profile_id
from fitness.store.recorder import EndReason, SessionInfo
from fitness.store.rows import (
    aware,
    break_rows,
    check_info,
    check_reason,
    extra_json,
    now,
    profile_key,
    profile_name,
    rep_items,
    rep_row,
    set_row,
)
from fitness.store.schema import REP_INDEX, SET_INDEX, list_columns, rep_lists, reps, sessions, set_breaks, sets

__all__ = ["FinishedSession", "RepRows", "add_rep", "end_session", "end_set", "set_load", "start_session",
           "start_set"]  # fmt: skip

# A set's reps as rows: each rep's row and the rows of its lists, by list column.
RepRows = Sequence[tuple[dict[str, Any], Mapping[str, list[dict[str, Any]]]]]


@dataclass(frozen=True, slots=True)
class FinishedSession:
    """A finished workout, its sets and their reps, checked and turned into rows before any
    transaction."""

    info: SessionInfo
    extra: str
    end_reason: EndReason
    sets: list[tuple[dict[str, Any], list[dict[str, Any]], RepRows]]
    started_at: datetime
    ended_at: datetime

    @classmethod
    def of(
        cls,
        info: SessionInfo,
        workout: Sequence[SetResult],
        end_reason: EndReason,
        started_at: datetime | None,
        ended_at: datetime | None,
    ) -> FinishedSession:
        extra = check_info(info)
        final = check_reason(end_reason)
        rows = [_set_rows(found) for found in workout]
        set_indexes = [row[SET_INDEX] for row, _, _ in rows]
        if len(set(set_indexes)) != len(set_indexes):
            raise StorageError("two sets share the same index; each set in a workout needs its own")
        indexes = [rep[REP_INDEX] for _, _, found in rows for rep, _ in found]
        if len(set(indexes)) != len(indexes):
            raise StorageError("two reps share the same index; each rep in a session needs its own")
        start = aware(started_at, "started_at") or now()
        end = aware(ended_at, "ended_at") or max(start, now())
        return cls(info, extra, final, rows, start, end)

    @property
    def rep_count(self) -> int:
        return sum(len(found) for _, _, found in self.sets)

    def insert(self, conn: Connection) -> int:
        """Write the session, its sets and their reps within ``conn``'s transaction; returns the
        session id."""
        values = _session_values(conn, self.info, self.extra, self.started_at)
        values.update(end_reason=self.end_reason, ended_at=self.ended_at, heartbeat_at=self.ended_at)
        session_id = int(conn.execute(sa.insert(sessions).values(**values).returning(sessions.c.id)).scalar_one())
        for row, breaks, found in self.sets:
            set_id = _insert_set(conn, session_id, row, breaks)
            _insert_reps(conn, session_id, found, set_id)
        return session_id


def start_session(
    conn: Connection, info: SessionInfo, extra: str, when: datetime, *, owner: Owner, plan_id: int | None
) -> int:
    """Insert an ``in_progress`` session owned by ``owner`` (``extra`` checked already); returns its id."""
    values = _session_values(conn, info, extra, when)
    if plan_id is not None:
        values.update(plan_id=plan_id, planned_sets=plans.read_plan(conn, plan_id).planned_sets)
    values.update(
        end_reason="in_progress",
        owner_host=owner.host,
        owner_pid=owner.pid,
        owner_tag=owner.tag,
        heartbeat_at=when,
    )
    return int(conn.execute(sa.insert(sessions).values(**values).returning(sessions.c.id)).scalar_one())


def add_rep(
    conn: Connection,
    session_id: int,
    rep: Rep,
    row: dict[str, Any],
    items: Mapping[str, list[dict[str, Any]]],
    *,
    set_id: int | None,
    extra: Mapping[str, Any] | None,
) -> None:
    """Insert one rep (``row`` and ``items``: its checked rows) into an in-progress session's
    set, stretch the set to cover it, and merge ``extra`` into the session's extra data."""
    _check_recording(conn, session_id)
    target = _set_for_rep(conn, session_id, set_id, rep)
    _insert_reps(conn, session_id, [(row, items)], target)
    conn.execute(
        sa.update(sets)
        .where(sets.c.id == target)
        .values(
            start_ms=sa.func.least(sets.c.start_ms, row["start_ms"])
            if conn.dialect.name != "sqlite"
            else sa.func.min(sets.c.start_ms, row["start_ms"]),
            end_ms=sa.func.greatest(sets.c.end_ms, row["end_ms"])
            if conn.dialect.name != "sqlite"
            else sa.func.max(sets.c.end_ms, row["end_ms"]),
        )
    )
    values: dict[str, Any] = {"heartbeat_at": now()}
    if extra:
        values["extra_json"] = _merged_extra(conn, session_id, extra)
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(**values))


def end_session(
    conn: Connection, session_id: int, final: EndReason, notes: str | None, extra: Mapping[str, Any] | None
) -> None:
    current = end_reason(conn, session_id)
    if current != "in_progress":
        raise StorageError(f"session {session_id} has already ended ({current})")
    values: dict[str, Any] = {"end_reason": final, "ended_at": now(), "heartbeat_at": now()}
    if notes is not None:
        values["notes"] = notes
    if extra:
        values["extra_json"] = _merged_extra(conn, session_id, extra)
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(**values))


def start_set(conn: Connection, session_id: int, opened: SetResult, plan_item_id: int | None) -> int:
    """Insert ``opened`` as the next set of an in-progress session (numbered after its newest);
    returns its id."""
    _check_recording(conn, session_id)
    index = int(conn.scalar(sa.select(sa.func.max(sets.c[SET_INDEX])).where(sets.c.session_id == session_id)) or 0)
    set_id = _insert_set(conn, session_id, set_row(replace(opened, index=index + 1)), [], plan_item_id)
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(heartbeat_at=now()))
    return set_id


def end_set(
    conn: Connection, set_id: int, end_ms: int | None, hold_ms: int | None, breaks: Sequence[dict[str, Any]]
) -> None:
    """Store where a set ended and a hold's time, replacing its breaks by ``breaks`` (rows)."""
    session_of_set(conn, set_id)
    values: dict[str, Any] = {}
    if end_ms is not None:
        values["end_ms"] = end_ms
    if hold_ms is not None:
        values["hold_ms"] = hold_ms
        conn.execute(sa.delete(set_breaks).where(set_breaks.c.set_id == set_id))
        if breaks:
            conn.execute(sa.insert(set_breaks), [{"set_id": set_id, "position": i, **r} for i, r in enumerate(breaks)])
    if values:
        conn.execute(sa.update(sets).where(sets.c.id == set_id).values(**values))


def set_load(conn: Connection, set_id: int, load: float | None, unit: LoadUnit | None) -> None:
    session_of_set(conn, set_id)
    conn.execute(sa.update(sets).where(sets.c.id == set_id).values(load=load, load_unit=unit))


def _check_recording(conn: Connection, session_id: int) -> None:
    reason = end_reason(conn, session_id)
    if reason != "in_progress":
        raise StorageError(f"session {session_id} has already ended ({reason}); start a new one")


def _session_values(conn: Connection, info: SessionInfo, extra: str, started_at: datetime) -> dict[str, Any]:
    return {
        "profile_id": profile_id(conn, profile_name(info.profile), profile_key(info.profile)),
        "exercise": info.exercise,
        "source": info.source,
        "model_variant": info.model_variant,
        "video_name": info.video_name,
        "started_at": started_at,
        "extra_json": extra,
    }


def _merged_extra(conn: Connection, session_id: int, extra: Mapping[str, Any]) -> str:
    stored = conn.scalar(sa.select(sessions.c.extra_json).where(sessions.c.id == session_id))
    current = json.loads(stored or "{}")
    return extra_json({**(current if isinstance(current, dict) else {}), **extra})


def _set_rows(found: SetResult) -> tuple[dict[str, Any], list[dict[str, Any]], RepRows]:
    """A set's row, its breaks' rows and its reps' rows, all checked before any is written."""
    return set_row(found), break_rows(found), [(rep_row(rep), rep_items(rep)) for rep in found.reps]


def _insert_set(
    conn: Connection,
    session_id: int,
    row: dict[str, Any],
    breaks: list[dict[str, Any]],
    plan_item_id: int | None = None,
) -> int:
    taken = conn.scalar(
        sa.select(sets.c.id).where(sets.c.session_id == session_id, sets.c[SET_INDEX] == row[SET_INDEX])
    )
    if taken is not None:
        raise StorageError(f"set {row[SET_INDEX]} is already saved in session {session_id}")
    set_id = int(
        conn.execute(
            sa.insert(sets).values(session_id=session_id, plan_item_id=plan_item_id, **row).returning(sets.c.id)
        ).scalar_one()
    )
    if breaks:
        conn.execute(sa.insert(set_breaks), [{"set_id": set_id, "position": i, **b} for i, b in enumerate(breaks)])
    return set_id


def _set_for_rep(conn: Connection, session_id: int, set_id: int | None, rep: Rep) -> int:
    """The set a live rep goes to: ``set_id`` (which must be this session's), else the newest
    set, else a first set of the session's exercise starting with this rep."""
    if set_id is not None:
        if session_of_set(conn, set_id) != session_id:
            raise StorageError(f"set {set_id} belongs to another session than {session_id}")
        return set_id
    newest = conn.scalar(
        sa.select(sets.c.id).where(sets.c.session_id == session_id).order_by(sets.c[SET_INDEX].desc()).limit(1)
    )
    if newest is not None:
        return int(newest)
    exercise = str(conn.scalar(sa.select(sessions.c.exercise).where(sessions.c.id == session_id)))
    return _insert_set(conn, session_id, set_row(SetResult(1, exercise, rep.start_ms, rep.end_ms)), [])


def _insert_reps(conn: Connection, session_id: int, rows: RepRows, set_id: int) -> None:
    wanted = [row[REP_INDEX] for row, _ in rows]
    index = reps.c[REP_INDEX]
    taken = set(conn.scalars(sa.select(index).where(reps.c.session_id == session_id, index.in_(wanted))))
    if taken:
        raise StorageError(f"rep {min(taken)} is already saved in session {session_id}")
    for row, items in rows:
        rep_id = conn.execute(
            sa.insert(reps).values(session_id=session_id, set_id=set_id, **row).returning(reps.c.id)
        ).scalar_one()
        for col in list_columns():
            if items.get(col.name):
                conn.execute(
                    sa.insert(rep_lists[col.name]),
                    [{"rep_id": rep_id, "position": i, **item} for i, item in enumerate(items[col.name])],
                )
