"""Which exercise is this? Run every registered counter over the same poses and compare.

The counters already know what each exercise looks like (body orientation, which joint bends,
through how much range), so recognition is their verdict, not a separate model: the exercise
with the most counted reps wins, then the one the person was in position for longest. The
margin over the runner-up is the confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fitness.engine.counter import CounterConfig, FrameResult, RepCounter
from fitness.engine.spec import ExerciseSpec
from fitness.pose.types import Pose

LOW_CONFIDENCE = 0.5
# Reps dominate the score; the share of frames in position only breaks ties (0 reps everywhere).
IN_POSITION_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Recognition:
    exercise: str
    confidence: float  # 0..1
    scores: dict[str, float]

    @property
    def confident(self) -> bool:
        return self.confidence >= LOW_CONFIDENCE


def _score(counter: RepCounter) -> float:
    stats = counter.stats
    tracks = 2 if counter.spec.sides == "both" else 1
    in_position = stats.counted / (stats.with_person * tracks) if stats.with_person else 0.0
    return counter.count + IN_POSITION_WEIGHT * in_position


def decide(scores: Mapping[str, float]) -> Recognition:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = 0.0 if top <= 0 else max(0.0, min(1.0, (top - second) / max(top, 1.0)))
    return Recognition(best, round(confidence, 3), {k: round(v, 3) for k, v in scores.items()})


class ExerciseRecognizer:
    """One counter per exercise over the same stream; ``current()`` is the verdict so far."""

    def __init__(self, specs: Mapping[str, ExerciseSpec], config: CounterConfig | None = None) -> None:
        if not specs:
            raise ValueError("ExerciseRecognizer needs at least one exercise spec")
        self.counters = {key: RepCounter(spec, config) for key, spec in specs.items()}

    def update(self, pose: Pose | None, t_ms: float) -> dict[str, FrameResult]:
        return {key: c.update(pose, t_ms) for key, c in self.counters.items()}

    def current(self) -> Recognition:
        return decide({key: _score(c) for key, c in self.counters.items()})
