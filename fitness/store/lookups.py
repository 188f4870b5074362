"""Small reads the store's transaction modules share: whether a session exists and how it
ended, which session a set belongs to, and whether a session's recording process is alive."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.errors import StorageError
from fitness.store.liveness import STALE_AFTER, Owner, owner_is_alive
from fitness.store.schema import sessions, sets

__all__ = ["end_reason", "is_live", "owner_select", "session_of_set"]


def end_reason(conn: Connection, session_id: int) -> str:
    """How session ``session_id`` ended (``in_progress`` while it is recorded), or a
    StorageError when there is no such session."""
    reason = conn.scalar(sa.select(sessions.c.end_reason).where(sessions.c.id == session_id))
    if reason is None:
        raise StorageError(f"no session with id {session_id}")
    return str(reason)


def session_of_set(conn: Connection, set_id: int) -> int:
    found = conn.scalar(sa.select(sets.c.session_id).where(sets.c.id == set_id))
    if found is None:
        raise StorageError(f"no set with id {set_id}")
    return int(found)


def owner_select() -> sa.Select[Any]:
    """A session's id, end reason and owner: what :func:`is_live` reads."""
    return sa.select(
        sessions.c.id,
        sessions.c.end_reason,
        sessions.c.owner_host,
        sessions.c.owner_pid,
        sessions.c.owner_tag,
        sessions.c.heartbeat_at,
    )


def is_live(row: sa.Row[Any], *, me: Owner, at: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
    """Is the process that recorded this :func:`owner_select` row still alive (whatever its end reason)?"""
    return owner_is_alive(
        row.owner_host, row.owner_pid, row.owner_tag, row.heartbeat_at, me=me, now=at, stale_after=stale_after
    )
