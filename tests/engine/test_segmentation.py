"""The segmenter stepped frame by frame on made-up movements, with exact expectations; and
velocity loss on made-up reps."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fitness.engine.fatigue import FatigueMonitor, rep_losses, velocity_loss
from fitness.engine.registry import REGISTRY
from fitness.engine.segmentation import Movement, Segment, SegmentConfig, Segmenter, out_of_position
from fitness.engine.values import Rep

STEP = 100.0  # ms between frames


def run(
    moves: list[Movement],
    until_ms: float,
    *,
    away: tuple[float, float] | None = None,
    busy: tuple[float, float] | None = None,
) -> list[Segment]:
    """Every frame up to ``until_ms``; each movement reported on the frame it ends."""
    seg = Segmenter()
    closed: list[Segment] = []
    t = 0.0
    while t <= until_ms:
        now = [m for m in moves if t - STEP < m.end_ms <= t]
        is_away = away is not None and away[0] <= t < away[1]
        is_busy = busy is not None and busy[0] <= t < busy[1]
        closed += seg.update(t, now, is_away, is_busy)
        t += STEP
    return closed + seg.finish()


def cycles(exercise: str, start_s: float, n: int, every_s: float = 2.0, length_s: float = 1.6) -> list[Movement]:
    return [
        Movement(exercise, round((start_s + i * every_s) * 1000), round((start_s + i * every_s + length_s) * 1000))
        for i in range(n)
    ]


def spans(found: list[Segment]) -> list[tuple[str, float, float, str]]:
    return [(s.exercise, round(s.start_ms / 1000, 2), round(s.end_ms / 1000, 2), s.closed_by) for s in found]


def test_pauses_shorter_than_a_rest_stay_in_the_set() -> None:
    # Five squats, a 5 s pause at the top, three more: one set (a breath between reps is no rest).
    moves = cycles("squat", 0, 5) + cycles("squat", 14.6, 3)
    assert spans(run(moves, 40_000)) == [("squat", 0.0, 20.2, "rest")]


def test_a_rest_ends_the_set_and_the_next_set_starts_with_its_first_movement() -> None:
    moves = cycles("squat", 0, 4) + cycles("squat", 30, 3)
    found = run(moves, 60_000)
    assert spans(found) == [("squat", 0.0, 7.6, "rest"), ("squat", 30.0, 35.6, "rest")]


def test_the_set_closes_rest_seconds_after_its_last_movement() -> None:
    seg = Segmenter()
    moves = cycles("squat", 0, 3)
    closed_at = None
    t = 0.0
    while closed_at is None and t < 30_000:
        if seg.update(t, [m for m in moves if t - STEP < m.end_ms <= t]):
            closed_at = t
        t += STEP
    assert closed_at == pytest.approx(5_600 + SegmentConfig().rest_s * 1000)


def test_leaving_the_position_ends_the_set_sooner_than_a_rest() -> None:
    moves = cycles("pushup", 0, 5) + cycles("pushup", 14, 2)
    # Kneeling up between 10 and 13.5 s: two seconds away after the last push-up is a rest.
    found = run(moves, 30_000, away=(10_000, 13_500))
    assert spans(found) == [("pushup", 0.0, 9.6, "away"), ("pushup", 14.0, 17.6, "rest")]
    # Away for less than two seconds (a keypoint glitch) changes nothing.
    assert len(run(moves, 30_000, away=(10_000, 11_500))) == 1


def test_a_rep_in_progress_is_no_rest() -> None:
    # A very slow squat: reported 9 s after the one before it, but moving all along.
    moves = [Movement("squat", 0, 1600), Movement("squat", 2000, 10_600), Movement("squat", 11_000, 12_600)]
    assert len(run(moves, 30_000)) == 2
    assert spans(run(moves, 30_000, busy=(2_000, 10_600))) == [("squat", 0.0, 12.6, "rest")]


def test_three_movements_of_another_exercise_start_a_new_set() -> None:
    # Squats straight into push-ups, no pause: the push-ups' third cycle opens their set.
    moves = cycles("squat", 0, 4) + cycles("pushup", 8.5, 4)
    assert spans(run(moves, 40_000)) == [("squat", 0.0, 7.6, "switch"), ("pushup", 8.5, 16.1, "rest")]


def test_a_transition_of_two_cycles_is_not_a_new_exercise() -> None:
    moves = cycles("squat", 0, 4) + cycles("lunge", 8.2, 2) + cycles("squat", 12.2, 3)
    found = run(moves, 40_000)
    assert spans(found) == [("squat", 0.0, 17.8, "rest")]


def test_a_lone_gesture_is_forgotten() -> None:
    # 0.6 s of something that looks like a curl: below the one second of evidence recognition needs.
    assert run([Movement("curl", 5_000, 5_600)], 30_000) == []


def test_counted_reps_keep_a_set_alive_but_do_not_decide_its_exercise() -> None:
    moves = cycles("squat", 0, 3) + [Movement("deadlift", 6000 + 2000 * i, 7600 + 2000 * i, "rep") for i in range(5)]
    assert spans(run(moves, 40_000)) == [("squat", 0.0, 5.6, "rest")]


def test_out_of_position() -> None:
    pushup, squat = REGISTRY["pushup"], REGISTRY["squat"]
    assert out_of_position(pushup, False, None)
    assert out_of_position(pushup, True, "upright") == (pushup.orientation not in (None, "upright"))
    assert not out_of_position(pushup, True, None)
    assert not out_of_position(squat, True, squat.orientation)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rest_s"):
        SegmentConfig(rest_s=0)
    with pytest.raises(ValueError, match="switch_moves"):
        SegmentConfig(switch_moves=0)
    with pytest.raises(ValueError, match="ends before it starts"):
        Movement("squat", 10, 5)


# -- velocity loss ------------------------------------------------------------------------------


def rep(index: int, concentric_ms: int, side: str = "left") -> Rep:
    return Rep(index, 0, 500, 500 + concentric_ms, 80.0, 170.0, 90.0, 500, concentric_ms, "good", (), side)


def test_velocity_loss_is_against_the_fastest_of_the_first_reps() -> None:
    reps = [rep(1, 700), rep(2, 600), rep(3, 650), rep(4, 720), rep(5, 780)]
    losses = rep_losses(reps)
    assert losses[2] == 0.0 and losses[1] == pytest.approx(1 - 600 / 700)
    assert losses[5] == pytest.approx(1 - 600 / 780)
    # The set so far: the mean of its last two reps (750 ms) against 600 ms.
    assert velocity_loss(reps) == pytest.approx(1 - 600 / 750)
    assert velocity_loss(reps[:2]) is None  # nothing beyond the reference reps yet


def test_each_side_of_an_alternating_exercise_has_its_own_reference() -> None:
    reps = [rep(1, 500, "left"), rep(2, 800, "right"), rep(3, 520, "left"), rep(4, 820, "right"),
            rep(5, 700, "left"), rep(6, 830, "right")]  # fmt: skip
    assert rep_losses(reps, by_side=True)[2] == 0.0
    assert velocity_loss(reps, by_side=True) == pytest.approx(1 - 500 / 610)
    assert velocity_loss(reps) == pytest.approx(1 - 500 / 765)


def test_the_stop_signal_comes_at_twenty_percent_and_stays() -> None:
    monitor = FatigueMonitor()
    states = [monitor.add(rep(i + 1, ms)) for i, ms in enumerate([600, 600, 660, 720, 800, 640])]
    assert [s.stop for s in states] == [False, False, False, False, True, True]
    assert states[4].loss == pytest.approx(1 - 600 / 760)
    assert states[5].loss == pytest.approx(1 - 600 / 720)  # faster again, but the set was done
    assert not any(s.stop for s in (FatigueMonitor(None).add(rep(i + 1, 600 + 200 * i)) for i in range(4)))
    with pytest.raises(ValueError, match="stop_at"):
        FatigueMonitor(20)


def test_reps_without_a_lifting_phase_have_no_velocity_loss() -> None:
    assert velocity_loss([replace(rep(i, 0), concentric_ms=0) for i in range(1, 5)]) is None
