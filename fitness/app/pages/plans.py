"""The Plans page: make, change and delete the workout plans the Live page follows.

A plan is a list of exercises from the catalogue, each with its number of sets, its target
(reps, or seconds for a hold) and the rest after each set. The store checks every plan before
saving it (:meth:`~fitness.store.store.SessionStore.create_plan`): an empty plan, an unknown
exercise, zero or negative sets, target or rest, a name already taken, or a plan a workout is
following right now each come back as one sentence shown here, and nothing is saved.

The draft being edited is one row of widgets per exercise (a select box and three number
boxes), which reads on a phone as well as on a laptop; the widgets' values are the draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import streamlit as st

from fitness.app.common import (
    _configure_logging,
    confirmed,
    enter_page,
    get_store,
    no_store_warning,
    profile_picker,
)
from fitness.app.workout_live import plan_label
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.store import SessionStore
from fitness.store.values import Plan, PlanItem

NEW: Final = "new"
CHOICE_KEY: Final = "plans-choice"
ROWS_KEY: Final = "plans-rows"  # the draft's row ids, in order
LOADED_KEY: Final = "plans-loaded"  # which plan (and version) the draft was loaded from
FLASH_KEY: Final = "plans-flash"
NAME_KEY: Final = "plans-name"
NEXT_CHOICE_KEY: Final = "plans-choose"  # the plan to show after a save or delete (set before the widget)
LAST_ID_KEY: Final = "plans-last-row"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the draft as typed: an exercise, sets, a target (reps, or seconds for a
    hold) and the rest after each set."""

    exercise: str
    sets: int
    target: int
    rest_s: int


def plan_items(rows: Sequence[Row]) -> list[PlanItem]:
    """The draft as plan items: the target goes in seconds for a hold, in reps otherwise (the
    store checks the rest)."""
    items = []
    for row in rows:
        hold = row.exercise in REGISTRY and REGISTRY[row.exercise].kind == "hold"
        items.append(
            PlanItem(
                row.exercise,
                row.sets,
                None if hold else row.target,
                row.target if hold else None,
                row.rest_s,
            )
        )
    return items


def rows_of(plan: Plan | None) -> list[Row]:
    """A plan's items as draft rows (a new plan starts with one line to fill in)."""
    if plan is None:
        return [Row("squat", 3, 10, 60)]
    return [
        Row(i.exercise, i.sets, i.target_hold_s if i.target_hold_s is not None else (i.target_reps or 0), i.rest_s)
        for i in plan.items
    ]


def page_plans() -> None:
    enter_page("plans")
    _configure_logging()
    st.title("Plans")
    store, store_error = get_store()
    if store is None:
        no_store_warning(store_error)
        return
    with st.sidebar:
        profile = profile_picker(store, "plans-profile")
    flash = st.session_state.pop(FLASH_KEY, None)
    if isinstance(flash, str):
        st.success(flash)
    try:
        plans = {str(p.id): p for p in store.plans(profile)}
    except FitnessError as exc:
        st.error(f"Could not read the plans: {exc}")
        return
    st.caption(
        f"Plans of **{profile}**: pick one on the Live workout page to be taken through it set by set, "
        "with the rest counted down between sets."
    )
    if NEXT_CHOICE_KEY in st.session_state:
        st.session_state[CHOICE_KEY] = st.session_state.pop(NEXT_CHOICE_KEY)
    if st.session_state.get(CHOICE_KEY) not in (NEW, *plans):
        st.session_state[CHOICE_KEY] = NEW
    choice = st.selectbox(
        "Plan",
        [NEW, *plans],
        format_func=lambda key: "+ New plan" if key == NEW else plan_label(plans[key]),
        key=CHOICE_KEY,
    )
    plan = plans.get(str(choice))
    load_draft(plan)
    editor(store, profile, plan)


def load_draft(plan: Plan | None) -> None:
    """Fill the draft's widgets from ``plan`` when another plan (or a newer version) is chosen."""
    version = None if plan is None else (plan.id, plan.updated_at)
    if LOADED_KEY in st.session_state and st.session_state[LOADED_KEY] == version:
        return
    st.session_state[LOADED_KEY] = version
    st.session_state[NAME_KEY] = "" if plan is None else plan.name
    st.session_state[ROWS_KEY] = [new_row(row) for row in rows_of(plan)]


