"""The Plans page in real Streamlit (AppTest, no browser) over a real history: plans are made,
changed and deleted through the editor, and everything the store refuses comes back as one
sentence on the page, with nothing saved and no traceback."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from fitness.app.common import _open_store
from fitness.app.pages.plans import Row, plan_items, rows_of
from fitness.store import SessionInfo, SessionStore
from fitness.store.schema import plan_items as plan_items_table
from fitness.store.values import PlanItem

PAGE = """
from fitness.app.pages.plans import page_plans
page_plans()
"""


def _page(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FITNESS_DB", db_url)
    _open_store.clear()  # the store is cached per process: open this test's
    app = AppTest.from_string(PAGE, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def _rows(app: AppTest) -> list[int]:
    return list(app.session_state["plans-rows"])


def _errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def _save(app: AppTest) -> AppTest:
    app.button(key="plans-save").click().run()
    assert not app.exception, app.exception
    return app


def test_a_plan_is_made_changed_and_deleted(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _page(db_url, monkeypatch)
    (first,) = _rows(app)
    app.text_input(key="plans-name").set_value("Legs and core")
    app.selectbox(key=f"plans-ex-{first}").set_value("squat")
    app.number_input(key=f"plans-sets-{first}").set_value(2)
    app.number_input(key=f"plans-target-{first}").set_value(8)
    app.number_input(key=f"plans-rest-{first}").set_value(45)
    app.button(key="plans-add").click().run()
    second = _rows(app)[-1]
    app.selectbox(key=f"plans-ex-{second}").set_value("plank").run()
    # A hold's target is in seconds: the box says so.
    assert app.number_input(key=f"plans-target-{second}").label == "Seconds"
    app.number_input(key=f"plans-target-{second}").set_value(30)
    app.number_input(key=f"plans-sets-{second}").set_value(1)
    _save(app)
    assert app.success[0].value == "Plan **Legs and core** saved: 3 sets."
    with SessionStore.open(db_url) as store:
        (plan,) = store.plans("default")
    assert [(i.exercise, i.sets, i.target_reps, i.target_hold_s, i.rest_s) for i in plan.items] == [
        ("squat", 2, 8, None, 45),
        ("plank", 1, None, 30, 45),
    ]
    # The saved plan is now the one shown, and is edited in place.
    assert app.selectbox(key="plans-choice").value == str(plan.id)
    rows = _rows(app)
    app.number_input(key=f"plans-sets-{rows[0]}").set_value(3)
    app.button(key=f"plans-remove-{rows[1]}").click().run()
    _save(app)
    with SessionStore.open(db_url) as store:
        changed = store.get_plan(plan.id)
    assert [(i.exercise, i.sets) for i in changed.items] == [("squat", 3)]
    assert changed.items[0].id == plan.items[0].id  # the same item, so the sets that did it still point at it

    app.button(key="plans-delete").click().run()
    app.button(key="plans-delete-yes").click().run()
    assert not app.exception, app.exception
    assert app.success[0].value == "Plan **Legs and core** deleted."
    with SessionStore.open(db_url) as store:
        assert store.plans() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("empty", "The plan was not saved: a plan needs at least one exercise"),
        ("zero reps", r"The plan was not saved: plan item 1 \(squat\): reps must be more than 0, got 0"),
        ("negative rest", r"The plan was not saved: plan item 1 \(squat\): rest must be more than 0, got -30"),
        ("zero sets", r"The plan was not saved: plan item 1 \(squat\): sets must be more than 0, got 0"),
        ("no name", r"The plan was not saved: .*name"),
    ],
)
def test_bad_plans_are_refused_in_one_sentence(
    db_url: str, monkeypatch: pytest.MonkeyPatch, change: str, message: str
) -> None:
    app = _page(db_url, monkeypatch)
    (row,) = _rows(app)
    app.text_input(key="plans-name").set_value("" if change == "no name" else "Bad plan")
    if change == "empty":
        app.button(key=f"plans-remove-{row}").click().run()
        assert app.info[0].value == "No exercises yet: add one."
    elif change == "zero reps":
        app.number_input(key=f"plans-target-{row}").set_value(0)
    elif change == "negative rest":
        app.number_input(key=f"plans-rest-{row}").set_value(-30)
    elif change == "zero sets":
        app.number_input(key=f"plans-sets-{row}").set_value(0)
    _save(app)
    (error,) = _errors(app)
    assert "\n" not in error and "Traceback" not in error
    assert re.match(message, error), error
    with SessionStore.open(db_url) as store:
        assert store.plans() == []  # nothing saved


def test_an_exercise_no_longer_in_the_catalogue_is_named(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan saved when the catalogue had an exercise it has since lost: the editor shows it as
    stored, and saving says which exercise is unknown (and which are valid)."""
    with SessionStore.open(db_url) as store:
        plan_id = store.create_plan("default", "Old plan", [PlanItem("squat", 2, 10, rest_s=60)])
        with store.engine.begin() as conn:
            conn.execute(sa.update(plan_items_table).values(exercise="zumba"))
    app = _page(db_url, monkeypatch)
    app.selectbox(key="plans-choice").set_value(str(plan_id)).run()
    (row,) = _rows(app)
    assert app.selectbox(key=f"plans-ex-{row}").value == "zumba"
    _save(app)
    (error,) = _errors(app)
    assert error.startswith("The plan was not saved: plan item 1: unknown exercise 'zumba'; valid exercises: ")


def test_a_plan_being_followed_is_not_changed_under_the_workout(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with SessionStore.open(db_url) as store:
        plan_id = store.create_plan("default", "Push day", [PlanItem("pushup", 3, 12, rest_s=90)])
        # A workout following it is being recorded right now (by this very process).
        workout = store.start_session(SessionInfo("pushup", "live"), plan_id=plan_id)
        app = _page(db_url, monkeypatch)
        app.selectbox(key="plans-choice").set_value(str(plan_id)).run()
        (row,) = _rows(app)
        app.number_input(key=f"plans-sets-{row}").set_value(5)
        _save(app)
        (error,) = _errors(app)
        assert error == (
            f"The plan was not saved: plan 'Push day' is being followed by workout #{workout} right now; "
            "change it after that workout ends"
        )
        app.button(key="plans-delete").click().run()
        app.button(key="plans-delete-yes").click().run()
        assert not app.exception, app.exception
        assert _errors(app)[-1].startswith("The plan was not deleted: plan 'Push day' is being followed")
        assert store.get_plan(plan_id).items[0].sets == 3  # untouched
        store.end_session(workout, "completed")
    _save(app)  # once the workout has ended, the change goes through
    with SessionStore.open(db_url) as store:
        assert store.get_plan(plan_id).items[0].sets == 5


def test_draft_rows_become_plan_items() -> None:
    items = plan_items([Row("squat", 3, 10, 60), Row("wall_sit", 2, 45, 30)])
    assert items == [PlanItem("squat", 3, 10, None, 60), PlanItem("wall_sit", 2, None, 45, 30)]
    assert rows_of(None) == [Row("squat", 3, 10, 60)]
