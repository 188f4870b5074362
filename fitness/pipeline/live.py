"""Webcam coaching one frame at a time: ``LiveCoach.process(frame_rgb, t_ms)`` returns the
annotated frame and that frame's result. One coach per stream: it holds a stateful pose
estimator, and a LiteRT interpreter must not be shared between threads."""

from __future__ import annotations

import logging

import numpy as np

from fitness.engine.counter import CounterConfig, FrameResult
from fitness.engine.registry import REGISTRY
from fitness.engine.values import Rep
from fitness.pipeline.stream import AUTO, RepFn, StreamAnalyzer, check_exercise
from fitness.pipeline.video_analysis import annotate
from fitness.pose.estimator import Estimator
from fitness.pose.types import Pose

log = logging.getLogger(__name__)


class LiveCoach:
    """Webcam coaching, one frame at a time: ``process(frame_rgb, t_ms) -> (annotated, result)``.

    Not thread-safe and not shareable: create one per video stream (each holds its own pose
    estimator). ``on_rep`` is called (in the caller's thread) with every completed rep.
    """

    def __init__(
        self,
        exercise: str = AUTO,
        estimator: Estimator | None = None,
        *,
        variant: str = "lightning",
        runtime: str = "litert",
        threads: int = 1,
        draw: bool = True,
        on_rep: RepFn | None = None,
        config: CounterConfig | None = None,
    ) -> None:
        from fitness.pose.estimator import load_estimator

        self._config = config
        self._exercise = check_exercise(exercise)
        self.estimator = estimator if estimator is not None else load_estimator(variant, runtime, threads=threads)
        self.draw = draw
        self.on_rep = on_rep
        self._analyzer = StreamAnalyzer(exercise, config, keep_frames=False)
        self._last_t = -1.0
        self.last_result: FrameResult | None = None
        self.last_pose: Pose | None = None

    @property
    def exercise(self) -> str | None:
        """The exercise being counted: the one asked for, or the one recognised (``None``: none yet)."""
        return self._analyzer.exercise

    @property
    def reps(self) -> list[Rep]:
        counter = self._analyzer.counter
        return [] if counter is None else counter.reps

    def reset(self, exercise: str | None = None) -> None:
        """Start over (new set, or a different exercise)."""
        if exercise is not None:
            self._exercise = check_exercise(exercise)
        self.estimator.reset()
        self._analyzer = StreamAnalyzer(self._exercise, self._config, keep_frames=False)
        self._last_t = -1.0

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, FrameResult]:
        # Browsers occasionally repeat a timestamp; the pipeline needs them strictly increasing.
        t = max(float(t_ms), self._last_t + 1.0)
        self._last_t = t
        pose = self.estimator.estimate(frame_rgb, t)
        result = self._analyzer.update(pose, t)
        self.last_result, self.last_pose = result, pose
        if self.on_rep is not None:
            for rep in self._analyzer.new_reps:
                self.on_rep(rep)
        if not self.draw:
            return frame_rgb, result
        key = self.exercise
        return annotate(frame_rgb, pose, result, None if key is None else REGISTRY[key]), result
