"""The live path finds a workout's sets on real footage, frame by frame (real model, real clips):
the short workout joined from labelled clips (squats, a title card, lateral raises, someone
walking, a plank), then nobody in view, as the webcam page's coach sees it.

Free (``auto``): each set is found as it ends, with its exercise recognised from its own
movements and its count, as a video analysis finds them. Plan: the coach counts what the plan
says next, and gets the same sets.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from fitness.pipeline.live import LiveCoach, SetEnd
from fitness.pipeline.workout_eval import load_workouts
from fitness.pose.types import Pose
from tests.replay_poses import Replay

pytestmark = pytest.mark.slow

AWAY_S = 3.0  # nobody in view after the plank: the person has walked off


def webcam_feed(video: Path) -> list[tuple[float, np.ndarray]]:
    """The joined video's frames (already 640x360) with their times, then black frames."""
    from fitness.pipeline.video_io import open_video

    with open_video(video) as frames:
        feed = [(f.t_ms, f.rgb) for f in frames]
    last, black = feed[-1][0], np.zeros_like(feed[-1][1])
    return feed + [(last + 1000.0 * i / 30, black) for i in range(1, round(AWAY_S * 30) + 1)]


def run(coach: LiveCoach, feed: list[tuple[float, np.ndarray]], plan: list[str] | None) -> list[SetEnd]:
    ended: list[SetEnd] = []
    following = iter(plan or [])

    def on_set_end(end: SetEnd) -> str:
        ended.append(end)
        return next(following, "auto") if plan is not None else "auto"

    coach.follow_sets(on_set_end)
    for t_ms, rgb in feed:
        coach.process(rgb, t_ms)
    return ended


@pytest.fixture(scope="module")
def feed(short_workout: Path) -> list[tuple[float, np.ndarray]]:
    (workout,) = load_workouts(short_workout)
    return webcam_feed(workout.path)


def check(ended: list[SetEnd], short_workout: Path) -> None:
    (workout,) = load_workouts(short_workout)
    assert [(e.exercise, len(e.reps)) for e in ended] == [("squat", 3), ("lateral_raise", 4), ("plank", 0)]
    plank = ended[2]
    assert plank.hold_ms is not None and abs(plank.hold_ms / 1000 - 6.2) <= 2.0
    assert all(e.confirmed for e in ended)
    for found, truth in zip(ended, workout.sets, strict=True):
        # Each set within its own clip's span (a little slack for the first rep's start).
        assert truth.start_s - 1.5 <= found.start_ms / 1000 and found.end_ms / 1000 <= truth.end_s + 1.5
    rests = [(b.start_ms - a.end_ms) / 1000 for a, b in itertools.pairwise(ended)]
    assert all(r >= 3.0 for r in rests), rests  # a title card or a walk at least


def test_free_and_planned_workouts_are_found_set_by_set(
    feed: list[tuple[float, np.ndarray]], short_workout: Path, lightning: object
) -> None:
    coach = LiveCoach("auto", lightning, draw=False)  # type: ignore[arg-type]
    poses: list[Pose | None] = []
    ended: list[SetEnd] = []

    def on_set_end(end: SetEnd) -> str:
        ended.append(end)
        return "auto"

    coach.follow_sets(on_set_end)
    for t_ms, rgb in feed:
        coach.process(rgb, t_ms)
        poses.append(coach.last_pose)
    check(ended, short_workout)

    # A plan of the same three: each set counts the exercise the plan names.
    planned = LiveCoach("squat", Replay(poses), draw=False)  # type: ignore[arg-type]
    check(run(planned, feed, ["lateral_raise", "plank"]), short_workout)
