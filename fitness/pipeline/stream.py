"""A pose stream through the engine: counter -> reps, notes, per-frame results.

:class:`StreamAnalyzer` is the one place a stream of poses meets the counters, whatever it came
from: a video file (:mod:`fitness.pipeline.video_analysis`), the webcam
(:mod:`fitness.pipeline.live`) or poses already estimated (:func:`analyze_poses`: tests, tuning,
replays). ``exercise="auto"`` counts every registered exercise side by side and reports the one
the recogniser settles on. A named exercise is still checked against the others, so footage of
the wrong exercise ends with a low-confidence note instead of a confident wrong count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from fitness.engine.counter import CounterConfig, FrameResult, RepCounter
from fitness.engine.recognition import ExerciseRecognizer, Recognition
from fitness.engine.registry import REGISTRY
from fitness.engine.spec import ExerciseSpec
from fitness.engine.values import Rep
from fitness.errors import FitnessError
from fitness.pose.types import Pose

log = logging.getLogger(__name__)

AUTO = "auto"
ProgressFn = Callable[[int, int], None]  # (frames done, frames expected or 0 when unknown)
RepFn = Callable[[Rep], None]


def exercise_choices() -> tuple[str, ...]:
    return (AUTO, *sorted(REGISTRY))


def check_exercise(exercise: str) -> str:
    """``exercise`` if it is known, else a one-line :class:`FitnessError` listing the valid ones."""
    if exercise != AUTO and exercise not in REGISTRY:
        raise FitnessError(f"unknown exercise {exercise!r}; valid exercises: {', '.join(exercise_choices())}")
    return exercise


@dataclass(frozen=True, slots=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frames: int
    duration_ms: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "width": self.width,
            "height": self.height,
            "fps": round(self.fps, 3),
            "frames": self.frames,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis produced. ``frames`` has one entry per video frame."""

    exercise: str
    video: VideoInfo
    reps: tuple[Rep, ...]
    per_side: dict[str, int]
    notes: tuple[str, ...]
    frames: tuple[FrameResult, ...] = ()
    recognition: Recognition | None = None
    requested: str = AUTO
    frames_with_person: int = 0  # frames in which the model found a person

    @property
    def person_seen(self) -> bool:
        """False when no frame showed a person: nothing here could have been counted."""
        return self.frames_with_person > 0

    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def spec(self) -> ExerciseSpec:
        return REGISTRY[self.exercise]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        doc: dict[str, Any] = {
            "exercise": self.exercise,
            "reps": self.count,
            "video": self.video.to_dict(),
            "rep_list": [r.to_dict() for r in self.reps],
            "per_side": dict(self.per_side),
            "notes": list(self.notes),
        }
        if self.recognition is not None:
            doc["recognition"] = {
                "exercise": self.recognition.exercise,
                "confidence": self.recognition.confidence,
                "scores": self.recognition.scores,
            }
        return doc

    def angle_series(self) -> tuple[np.ndarray, np.ndarray]:
        """``(t_ms, angle)`` arrays for a chart; NaN where the angle was not measured."""
        t = np.array([f.t_ms for f in self.frames], dtype=np.float64)
        a = np.array([np.nan if f.angle is None else f.angle for f in self.frames], dtype=np.float64)
        return t, a


class StreamAnalyzer:
    """Counts the requested exercise (and, to check it, all the others) frame by frame."""

    def __init__(self, exercise: str = AUTO, config: CounterConfig | None = None, keep_frames: bool = True) -> None:
        self.requested = check_exercise(exercise)
        self.recognizer = ExerciseRecognizer(REGISTRY, config)
        self.keep_frames = keep_frames
        self.frames: dict[str, list[FrameResult]] = {k: [] for k in REGISTRY}
        self.last: dict[str, FrameResult] = {}

    @property
    def exercise(self) -> str:
        """The exercise being reported: the requested one, or the recogniser's verdict so far."""
        return self.requested if self.requested != AUTO else self.recognizer.current().exercise

    @property
    def counter(self) -> RepCounter:
        return self.recognizer.counters[self.exercise]

    def update(self, pose: Pose | None, t_ms: float) -> FrameResult:
        results = self.recognizer.update(pose, t_ms)
        self.last = results
        if self.keep_frames:
            for key, res in results.items():
                self.frames[key].append(res)
        return results[self.exercise]

    def notes(self) -> tuple[str, ...]:
        return summarize_notes(self.counter, self.recognizer.current(), self.requested, self.recognizer.counters)