def new_row(row: Row) -> int:
    """A line for the draft, its widgets starting at ``row``; returns its id (unique within the
    browser session, so a removed line's widgets are never reused)."""
    rid = int(st.session_state.get(LAST_ID_KEY, 0)) + 1
    st.session_state[LAST_ID_KEY] = rid
    st.session_state[f"plans-ex-{rid}"] = row.exercise
    st.session_state[f"plans-sets-{rid}"] = row.sets
    st.session_state[f"plans-target-{rid}"] = row.target
    st.session_state[f"plans-rest-{rid}"] = row.rest_s
    return rid


def editor(store: SessionStore, profile: str, plan: Plan | None) -> None:
    name = st.text_input("Name", key=NAME_KEY, max_chars=100, placeholder="For example: Legs and core")
    rows = []
    for n, rid in enumerate(list(st.session_state[ROWS_KEY]), start=1):
        rows.append(draft_row(n, rid))
    if not rows:
        st.info("No exercises yet: add one.")
    if st.button("Add an exercise", key="plans-add"):
        # A copy of the last line: plans often repeat a pattern (3 sets, 60 s rest).
        st.session_state[ROWS_KEY] = [*st.session_state[ROWS_KEY], new_row(rows[-1] if rows else rows_of(None)[0])]
        st.rerun()
    save, delete = st.columns(2)
    with save:
        if st.button("Save plan" if plan is None else "Save changes", type="primary", key="plans-save"):
            save_plan(store, profile, plan, name, rows)
    if plan is not None:
        with delete:
            delete_plan(store, plan)


def draft_row(n: int, rid: int) -> Row:
    """One line of the draft, its widgets side by side (stacked on a phone), with a remove button."""
    exercise = str(st.session_state.get(f"plans-ex-{rid}", "squat"))
    hold = exercise in REGISTRY and REGISTRY[exercise].kind == "hold"
    with st.container(border=True, key=f"plans-row-{rid}"):
        what, sets, target, rest, remove = st.columns([3, 1, 1, 1, 1], vertical_alignment="bottom")
        choices = sorted(REGISTRY, key=lambda k: REGISTRY[k].name)
        if exercise not in choices:
            choices = [exercise, *choices]  # shown as stored, so the store can say what is wrong with it
        chosen = what.selectbox(
            f"Exercise {n}",
            choices,
            format_func=lambda k: REGISTRY[k].name if k in REGISTRY else k,
            key=f"plans-ex-{rid}",
        )
        # No lower bound here: the store says in words what a count of zero or less means.
        count = sets.number_input("Sets", step=1, key=f"plans-sets-{rid}")
        goal = target.number_input("Seconds" if hold else "Reps", step=1, key=f"plans-target-{rid}")
        pause = rest.number_input("Rest (s)", step=1, key=f"plans-rest-{rid}")
        if remove.button("Remove", key=f"plans-remove-{rid}"):
            st.session_state[ROWS_KEY] = [r for r in st.session_state[ROWS_KEY] if r != rid]
            st.rerun()
    return Row(str(chosen), int(count), int(goal), int(pause))


def save_plan(store: SessionStore, profile: str, plan: Plan | None, name: str, rows: Sequence[Row]) -> None:
    items = plan_items(rows)
    try:
        if plan is None:
            plan_id = store.create_plan(profile, name, items)
        else:
            store.update_plan(plan.id, name=name, items=items)
            plan_id = plan.id
    except FitnessError as exc:
        st.error(f"The plan was not saved: {exc}")
        return
    saved = store.get_plan(plan_id)
    st.session_state[FLASH_KEY] = f"Plan **{saved.name}** saved: {saved.planned_sets} sets."
    st.session_state[NEXT_CHOICE_KEY] = str(plan_id)
    st.rerun()


def delete_plan(store: SessionStore, plan: Plan) -> None:
    if not confirmed(
        "Delete plan",
        key="plans-delete",
        target=plan.id,
        prompt=f"Delete plan {plan.name}? Workouts that followed it keep their sets.",
        yes=f"Yes, delete {plan.name}",
    ):
        return
    try:
        store.delete_plan(plan.id)
    except FitnessError as exc:
        st.error(f"The plan was not deleted: {exc}")
        return
    st.session_state[FLASH_KEY] = f"Plan **{plan.name}** deleted."
    st.session_state[NEXT_CHOICE_KEY] = NEW
    st.rerun()
