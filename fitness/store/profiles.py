"""Profiles in the database: what :class:`~fitness.store.store.SessionStore` does with them.

A profile is one person: names are compared trimmed and case-insensitively (through
``profiles.name_key``, :func:`fitness.store.rows.profile_key`), so "Alice", "alice" and
" Alice " all mean the same profile. A profile's sessions and plans follow it when it is
renamed or merged into another, and go with it when it is deleted.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.errors import StorageError
from fitness.store import plans
from fitness.store.corrections import delete_sessions
from fitness.store.liveness import Owner
from fitness.store.lookups import is_live, owner_select
from fitness.store.rows import now, profile_key
from fitness.store.schema import profiles, sessions

__all__ = ["delete_profile", "find_profile", "merge_profiles", "profile_id", "profile_names", "rename_profile",
           "stored_name"]  # fmt: skip

log = logging.getLogger(__name__)


def profile_id(conn: Connection, name: str, key: str) -> int:
    """The id of the profile with ``key``, created as ``name`` if there is none."""
    found = conn.scalar(sa.select(profiles.c.id).where(profiles.c.name_key == key))
    if found is not None:
        return int(found)
    try:
        # A savepoint: on PostgreSQL a unique violation (another process created the same
        # profile a moment ago) would otherwise abort the whole transaction.
        with conn.begin_nested():
            return int(
                conn.execute(
                    sa.insert(profiles).values(name=name, name_key=key, created_at=now()).returning(profiles.c.id)
                ).scalar_one()
            )
    except sa.exc.IntegrityError:
        return int(conn.execute(sa.select(profiles.c.id).where(profiles.c.name_key == key)).scalar_one())


def find_profile(conn: Connection, name: str) -> tuple[int, str]:
    """The id and stored name of the profile ``name`` stands for, or a StorageError."""
    row = conn.execute(
        sa.select(profiles.c.id, profiles.c.name).where(profiles.c.name_key == profile_key(name))
    ).first()
    if row is None:
        raise StorageError(f"no profile named {name!r}")
    return int(row.id), str(row.name)


def profile_names(conn: Connection) -> list[str]:
    return list(conn.scalars(sa.select(profiles.c.name).order_by(profiles.c.name_key, profiles.c.name)))


def stored_name(conn: Connection, key: str) -> str | None:
    found = conn.scalar(sa.select(profiles.c.name).where(profiles.c.name_key == key))
    return None if found is None else str(found)


def rename_profile(conn: Connection, name: str, shown: str, key: str) -> str:
    """Call profile ``name`` ``shown`` (its ``key`` checked already); returns ``shown``."""
    pid, old = find_profile(conn, name)
    clash = conn.scalar(sa.select(profiles.c.name).where(profiles.c.name_key == key, profiles.c.id != pid))
    if clash is not None:
        raise StorageError(f"a profile named {clash!r} already exists; merge {old!r} into it to make them one")
    conn.execute(sa.update(profiles).where(profiles.c.id == pid).values(name=shown, name_key=key))
    return shown


def merge_profiles(conn: Connection, name: str, into: str) -> int:
    source, source_name = find_profile(conn, name)
    target, target_name = find_profile(conn, into)
    if source == target:
        raise StorageError(f"{name!r} and {into!r} are the same profile ({target_name!r}); nothing to merge")
    moved = conn.execute(sa.update(sessions).where(sessions.c.profile_id == source).values(profile_id=target)).rowcount
    plans.move_plans(conn, source, target)
    conn.execute(sa.delete(profiles).where(profiles.c.id == source))
    log.info("profile %r merged into %r: %d session(s) moved", source_name, target_name, moved)
    return int(moved)


def delete_profile(conn: Connection, name: str, *, force: bool, me: Owner) -> int:
    """Delete the profile with its sessions and plans; returns how many sessions went."""
    pid, shown = find_profile(conn, name)
    owned = conn.execute(owner_select().where(sessions.c.profile_id == pid)).all()
    if owned and not force:
        raise StorageError(
            f"profile {shown!r} has {len(owned)} session{'s' if len(owned) != 1 else ''}; merge it into "
            "another profile to keep them, or delete them with it"
        )
    live = [r.id for r in owned if r.end_reason == "in_progress" and is_live(r, me=me, at=now())]
    if live:
        raise StorageError(f"profile {shown!r} has a session being recorded right now (#{live[0]}); stop it first")
    delete_sessions(conn, sessions.c.profile_id == pid)
    plans.delete_plans(conn, plans.plans_table.c.profile_id == pid)
    conn.execute(sa.delete(profiles).where(profiles.c.id == pid))
    return len(owned)
