"""Sets in a stream: made-up figures (tests/figures.py) through the real engine, as a video
analysis and frame by frame as the live page will feed it."""

from __future__ import annotations

import pytest

from fitness.engine.segmentation import SegmentConfig
from fitness.pipeline.stream import AUTO, StreamAnalyzer, analyze_poses
from fitness.pose.types import Pose
from tests.figures import DT, horizontal_figure, reps, standing_figure


def frames(*parts: list[Pose | None]) -> list[tuple[float, Pose | None]]:
    poses = [p for part in parts for p in part]
    return [(i * DT, p) for i, p in enumerate(poses)]


def squats(n: int) -> list[Pose | None]:
    return [standing_figure(k) for k in reps(n, 175, 80)]


def pushups(n: int) -> list[Pose | None]:
    return [horizontal_figure(e) for e in reps(n, 170, 80)]


def still(seconds: float) -> list[Pose | None]:
    return [standing_figure()] * round(seconds * 1000 / DT)


def nobody(seconds: float) -> list[Pose | None]:
    return [None] * round(seconds * 1000 / DT)


WORKOUT = frames(squats(3), still(12), squats(4), nobody(3), pushups(5), still(1))


@pytest.mark.parametrize("exercise", ["squat", AUTO])
def test_a_rest_splits_sets_of_one_exercise(exercise: str) -> None:
    result = analyze_poses(frames(squats(3), still(12), squats(4), still(10)), exercise)
    assert [(s.exercise, len(s.reps)) for s in result.sets] == [("squat", 3), ("squat", 4)]
    assert result.count == 7  # the total, as before sets
    assert [r.index for s in result.sets for r in s.reps] == list(range(1, 8))
    first, second = result.sets
    assert first.rest_before_ms is None
    assert second.rest_before_ms == second.start_ms - first.end_ms
    assert 12_000 <= second.rest_before_ms <= 13_500


def test_a_workout_of_two_exercises_is_two_sets_named_right() -> None:
    result = analyze_poses(WORKOUT, AUTO)
    assert [(s.exercise, len(s.reps)) for s in result.sets] == [("squat", 3), ("squat", 4), ("pushup", 5)]
    doc = result.to_dict()
    assert doc["reps"] == result.count and "rep_list" in doc  # the existing keys stay
    assert [
        set(s) >= {"index", "exercise", "start_s", "end_s", "reps", "rest_before_s", "rep_list"} for s in doc["sets"]
    ]
    assert [s["reps"] for s in doc["sets"]] == [3, 4, 5]
    assert doc["sets"][2]["rest_before_s"] >= 3.0


def test_frame_by_frame_the_sets_are_the_same_and_come_when_each_set_ends() -> None:
    """What the live page sees: ``set_tracker.new_sets`` on the frame a set closes, no later than
    ``rest_s`` after its last rep (``away_s`` when the person leaves the position)."""
    offline = analyze_poses(WORKOUT, AUTO).sets
    live = StreamAnalyzer(AUTO, keep_frames=False)
    closed_at: list[tuple[float, int]] = []
    for t, pose in WORKOUT:
        live.update(pose, t)
        closed_at += [(t, s.index) for s in live.set_tracker.new_sets]
        if live.set_tracker.exercise is not None:
            assert live.set_tracker.exercise in ("squat", "pushup")
    live.finish()
    closed_at += [(WORKOUT[-1][0], s.index) for s in live.set_tracker.new_sets]
    assert live.sets == offline
    rest_ms = SegmentConfig().rest_s * 1000
    for (t, index), found in zip(closed_at, offline, strict=True):
        assert index == found.index
        assert found.end_ms <= t <= found.end_ms + rest_ms + DT
    # The first set ends by a rest (standing still), the second when nobody is in view (2 s).
    assert closed_at[1][0] - offline[1].end_ms <= SegmentConfig().away_s * 1000 + 1000