def summarize_notes(
    counter: RepCounter, recognition: Recognition, requested: str, counters: Mapping[str, RepCounter]
) -> tuple[str, ...]:
    """Plain-language notes on what limited the count (and what the counter could not judge)."""
    spec, stats = counter.spec, counter.stats
    notes: list[str] = []
    if stats.frames == 0:
        return ("The video has no frames",)
    if stats.with_person == 0:
        return (f"No person found in any of the {stats.frames} frames: 0 reps",)
    if requested == AUTO:
        sure = "" if recognition.confident else " (low confidence)"
        notes.append(f"Recognised as {spec.name.lower()}{sure}")
    else:
        best = counters[recognition.exercise]
        if recognition.exercise != spec.key and best.count > counter.count:
            other = best.spec.name.lower()
            notes.append(
                f"This looks more like {other} than {spec.name.lower()} "
                f"({best.count} {other} reps found): low confidence in this count"
            )
    if stats.in_position == 0:
        notes.append(f"Never in position for {spec.name.lower()}: {spec.setup_message.lower()}")
    elif stats.counted == 0:
        if stats.missing:
            joints = sorted({n.split("_", 1)[-1] for n in stats.missing})
            notes.append(
                f"The {', '.join(joints)} were never visible: {spec.name.lower()} is counted from the "
                f"{spec.primary.a}, {spec.primary.vertex} and {spec.primary.c}"
            )
        for message in stats.unmet:
            notes.append(f"{message} (never the case here)")
    else:
        share = 1.0 - stats.counted / (stats.in_position * (2 if spec.sides == "both" else 1))
        if share > 0.3 and stats.missing:
            joints = sorted({n.replace("_", " ") for n, _ in stats.missing.most_common(3)})
            notes.append(f"Partly out of view ({share:.0%} of frames): {', '.join(joints)} hidden")
    if stats.cuts:
        notes.append(f"{stats.cuts} scene cut(s): a rep interrupted by a cut is not counted")
    if counter.partial:
        notes.append(
            f"{counter.partial} partial rep(s) not counted: {spec.name.lower()} did not reach the turning point"
        )
    if stats.unsure:
        notes.append(f"{stats.unsure} movement(s) not counted: the {spec.primary.vertex} was barely visible")
    notes.extend(stats.quiet)
    return tuple(dict.fromkeys(notes))


@dataclass(frozen=True, slots=True)
class PoseFrame:
    t_ms: float
    pose: Pose | None


def analyze_poses(
    frames: Iterable[PoseFrame | tuple[float, Pose | None]],
    exercise: str = AUTO,
    video: VideoInfo | None = None,
    config: CounterConfig | None = None,
) -> AnalysisResult:
    """Count from poses already estimated (``(t_ms, pose)`` pairs in time order)."""
    analyzer = StreamAnalyzer(exercise, config)
    n = 0
    for item in frames:
        t_ms, pose = (item.t_ms, item.pose) if isinstance(item, PoseFrame) else item
        analyzer.update(pose, t_ms)
        n += 1
    info = video or VideoInfo("", 0, 0, 0.0, n, 0)
    return _result(analyzer, info)


def _result(analyzer: StreamAnalyzer, info: VideoInfo) -> AnalysisResult:
    key = analyzer.exercise
    counter = analyzer.counter
    return AnalysisResult(
        exercise=key,
        video=info,
        reps=tuple(counter.reps),
        per_side=counter.per_side(),
        notes=analyzer.notes(),
        frames=tuple(analyzer.frames[key]),
        recognition=analyzer.recognizer.current(),
        requested=analyzer.requested,
        frames_with_person=counter.stats.with_person,
    )


