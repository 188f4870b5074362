"""Workouts in the store: sessions of sets, sets of reps (or a hold's time and breaks), loads,
plans, the migration that made every old session a one-set workout, and the History's
questions by workout. SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from fitness.engine.machines import Break
from fitness.engine.values import Rep, SetResult
from fitness.errors import StorageError
from fitness.store import SessionStore
from fitness.store.connection import to_url
from fitness.store.migrations import MIGRATIONS, _versions
from fitness.store.recorder import SessionInfo, SessionRecorder
from fitness.store.schema import sets
from fitness.store.values import PlanItem, Selection
from tests.storage_worker import make_rep
from tests.store.helpers import T0, count_rows, rows_of
from tests.store.test_migrations import _build_v1


def _reps(first: int, n: int, at_ms: int, concentric: list[int] | None = None) -> tuple[Rep, ...]:
    out = []
    for i in range(n):
        rep = make_rep(first + i, start_ms=at_ms + 2000 * i, bottom_ms=at_ms + 2000 * i + 900)
        out.append(replace(rep, end_ms=at_ms + 2000 * i + 1700, concentric_ms=(concentric or [800] * n)[i]))
    return tuple(out)


def _workout() -> list[SetResult]:
    squats = SetResult(1, "squat", 0, 9700, reps=_reps(1, 5, 0, [600, 620, 650, 700, 760]), load=60.0, load_unit="kg")
    plank = SetResult(
        2, "plank", 70_000, 110_000, 60_300, hold_ms=38_500, breaks=(Break(80_000, 81_500, "Hips sagging", "hips"),)
    )
    pushups = SetResult(3, "pushup", 200_000, 205_700, 90_000, reps=_reps(6, 3, 200_000))
    return [squats, plank, pushups]


def test_a_workout_round_trips_with_its_sets_reps_holds_and_loads(store: SessionStore) -> None:
    sid = store.save_workout(SessionInfo("squat", "video", profile="ann"), _workout(), started_at=T0)
    detail = store.get_session(sid)
    assert detail.sets == tuple(_workout())
    assert [len(s.reps) for s in detail.sets] == [5, 0, 3]
    assert detail.reps == tuple(r for s in _workout() for r in s.reps)
    assert detail.summary.set_count == 3 and detail.summary.rep_count == 8
    # Velocity loss of the squats: fastest of the first two (600 ms) against the last two (730 ms mean).
    assert detail.sets[0].velocity_loss_pct == pytest.approx(round(100 * (1 - 600 / 730), 1))
    assert detail.sets[1].hold_s == 38.5 and detail.sets[1].velocity_loss_pct is None
    assert set(detail.set_ids) == {1, 2, 3}


def test_a_bad_set_saves_nothing(store: SessionStore) -> None:
    bad = [*_workout()[:2], SetResult(3, "pushup", 10, 5)]
    with pytest.raises(StorageError, match="set 3 ends"):
        store.save_workout(SessionInfo("squat", "video"), bad)
    heavy = [replace(_workout()[0], load=-5.0)]
    with pytest.raises(StorageError, match="more than 0"):
        store.save_workout(SessionInfo("squat", "video"), heavy)
    with pytest.raises(StorageError, match="weight and its unit"):
        store.save_workout(SessionInfo("squat", "video"), [replace(_workout()[0], load_unit=None)])
    assert count_rows(store, "sessions") == count_rows(store, "sets") == count_rows(store, "reps") == 0


def test_a_live_workout_is_recorded_set_by_set(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live", profile="ann"))
    # The live page of before sets: reps alone go to a first set of the session's exercise.
    for rep in _reps(1, 3, 1000):
        store.add_rep(sid, rep)
    second = store.start_set(sid, "plank", 60_000, rest_before_ms=53_700)
    store.end_set(second, end_ms=95_000, hold_ms=30_000, breaks=[Break(70_000, 72_000, "Hips sagging", "hips")])
    third = store.start_set(sid, "pushup", 150_000, rest_before_ms=55_000)
    for rep in _reps(4, 2, 150_000):
        store.add_rep(sid, rep, set_id=third)
    store.set_load(third, 10.0, "lb")
    store.end_session(sid)
    found = store.get_session(sid).sets
    assert [(s.index, s.exercise, len(s.reps), s.hold_ms) for s in found] == [
        (1, "squat", 3, None),
        (2, "plank", 0, 30_000),
        (3, "pushup", 2, None),
    ]
    assert (found[0].start_ms, found[0].end_ms) == (1000, 1000 + 4000 + 1700)
    assert (found[2].start_ms, found[2].end_ms, found[2].load, found[2].load_unit) == (150_000, 153_700, 10.0, "lb")
    assert found[1].breaks == (Break(70_000, 72_000, "Hips sagging", "hips"),)
    other = store.start_session(SessionInfo("squat", "live"))
    with pytest.raises(StorageError, match="belongs to another session"):
        store.add_rep(other, make_rep(1), set_id=third)
    with pytest.raises(StorageError, match="no set with id"):
        store.set_load(10_000, 5.0, "kg")


def test_undoing_the_only_rep_of_a_set_removes_the_set(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live"))
    store.add_rep(sid, make_rep(1))
    set_id = store.start_set(sid, "pushup", 5000)
    store.add_rep(sid, replace(make_rep(2), start_ms=5000, end_ms=6000), set_id=set_id)
    assert store.delete_last_rep(sid) == 2
    assert [s.exercise for s in store.get_session(sid).sets] == ["squat"]


def test_plans_are_checked_stored_edited_and_deleted(store: SessionStore) -> None:
    items = [PlanItem("squat", 3, target_reps=10, rest_s=60), PlanItem("plank", 2, target_hold_s=30, rest_s=90)]
    plan_id = store.create_plan("Ann", "Legs and core", items)
    plan = store.get_plan(plan_id)
    assert (plan.profile, plan.name, plan.planned_sets) == ("Ann", "Legs and core", 5)
    assert [(i.exercise, i.target) for i in plan.items] == [("squat", "10 reps"), ("plank", "30 s")]
    assert [p.name for p in store.plans("ann")] == ["Legs and core"] and store.plans("nobody") == []
    bad = {
        "needs at least one exercise": [],
        "unknown exercise 'knee_pushup'": [PlanItem("knee_pushup", 3, target_reps=10)],
        "reps must be more than 0, got 0": [PlanItem("squat", 3, target_reps=0)],
        "rest must be more than 0, got -30": [PlanItem("squat", 3, target_reps=8, rest_s=-30)],
        "sets must be more than 0": [PlanItem("squat", 0, target_reps=8)],
        "plank is a hold: give its target in seconds": [PlanItem("plank", 3, target_reps=8)],
        "counted in reps": [PlanItem("squat", 3, target_hold_s=30)],
    }
    for message, wrong in bad.items():
        with pytest.raises(StorageError, match=message):
            store.create_plan("Ann", "Bad", wrong)
        with pytest.raises(StorageError, match=message):
            store.update_plan(plan_id, items=wrong)
    with pytest.raises(StorageError, match="already exists"):
        store.create_plan("ann", "Legs and core", items)
    store.update_plan(plan_id, name="Legs", items=[replace(items[0], sets=4)])
    edited = store.get_plan(plan_id)
    assert (edited.name, edited.planned_sets, edited.items[0].id) == ("Legs", 4, plan.items[0].id)
    store.delete_plan(plan_id)
    assert store.plans() == []
    with pytest.raises(StorageError, match="no plan with id"):
        store.get_plan(plan_id)


def test_a_plan_followed_right_now_is_not_changed_and_adherence_outlives_it(store: SessionStore) -> None:
    plan_id = store.create_plan("ann", "Push", [PlanItem("pushup", 3, target_reps=10, rest_s=60)])
    item = store.get_plan(plan_id).items[0].id
    sid = store.start_session(SessionInfo("pushup", "live", profile="ann"), plan_id=plan_id)
    for n in range(2):
        set_id = store.start_set(sid, "pushup", 100_000 * n, plan_item_id=item)
        store.add_rep(sid, replace(make_rep(n + 1), start_ms=100_000 * n, end_ms=100_000 * n + 1500), set_id=set_id)
    with pytest.raises(StorageError, match="being followed by workout"):
        store.update_plan(plan_id, items=[PlanItem("pushup", 5, target_reps=10)])
    with pytest.raises(StorageError, match="being followed by workout"):
        store.delete_plan(plan_id)
    store.end_session(sid)
    summary = store.get_session(sid).summary
    assert (summary.plan_name, summary.planned_sets, summary.plan_sets_done, summary.adherence) == ("Push", 3, 2, 2 / 3)
    store.delete_plan(plan_id)
    kept = store.get_session(sid).summary
    assert (kept.plan_name, kept.planned_sets, kept.plan_sets_done, kept.set_count) == (None, 3, 0, 2)


def test_history_by_workout_weekly_volume_records_holds_and_the_exercise_filter(store: SessionStore) -> None:
    # Friday 2024-03-01 and Monday 2024-03-04: two weeks (their Mondays Feb 26 and Mar 4).
    store.save_workout(SessionInfo("squat", "live", profile="ann"), _workout(), started_at=T0)
    later = [replace(_workout()[1], index=1, rest_before_ms=None, hold_ms=45_000, breaks=())]
    store.save_workout(SessionInfo("plank", "live", profile="ann"), later, started_at=T0 + timedelta(days=3))
    view = store.history(Selection.of(tz=UTC))
    assert rows_of(view.weekly) == [
        (date(2024, 2, 26), "plank", 1, 0, 38.5),
        (date(2024, 2, 26), "pushup", 1, 3, 0.0),
        (date(2024, 2, 26), "squat", 1, 5, 0.0),
        (date(2024, 3, 4), "plank", 1, 0, 45.0),
    ]
    assert rows_of(view.records) == [
        ("plank", "longest hold", 45.0, "s", date(2024, 3, 4)),
        ("pushup", "most reps in a set", 3, "reps", date(2024, 3, 1)),
        ("squat", "most reps in a set", 5, "reps", date(2024, 3, 1)),
    ]
    assert rows_of(view.holds) == [(date(2024, 3, 1), "plank", 38.5), (date(2024, 3, 4), "plank", 45.0)]
    assert view.training_days == (date(2024, 3, 1), date(2024, 3, 4))
    # Reps per day count each exercise of a workout under that exercise.
    assert {(d, ex): r for d, ex, _, r, *_ in rows_of(view.per_day)} == {
        (date(2024, 3, 1), "plank"): 0,
        (date(2024, 3, 1), "pushup"): 3,
        (date(2024, 3, 1), "squat"): 5,
        (date(2024, 3, 4), "plank"): 0,
    }
    pushups = store.history(Selection.of(exercise="pushup", tz=UTC))
    assert [s.exercise for s in pushups.sessions] == ["squat"]  # the workout that had push-ups in it
    assert rows_of(pushups.weekly) == [(date(2024, 2, 26), "pushup", 1, 3, 0.0)]


def test_a_several_set_workout_is_not_corrected_as_a_whole(store: SessionStore) -> None:
    sid = store.save_workout(SessionInfo("squat", "video"), _workout())
    with pytest.raises(StorageError, match="workout of 3 sets"):
        store.correct_rep_count(sid, 12, "missed some")


def _upgrade(url: str, to_version: int) -> None:
    """An old database as a program of ``to_version`` left it (the migrations of that time)."""
    engine = sa.create_engine(to_url(url))
    with engine.begin() as conn:
        for migration in MIGRATIONS[1:to_version]:
            migration.apply(conn)
            conn.execute(
                sa.insert(_versions).values(
                    version=migration.version, description=migration.description, applied_at=datetime.now(UTC)
                )
            )
        conn.execute(sa.text("UPDATE sessions SET corrected_reps = 3, correction_note = 'one off camera' WHERE id = 1"))
    engine.dispose()


def test_v5_makes_every_old_session_a_one_set_workout(db_url: str) -> None:
    _build_v1(db_url)
    _upgrade(db_url, 4)
    with SessionStore.open(db_url) as store:
        first, second = store.get_session(1), store.get_session(2)
        assert [(s.index, s.exercise, s.start_ms, s.end_ms) for s in first.sets] == [(1, "squat", 0, 1000)]
        assert first.sets[0].reps == first.reps and len(first.reps) == 2
        assert (first.summary.rep_count, first.summary.correction_note) == (3, "one off camera")
        assert len(second.sets) == 1 and second.sets[0].reps == second.reps
        with store.engine.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(sets)) == 2
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM reps WHERE set_id IS NULL").scalar_one() == 0


def test_exports_per_set_and_per_rep(store: SessionStore, tmp_path: object) -> None:
    store.save_workout(SessionInfo("squat", "video", profile="ann"), _workout(), started_at=T0)
    per_set = store.csv_bytes(Selection(), per="set").decode().splitlines()
    header = per_set[0].split(",")
    assert len(per_set) == 4
    assert {"set_index", "exercise", "rep_count", "hold_ms", "velocity_loss_pct", "load", "load_unit"} <= set(header)
    plank = dict(zip(header, per_set[2].split(","), strict=True))
    assert (plank["set_exercise"], plank["hold_ms"], plank["rep_count"]) == ("plank", "38500", "0")
    per_rep = store.csv_bytes(Selection()).decode().splitlines()
    rep_header = per_rep[0].split(",")
    assert len(per_rep) == 9 and "set_index" in rep_header
    last = dict(zip(rep_header, per_rep[-1].split(","), strict=True))
    assert (last["set_index"], last["rep_index"]) == ("3", "8")


def test_the_recorder_records_a_planned_workout_set_by_set(store: SessionStore) -> None:
    """What the live page does: each set opened when it starts, each rep committed as it
    completes (numbered through the workout), a hold's time when its set ends."""
    plan_id = store.create_plan(
        "ann", "Mixed", [PlanItem("squat", 1, target_reps=2), PlanItem("plank", 1, target_hold_s=20)]
    )
    squat_item, plank_item = (i.id for i in store.get_plan(plan_id).items)
    with SessionRecorder(store, SessionInfo("squat", "live", profile="ann"), plan_id=plan_id) as rec:
        with pytest.raises(RuntimeError, match="start_set"):
            rec.end_set()
        rec.start_set("squat", 1000, plan_item_id=squat_item)
        for rep in _reps(1, 2, 1000):
            assert rec.add(rep)
        rec.end_set()
        rec.start_set("plank", 40_000, rest_before_ms=35_300, plan_item_id=plank_item)
        rec.end_set(end_ms=62_000, hold_ms=21_500)
        sid = rec.session_id
    assert sid is not None
    detail = store.get_session(sid)
    assert [(s.exercise, len(s.reps), s.hold_ms, s.rest_before_ms) for s in detail.sets] == [
        ("squat", 2, None, None),
        ("plank", 0, 21_500, 35_300),
    ]
    assert (detail.summary.planned_sets, detail.summary.plan_sets_done, detail.summary.end_reason) == (
        2,
        2,
        "completed",
    )
    with pytest.raises(RuntimeError, match="has ended"):
        rec.start_set("squat", 90_000)
