"""A live stream as a workout: the coach finds where each set ends, the live state opens and
closes each set in the history as it happens, counts the rest, follows a plan, and says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fitness.app.announce import Announcer
from fitness.app.live_state import LiveSettings, LiveState, store_recorders
from fitness.store import SessionStore
from fitness.store.values import Plan, PlanItem
from tests.app.live_fakes import FRAME, REP_MS, FakeWorkoutCoach, Harness, feed

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def frame_ms(n: int) -> int:
    """Stream time of the ``n``-th frame fed (1-based) at 30 fps."""
    return round((n - 1) / 30 * 1000)


def test_a_free_workout_is_one_session_of_sets_each_opened_and_closed_as_it_happens() -> None:
    h = Harness(rep_on={3, 6, 9, 40, 43}, end_on={20})
    live = h.state(exercise="auto")
    live.arm()
    feed(live, 10)
    snap = live.snapshot()
    (recorder,) = h.recorders
    assert snap.reps == 3 and snap.workout.current is not None and snap.workout.current.index == 1
    assert recorder.sets == [
        {"exercise": "squat", "start_ms": frame_ms(3) - REP_MS, "rest_before_ms": None, "plan_item_id": None, "reps": 0}
    ]
    feed(live, 15, start_s=10 / 30)  # frame 20: the coach says the set ended
    snap = live.snapshot()
    assert snap.workout.current is None and len(snap.workout.sets) == 1
    assert recorder.sets[0]["ended"] and recorder.sets[0]["end_ms"] == frame_ms(9)
    assert snap.reps == 3  # the rest shows the last set's count until the next set begins
    assert snap.workout.board(snap.workout.sets[0].ended_at or 0, snap.started_at).state == "rest"
    coach = h.coaches[0]
    assert isinstance(coach, FakeWorkoutCoach) and coach.told == ["auto"]  # recognise the next one afresh
    feed(live, 20, start_s=25 / 30)  # frames 26-45: the second set, two reps
    snap = live.snapshot()
    second = snap.workout.current
    assert second is not None and second.index == 2 and snap.reps == 2
    assert [r.index for r in snap.recent] == [2, 1]  # numbered per set on the page...
    assert [r.index for r in recorder.reps] == [1, 2, 3, 4, 5]  # ...and through the workout in the history
    assert recorder.sets[1]["rest_before_ms"] == (frame_ms(40) - REP_MS) - frame_ms(9)
    assert second.rest_before_s == pytest.approx(recorder.sets[1]["rest_before_ms"] / 1000)
    live.disarm("stopped")
    snap = live.snapshot()
    assert recorder.sets[1]["ended"] and recorder.finished == ["stopped"]
    assert [len(s.reps) for s in snap.workout.sets] == [3, 2] and snap.workout.current is None
    assert len(h.coaches) == 1  # one coach (one pose tracker) for the whole workout


PLAN = Plan(
    5,
    "default",
    "Quick",
    (PlanItem("squat", 2, 3, rest_s=30, id=51), PlanItem("pushup", 1, 2, rest_s=45, id=52)),
    NOW,
    NOW,
)


def test_a_plan_sets_what_each_set_counts_and_is_marked_done() -> None:
    h = Harness(rep_on={2, 4, 12, 14, 22, 24}, end_on={8, 18, 28})
    live = h.state(exercise="auto", plan=PLAN)
    live.arm()
    feed(live, 1)
    coach = h.coaches[0]
    assert isinstance(coach, FakeWorkoutCoach)
    assert coach.settings.exercise == "squat"  # the plan's first exercise, not "auto"
    assert h.recorders[0].exercise == "squat"  # so the session opens at once, under it
    feed(live, 29, start_s=1 / 30)
    snap = live.snapshot()
    assert coach.told == ["squat", "pushup", "auto"]  # set 2 of squats, then push-ups, then free
    assert [(s["exercise"], s["plan_item_id"]) for s in h.recorders[0].sets] == [
        ("squat", 51),
        ("squat", 51),
        ("pushup", 52),
    ]
    workout = snap.workout
    assert workout.complete and workout.steps_done == 3
    board = workout.board(workout.sets[-1].ended_at or 0.0, snap.started_at)
    assert (board.state, board.progress) == ("complete", "Plan Quick: 3 of 3 sets done")


def test_a_plan_workout_in_a_real_history_keeps_every_set_as_it_happens(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with SessionStore.open(db) as store:
        plan_id = store.create_plan("default", "Quick", [PlanItem("squat", 2, 3, rest_s=30)])
        plan = store.get_plan(plan_id)
        h = Harness(rep_on={2, 4, 6, 22}, end_on={10})
        live = LiveState(h.coach, store_recorders(store))
        live.configure(LiveSettings(exercise="auto", max_fps=1000.0, plan=plan))
        live.arm()
        feed(live, 25)
        session_id = live.snapshot().session_id
        assert session_id is not None
        # Not stopped yet: what a process killed now would leave behind is already committed.
        with SessionStore.open(db) as other:
            detail = other.get_session(session_id)
        assert detail.summary.end_reason == "in_progress" and detail.summary.plan_id == plan_id
        assert detail.summary.planned_sets == 2
        assert [(s.exercise, len(s.reps)) for s in detail.sets] == [("squat", 3), ("squat", 1)]
        assert detail.sets[0].end_ms == frame_ms(6)
        assert detail.sets[1].rest_before_ms == (frame_ms(22) - REP_MS) - frame_ms(6)
        assert [r.index for r in detail.reps] == [1, 2, 3, 4]
        # Undo in the second set takes its newest rep, numbered through the workout.
        assert live.undo_last_rep(1).startswith("Rep 1 removed from the count and from the history")
        live.disarm("stopped")
        detail = store.get_session(session_id)
        assert detail.summary.end_reason == "stopped" and [r.index for r in detail.reps] == [1, 2, 3]
        (summary,) = store.list_sessions()
        assert (summary.set_count, summary.plan_sets_done, summary.planned_sets) == (1, 1, 2)


def test_the_next_sets_reps_beep_and_the_rest_is_said_once() -> None:
    h = Harness(rep_on={3, 6, 30}, end_on={10})
    live = h.state(exercise="auto")
    live.arm()
    announcer = Announcer()
    items = []
    for n in range(1, 36):
        live.process(FRAME, (n - 1) / 30)
        snap = live.snapshot()
        wall = snap.workout.sets[-1].ended_at + 1.0 if snap.workout.sets and snap.workout.sets[-1].ended_at else 0.0
        item = announcer.update(snap, float(n), beep=True, speak=True, wall=wall)
        if item is not None:
            items.append(item)
    assert [(i.beep, i.say) for i in items] == [
        (True, None),  # rep 2 (rep 1 opened the session: counted before the page looked)
        (False, "Set 1 done: 2 reps. Rest."),
        (True, None),  # rep 1 of set 2 is new
    ]


def test_the_velocity_loss_alert_can_be_turned_on_mid_workout() -> None:
    h = Harness(rep_on={3, 6}, end_on=set())
    live = h.state()
    live.arm()
    feed(live, 4)
    live.set_fatigue_alert(0.2)
    assert live.snapshot().workout.stop_at == 0.2
    live.set_fatigue_alert(None)
    assert live.snapshot().workout.stop_at is None
