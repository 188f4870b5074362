"""The live workout as a value: sets, rests, a plan followed step by step, what the scoreboard
shows and what is said, stepped through with explicit times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fitness.app.workout_live import Board, Workout, many, plan_steps
from fitness.engine.values import Rep
from fitness.store.values import Plan, PlanItem

T0 = 1_700_000_000.0  # wall clock of START
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def rep(index: int, start_ms: int, concentric_ms: int = 500) -> Rep:
    end = start_ms + 500 + concentric_ms
    return Rep(index, start_ms, start_ms + 500, end, 80.0, 170.0, 90.0, 500, concentric_ms, "good")


def plan(*items: PlanItem) -> Plan:
    return Plan(7, "default", "Legs", items, NOW, NOW)


LEGS = plan(
    PlanItem("squat", 2, 3, rest_s=60, id=11),
    PlanItem("plank", 1, target_hold_s=30, rest_s=30, id=12),
)


def do_set(w: Workout, exercise: str, first_ms: int, n: int, at: float) -> Workout:
    """``n`` reps 1.5 s apart from stream time ``first_ms``, started at wall time ``at``."""
    w = w.start_set(exercise, first_ms, at)
    for i in range(n):
        w = w.add_rep(rep(i + 1, first_ms + 1500 * i))
    return w


def test_a_plan_is_its_sets_in_order_and_says_what_each_asks() -> None:
    steps = plan_steps(LEGS)
    assert [(s.exercise, s.set_no, s.sets, s.item_id) for s in steps] == [
        ("squat", 1, 2, 11),
        ("squat", 2, 2, 11),
        ("plank", 1, 1, 12),
    ]
    assert steps[0].target() == "3 squats" and steps[1].which() == "set 2 of 2"
    assert steps[2].target() == "30 s plank" and steps[2].hold
    assert [many(k) for k in ("pushup", "crunch", "overhead_press", "curl")] == [
        "push-ups",
        "crunches",
        "overhead presses",
        "biceps curls",
    ]


def test_a_free_workout_counts_up_the_rest_between_sets() -> None:
    w = Workout.following(None)
    board = w.board(T0 + 3, T0)
    assert (board.state, board.timer_label, board.timer) == ("waiting", "Set time", "0:03")
    w = do_set(w, "squat", 2000, 3, T0 + 2)
    assert w.current is not None and w.current.index == 1 and len(w.current.reps) == 3
    board = w.board(T0 + 7, T0)
    # The first set is timed from START (as the history files the workout), later ones from their first rep.
    assert (board.state, board.timer, board.headline) == ("set", "0:07", "Squat · set 1")
    w = w.end_set(T0 + 7, end_ms=6000)
    board = w.board(T0 + 30, T0)
    assert (board.state, board.timer_label, board.timer) == ("rest", "Rest", "0:23")
    assert board.headline == "Rest · the next set starts with its first rep"
    assert [(a.key, a.text) for a in w.announcements(T0 + 8)] == [("rest-1", "Set 1 done: 3 reps. Rest.")]
    w = do_set(w, "pushup", 40_000, 2, T0 + 41)
    second = w.current
    assert second is not None and second.rest_before_s == pytest.approx(34.0)  # 6.0 s -> 40.0 s of stream
    assert w.rep_offset() == 3  # the history numbers reps through the workout
    assert w.board(T0 + 45, T0).timer == "0:04"
    assert w.announcements(T0 + 45) == ()
    assert w.exercise_to_count("auto") == "auto"  # no plan: whatever the page chose


def test_a_plan_is_followed_step_by_step_with_the_rest_counted_down() -> None:
    w = Workout.following(LEGS)
    assert w.planned and w.step == plan_steps(LEGS)[0] and w.exercise_to_count("auto") == "squat"
    assert w.board(T0, T0).headline == "First: Squat, set 1 of 2 · target 3 squats"
    assert w.board(T0, T0).progress == "Plan Legs: 0 of 3 sets done"

    w = do_set(w, "squat", 2000, 3, T0 + 2)
    assert w.board(T0 + 5, T0).headline == "Set 1 of 2 · target 3 squats"
    w = w.end_set(T0 + 10, end_ms=6000)
    assert w.steps_done == 1 and w.exercise_to_count("auto") == "squat"
    board = w.board(T0 + 22, T0)
    assert (board.state, board.timer_label, board.timer) == ("rest", "Rest left", "0:48")
    assert board.headline == "Next: Squat, set 2 of 2 · target 3 squats"
    assert board.progress == "Plan Legs: 1 of 3 sets done"
    # "Rest 60 seconds" as the rest starts; what comes next when 10 s are left.
    assert [a.text for a in w.announcements(T0 + 10)] == ["Rest 60 seconds."]
    assert [a.text for a in w.announcements(T0 + 60)] == ["Rest 60 seconds.", "Next: squats, set 2 of 2."]
    over = w.board(T0 + 75, T0)
    assert (over.timer_label, over.timer) == ("Rest over", "+0:05")
    assert over.headline.endswith("· go when ready")

    w = do_set(w, "squat", 70_000, 2, T0 + 72)
    current = w.current
    assert current is not None and current.step == plan_steps(LEGS)[1]
    assert w.board(T0 + 74, T0).headline == "Set 2 of 2 · target 3 squats"
    assert w.board(T0 + 74, T0).held_s is None  # a set of reps shows its count
    w = w.end_set(T0 + 76, end_ms=73_000)
    # Two squats of three: the set is done all the same, and says what was done.
    assert [a.text for a in w.announcements(T0 + 76)] == ["Rest 60 seconds."]
    assert w.board(T0 + 80, T0).headline == "Next: Plank, set 1 of 1 · target 30 s plank"
    assert w.exercise_to_count("auto") == "plank"

    w = w.start_set("plank", 140_000, T0 + 140).hold(12_000, 152_000)
    assert w.board(T0 + 152, T0).held_s == 12.0  # a hold shows its time held in the count's place
    w = w.hold(31_000, 171_000).end_set(T0 + 172)
    last = w.last
    assert last is not None and last.hold_ms == 31_000 and last.done() == "31 s" and last.end_ms == 171_000
    assert w.complete and w.step is None and w.exercise_to_count("auto") == "auto"
    board = w.board(T0 + 175, T0)
    assert (board.state, board.headline, board.progress) == (
        "complete",
        "Plan complete: every set done",
        "Plan Legs: 3 of 3 sets done",
    )
    assert [a.text for a in w.announcements(T0 + 175)] == ["Plan complete. Well done."]
    # A set after the plan is complete is a free one.
    w = do_set(w, "squat", 200_000, 2, T0 + 200)
    assert w.current is not None and w.current.step is None and w.steps_done == 3


def test_a_short_rest_says_what_comes_next_at_once() -> None:
    quick = plan(PlanItem("pushup", 2, 10, rest_s=10, id=1))
    w = do_set(Workout.following(quick), "pushup", 0, 3, T0).end_set(T0 + 5)
    assert [a.text for a in w.announcements(T0 + 5)] == ["Rest 10 seconds. Next: push-ups, set 2 of 2."]


def test_each_announcement_has_its_own_key() -> None:
    w = Workout.following(LEGS)
    keys: list[str] = []
    for n, start in enumerate((0, 70_000), start=1):
        w = do_set(w, "squat", start, 3, T0 + start / 1000).end_set(T0 + start / 1000 + 5)
        keys += [a.key for a in w.announcements(T0 + start / 1000 + 55)]
        assert keys[-2:] == [f"rest-{n}", f"next-{n}"]
    assert len(set(keys)) == len(keys)


def test_the_velocity_loss_alert_flags_the_set_and_stays() -> None:
    w = Workout.following(None, stop_at=0.2).start_set("squat", 0, T0)
    for i, concentric in enumerate((500, 520, 600, 700), start=1):
        w = w.add_rep(rep(i, 2000 * i, concentric))
    current = w.current
    # Reference: the faster of the first two (500 ms); the last two average 650 ms: 23% slower.
    assert current is not None and current.velocity_loss == pytest.approx(1 - 500 / 650)
    assert current.flagged
    board = w.board(T0 + 10, T0)
    assert board.alert == "Stop the set: reps 23% slower than your first (the 20% limit)"
    (said,) = w.announcements(T0 + 10)
    assert (said.key, said.text) == ("stop-1", "Stop the set: reps 23% slower than your first")
    w = w.add_rep(rep(5, 10_000, 500))  # a quick rep after it does not unflag the set
    assert w.current is not None and w.current.flagged
    # Without the alert the loss is still measured, never flagged.
    calm = Workout.following(None).start_set("squat", 0, T0)
    for i, concentric in enumerate((500, 520, 600, 700), start=1):
        calm = calm.add_rep(rep(i, 2000 * i, concentric))
    assert calm.current is not None and not calm.current.flagged and calm.board(T0, T0).alert is None


def test_undo_takes_the_last_sets_newest_rep() -> None:
    w = do_set(Workout.following(None), "squat", 0, 3, T0).end_set(T0 + 5)
    w = w.remove_rep()
    assert w.last is not None and len(w.last.reps) == 2 and w.last.end_ms == rep(2, 1500).end_ms
    with pytest.raises(ValueError, match="no rep to take back"):
        Workout.following(None).remove_rep()
    with pytest.raises(ValueError, match="no set is in progress to add a rep"):
        w.add_rep(rep(3, 9000))
    with pytest.raises(ValueError, match="set 2 is still in progress"):
        w.start_set("squat", 9000, T0 + 9).start_set("squat", 9500, T0 + 10)


def test_the_board_timer_reads_as_a_clock() -> None:
    assert Board("rest", "Rest left", 48.4, "").timer == "0:48"
    assert Board("rest", "Rest over", 65.0, "").timer == "+1:05"


def test_the_picture_says_the_rest_and_what_comes_next() -> None:
    w = do_set(Workout.following(LEGS), "squat", 0, 3, T0)
    assert w.picture_line(T0 + 3) is None  # in a set: the count and the cues are the picture's
    w = w.end_set(T0 + 5, end_ms=4000)
    assert w.picture_line(T0 + 17) == "Rest 0:48 · next: Squat, set 2 of 2"
    assert w.picture_line(T0 + 70) == "Rest over · next: Squat, set 2 of 2"
    free = do_set(Workout.following(None), "squat", 0, 3, T0).end_set(T0 + 5)
    assert free.picture_line(T0 + 17) == "Rest 0:12"
