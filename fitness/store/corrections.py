"""Changing recorded history after the fact: what :class:`~fitness.store.store.SessionStore`
does to delete sessions and reps, replace notes, correct a count, and mark the sessions of
dead processes interrupted.

A session still being recorded by a live process is not deleted or corrected under it
(:func:`fitness.store.lookups.is_live`). Rows are deleted explicitly, children first: not every
database enforces ON DELETE CASCADE.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.errors import StorageError
from fitness.store.liveness import Owner
from fitness.store.lookups import end_reason, is_live, owner_select
from fitness.store.rows import now
from fitness.store.schema import REP_INDEX, rep_lists, reps, sessions, set_breaks, sets

__all__ = ["correct_rep_count", "delete_last_rep", "delete_session", "delete_sessions", "mark_interrupted",
           "set_notes"]  # fmt: skip


def delete_sessions(conn: Connection, which: sa.ColumnElement[bool]) -> None:
    """Delete the sessions matching ``which`` with their reps and the reps' lists (explicitly:
    not every database enforces ON DELETE CASCADE)."""
    session_ids = sa.select(sessions.c.id).where(which).scalar_subquery()
    rep_ids = sa.select(reps.c.id).where(reps.c.session_id.in_(session_ids)).scalar_subquery()
    set_ids = sa.select(sets.c.id).where(sets.c.session_id.in_(session_ids)).scalar_subquery()
    for table in rep_lists.values():
        conn.execute(sa.delete(table).where(table.c.rep_id.in_(rep_ids)))
    conn.execute(sa.delete(reps).where(reps.c.session_id.in_(session_ids)))
    conn.execute(sa.delete(set_breaks).where(set_breaks.c.set_id.in_(set_ids)))
    conn.execute(sa.delete(sets).where(sets.c.session_id.in_(session_ids)))
    conn.execute(sa.delete(sessions).where(which))


def delete_session(conn: Connection, session_id: int, *, force: bool, me: Owner) -> None:
    row = conn.execute(owner_select().where(sessions.c.id == session_id)).first()
    if row is None:
        raise StorageError(f"no session with id {session_id}")
    alive = row.end_reason == "in_progress" and is_live(row, me=me, at=now())
    if alive and not force:
        raise StorageError(
            f"session {session_id} is still being recorded (pid {row.owner_pid} on {row.owner_host}); stop it first"
        )
    delete_sessions(conn, sessions.c.id == session_id)


def delete_last_rep(conn: Connection, session_id: int) -> int:
    """Delete the session's newest rep with its lists; returns that rep's index."""
    end_reason(conn, session_id)  # an unknown session is an error, not "no reps"
    index_col = reps.c[REP_INDEX]
    last = conn.execute(
        sa.select(reps.c.id, index_col, reps.c.set_id)
        .where(reps.c.session_id == session_id)
        .order_by(index_col.desc())
        .limit(1)
    ).first()
    if last is None:
        raise StorageError(f"session {session_id} has no reps to remove")
    for table in rep_lists.values():
        conn.execute(sa.delete(table).where(table.c.rep_id == last.id))
    conn.execute(sa.delete(reps).where(reps.c.id == last.id))
    _tidy_set(conn, last.set_id)
    return int(last[1])


def _tidy_set(conn: Connection, set_id: int | None) -> None:
    """After a rep was removed: its set ends at its last rep, or goes if it has none (nor a hold)."""
    if set_id is None:
        return
    last_end = conn.scalar(sa.select(sa.func.max(reps.c.end_ms)).where(reps.c.set_id == set_id))
    if last_end is not None:
        conn.execute(sa.update(sets).where(sets.c.id == set_id).values(end_ms=last_end))
        return
    conn.execute(sa.delete(sets).where(sets.c.id == set_id, sets.c.hold_ms.is_(None)))


def set_notes(conn: Connection, session_id: int, text: str | None) -> None:
    end_reason(conn, session_id)
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(notes=text))


def correct_rep_count(conn: Connection, session_id: int, count: int | None, why: str | None) -> int:
    """Store (or, at the saved number, remove) a finished one-set session's corrected count;
    returns its count from now on. ``count`` and ``why`` are checked already."""
    reason = end_reason(conn, session_id)
    if reason == "in_progress":
        raise StorageError(f"session {session_id} is still being recorded; correct its count after it ends")
    set_count = int(conn.scalar(sa.select(sa.func.count()).where(sets.c.session_id == session_id)) or 0)
    if set_count > 1:
        # A corrected count is the workout's; with several sets it would be no set's.
        raise StorageError(
            f"session {session_id} is a workout of {set_count} sets; only a one-set session's count can be corrected"
        )
    recorded = int(conn.scalar(sa.select(sa.func.count()).where(reps.c.session_id == session_id)) or 0)
    keep = count is not None and count != recorded
    conn.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id)
        .values(corrected_reps=count if keep else None, correction_note=why if keep else None)
    )
    return count if keep and count is not None else recorded


def mark_interrupted(conn: Connection, *, me: Owner, stale_after: timedelta) -> list[int]:
    """Mark the in-progress sessions whose owner is gone ``interrupted``, ended at their last
    sign of life; returns their ids."""
    at = now()
    rows = conn.execute(owner_select().where(sessions.c.end_reason == "in_progress")).all()
    dead = [int(r.id) for r in rows if not is_live(r, me=me, at=at, stale_after=stale_after)]
    if dead:
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id.in_(dead), sessions.c.end_reason == "in_progress")
            .values(
                end_reason="interrupted",
                ended_at=sa.func.coalesce(sessions.c.heartbeat_at, sessions.c.started_at),
            )
        )
    return dead
