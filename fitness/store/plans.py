"""Workout plans in the database: what :class:`~fitness.store.store.SessionStore` does with them.

A plan belongs to a profile and lists items ("3 x 10 squats, 60 s rest"). A workout that
follows a plan keeps the plan's id and the number of sets it planned when it started, and each
of its sets names the item it did, so adherence (sets done / planned) stays what it was when
the plan is edited or deleted later. Items are edited in place by position, so the sets that
did an item still point at it.

Everything is checked before anything is written (:func:`fitness.store.rows.check_plan_items`);
a plan being followed by a workout recorded right now is not changed under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.engine.registry import REGISTRY
from fitness.errors import StorageError
from fitness.store.liveness import Owner, owner_is_alive
from fitness.store.rows import check_plan_items, check_plan_name, now, profile_key, profile_name
from fitness.store.schema import plan_items, profiles, sessions, sets
from fitness.store.schema import plans as plans_table
from fitness.store.values import Plan, PlanItem

__all__ = ["create_plan", "delete_plan", "delete_plans", "list_plans", "move_plans", "plans_table", "read_plan",
           "update_plan"]  # fmt: skip

ITEM_FIELDS = ("exercise", "sets", "target_reps", "target_hold_s", "rest_s")


def known_exercises() -> dict[str, str]:
    """Every exercise a plan may name, with its movement kind (a hold's target is in seconds)."""
    return {key: spec.kind for key, spec in sorted(REGISTRY.items())}


def _item_rows(items: Sequence[PlanItem]) -> list[dict[str, Any]]:
    checked = check_plan_items(items, known_exercises())
    return [{"position": i, **{f: getattr(item, f) for f in ITEM_FIELDS}} for i, item in enumerate(checked)]


def _profile_id(conn: Connection, profile: str) -> int:
    """The profile's id, created if it has none yet (a plan may come before any workout)."""
    key = profile_key(profile)
    found = conn.scalar(sa.select(profiles.c.id).where(profiles.c.name_key == key))
    if found is not None:
        return int(found)
    inserted = conn.execute(
        sa.insert(profiles).values(name=profile_name(profile), name_key=key, created_at=now()).returning(profiles.c.id)
    )
    return int(inserted.scalar_one())


def _clash(conn: Connection, profile_id: int, name: str, plan_id: int | None = None) -> None:
    stmt = sa.select(plans_table.c.id).where(plans_table.c.profile_id == profile_id, plans_table.c.name == name)
    if plan_id is not None:
        stmt = stmt.where(plans_table.c.id != plan_id)
    if conn.scalar(stmt) is not None:
        raise StorageError(f"a plan named {name!r} already exists for this profile; choose another name")


def create_plan(conn: Connection, profile: str, name: str, items: Sequence[PlanItem]) -> int:
    title = check_plan_name(name)
    rows = _item_rows(items)
    profile_id = _profile_id(conn, profile)
    _clash(conn, profile_id, title)
    at = now()
    plan_id = int(
        conn.execute(
            sa.insert(plans_table)
            .values(profile_id=profile_id, name=title, created_at=at, updated_at=at)
            .returning(plans_table.c.id)
        ).scalar_one()
    )
    conn.execute(sa.insert(plan_items), [{"plan_id": plan_id, **row} for row in rows])
    return plan_id


def _plan_row(conn: Connection, plan_id: int) -> sa.Row[Any]:
    row = conn.execute(
        sa.select(plans_table, profiles.c.name.label("profile"))
        .select_from(plans_table.join(profiles))
        .where(plans_table.c.id == plan_id)
    ).first()
    if row is None:
        raise StorageError(f"no plan with id {plan_id}")
    return row


def _refuse_if_followed(conn: Connection, plan_id: int, name: str, me: Owner) -> None:
    """A plan a workout is following right now is not changed under it."""
    rows = conn.execute(
        sa.select(
            sessions.c.id, sessions.c.owner_host, sessions.c.owner_pid, sessions.c.owner_tag, sessions.c.heartbeat_at
        ).where(sessions.c.plan_id == plan_id, sessions.c.end_reason == "in_progress")
    ).all()
    at = now()
    for r in rows:
        if owner_is_alive(r.owner_host, r.owner_pid, r.owner_tag, r.heartbeat_at, me=me, now=at):
            raise StorageError(
                f"plan {name!r} is being followed by workout #{r.id} right now; change it after that workout ends"
            )


def update_plan(conn: Connection, plan_id: int, name: str | None, items: Sequence[PlanItem] | None, me: Owner) -> None:
    row = _plan_row(conn, plan_id)
    title = check_plan_name(name) if name is not None else str(row.name)
    rows = _item_rows(items) if items is not None else None
    _refuse_if_followed(conn, plan_id, str(row.name), me)
    _clash(conn, int(row.profile_id), title, plan_id)
    conn.execute(sa.update(plans_table).where(plans_table.c.id == plan_id).values(name=title, updated_at=now()))
    if rows is None:
        return
    kept = {
        int(p): int(i)
        for p, i in conn.execute(
            sa.select(plan_items.c.position, plan_items.c.id).where(plan_items.c.plan_id == plan_id)
        )
    }
    for new in rows:
        if new["position"] in kept:
            conn.execute(
                sa.update(plan_items)
                .where(plan_items.c.id == kept[new["position"]])
                .values(**{f: new[f] for f in ITEM_FIELDS})
            )
        else:
            conn.execute(sa.insert(plan_items).values(plan_id=plan_id, **new))
    gone = [item_id for position, item_id in kept.items() if position >= len(rows)]
    if gone:
        conn.execute(sa.update(sets).where(sets.c.plan_item_id.in_(gone)).values(plan_item_id=None))
        conn.execute(sa.delete(plan_items).where(plan_items.c.id.in_(gone)))


def delete_plans(conn: Connection, which: sa.ColumnElement[bool]) -> None:
    """Delete the plans matching ``which`` with their items (explicitly: not every database
    enforces ON DELETE); workouts keep their sets and what they planned."""
    plan_ids = sa.select(plans_table.c.id).where(which).scalar_subquery()
    item_ids = sa.select(plan_items.c.id).where(plan_items.c.plan_id.in_(plan_ids)).scalar_subquery()
    conn.execute(sa.update(sets).where(sets.c.plan_item_id.in_(item_ids)).values(plan_item_id=None))
    conn.execute(sa.update(sessions).where(sessions.c.plan_id.in_(plan_ids)).values(plan_id=None))
    conn.execute(sa.delete(plan_items).where(plan_items.c.plan_id.in_(plan_ids)))
    conn.execute(sa.delete(plans_table).where(which))


def delete_plan(conn: Connection, plan_id: int, me: Owner) -> None:
    row = _plan_row(conn, plan_id)
    _refuse_if_followed(conn, plan_id, str(row.name), me)
    delete_plans(conn, plans_table.c.id == plan_id)


def move_plans(conn: Connection, source: int, target: int) -> None:
    """Profile ``source`` is merged into ``target``: its plans go along, a name the target
    already uses getting " (2)", " (3)"... after it."""
    taken = set(conn.scalars(sa.select(plans_table.c.name).where(plans_table.c.profile_id == target)))
    for plan_id, name in conn.execute(
        sa.select(plans_table.c.id, plans_table.c.name).where(plans_table.c.profile_id == source)
    ).all():
        new, n = str(name), 2
        while new in taken:
            new, n = f"{name} ({n})", n + 1
        taken.add(new)
        conn.execute(sa.update(plans_table).where(plans_table.c.id == plan_id).values(profile_id=target, name=new))


def _plans(conn: Connection, where: sa.ColumnElement[bool]) -> list[Plan]:
    heads = conn.execute(
        sa.select(plans_table, profiles.c.name.label("profile"))
        .select_from(plans_table.join(profiles))
        .where(where)
        .order_by(plans_table.c.name, plans_table.c.id)
    ).all()
    items: dict[int, list[PlanItem]] = {}
    for r in conn.execute(
        sa.select(plan_items)
        .where(plan_items.c.plan_id.in_([h.id for h in heads]))
        .order_by(plan_items.c.plan_id, plan_items.c.position)
    ):
        items.setdefault(int(r.plan_id), []).append(
            PlanItem(
                str(r.exercise),
                int(r.sets),
                None if r.target_reps is None else int(r.target_reps),
                None if r.target_hold_s is None else int(r.target_hold_s),
                int(r.rest_s),
                int(r.id),
            )
        )
    return [_plan(h, items.get(int(h.id), [])) for h in heads]


def _plan(row: sa.Row[Any], items: list[PlanItem]) -> Plan:
    created: datetime = row.created_at
    updated: datetime = row.updated_at
    return Plan(int(row.id), str(row.profile), str(row.name), tuple(items), created, updated)


def read_plan(conn: Connection, plan_id: int) -> Plan:
    found = _plans(conn, plans_table.c.id == plan_id)
    if not found:
        raise StorageError(f"no plan with id {plan_id}")
    return found[0]


def list_plans(conn: Connection, profile: str | None) -> list[Plan]:
    if profile is None:
        return _plans(conn, sa.true())
    try:
        key = profile_key(profile)
    except StorageError:
        return []
    return _plans(conn, profiles.c.name_key == key)
