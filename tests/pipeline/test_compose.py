"""How composed workouts are planned (no video is made: ``compose`` itself is exercised on real
clips in ``test_workouts_real.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.pipeline.compose import ComposeError, plan_workouts
from fitness.pipeline.evaluation import LabelledClip


def clip(exercise: str, n: int) -> LabelledClip:
    return LabelledClip(Path(f"{exercise}_{n}.mp4"), exercise, 5, 5, 5)


# Uneven on purpose: many squats, few of the rest, so the deal runs out of fitting clips
# part-way through a workout (which once left workouts of a single set).
CLIPS = [clip("squat", n) for n in range(8)] + [clip(e, 0) for e in ("pushup", "curl", "lunge", "plank")]


@pytest.mark.parametrize("seed", range(20))
def test_every_workout_has_three_to_six_sets_of_different_exercises(seed: int) -> None:
    plans = plan_workouts(CLIPS, 12, seed=seed)
    assert len(plans) == 12
    for plan in plans:
        exercises = [c.exercise for c in plan.clips]
        assert 3 <= len(exercises) <= 5, (plan.name, exercises)  # five exercises are all there are
        assert len(set(exercises)) == len(exercises), (plan.name, exercises)
        assert len(plan.pauses) == len(exercises) - 1


def test_the_same_seed_plans_the_same_workouts() -> None:
    assert plan_workouts(CLIPS, 5, seed=3) == plan_workouts(CLIPS, 5, seed=3)


def test_too_few_exercises_for_a_workout_is_a_clear_error() -> None:
    with pytest.raises(ComposeError, match="needs clips of 3"):
        plan_workouts([clip("squat", 0), clip("curl", 0)], 1)
