"""The pipeline under test: the webcam frame path (estimate -> count -> draw), stage by stage.

It does what :class:`fitness.pipeline.live.LiveCoach` does, with a lap at each stage boundary;
inference is marked from inside the backend, so preprocessing and postprocessing are told apart.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Final

import numpy as np

from fitness.bench.clip import LoopingDecoder
from fitness.bench.stats import Clock, LapTimer
from fitness.engine.counter import FrameResult
from fitness.engine.registry import REGISTRY
from fitness.engine.spec import ExerciseSpec
from fitness.pipeline.stream import StreamAnalyzer
from fitness.pipeline.video_analysis import annotate
from fitness.pose.estimator import Estimator, load_estimator
from fitness.pose.runtimes import Backend

STAGES: Final = ("decode", "preprocess", "inference", "postprocess", "counting", "drawing")
WARMUP_FRAMES: Final = 10


class TimedBackend:
    """A backend proxy that notes when inference starts and ends (and adds up its time)."""

    def __init__(self, inner: Backend, clock: Clock = time.perf_counter) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.input_size: int = inner.input_size
        self.multipose: bool = inner.multipose
        self._clock = clock
        self.started: float | None = None
        self.ended: float | None = None
        self.total_s = 0.0
        self.calls = 0

    def infer(self, image: np.ndarray) -> np.ndarray:
        self.started = self._clock()
        out: np.ndarray = self.inner.infer(image)
        self.ended = self._clock()
        self.total_s += self.ended - self.started
        self.calls += 1
        return out


def timed(estimator: Estimator) -> TimedBackend:
    """Put a :class:`TimedBackend` between ``estimator`` and its model; returns it."""
    backend = TimedBackend(estimator.backend)
    estimator.backend = backend
    return backend


def drawn_spec(exercise: str) -> ExerciseSpec:
    """The spec whose HUD is drawn: the exercise's, or the first one for ``auto``."""
    return REGISTRY.get(exercise) or next(iter(REGISTRY.values()))


def describe(exercise: str) -> dict[str, str]:
    """What the counting and drawing stages run, for the report."""
    return {
        "counting": f"StreamAnalyzer({exercise!r}).update",
        "drawing": f"annotate (skeleton + HUD, {drawn_spec(exercise).key})",
    }


def load_timed(variant: str, runtime: str, threads: int, model_path: Path | None = None) -> tuple[Estimator, float]:
    """A fresh estimator and the seconds it took to load."""
    started = time.perf_counter()
    est = load_estimator(variant, runtime, threads=threads, model_path=model_path)
    return est, time.perf_counter() - started


class LivePipeline:
    """The webcam frame path, stage by stage: estimate -> count -> draw (as ``LiveCoach``)."""

    def __init__(self, estimator: Estimator, exercise: str) -> None:
        self.estimator = estimator
        self.backend = timed(estimator)
        self.exercise = exercise
        self.spec = drawn_spec(exercise)
        self.analyzer = StreamAnalyzer(exercise, keep_frames=False)

    def reset(self) -> None:
        self.estimator.reset()
        self.analyzer = StreamAnalyzer(self.exercise, keep_frames=False)

    def process(self, rgb: np.ndarray, t_ms: float, timer: LapTimer) -> np.ndarray:
        """Run one frame; ``timer`` must have been started (decode is already lapped)."""
        b = self.backend
        b.started = b.ended = None
        pose = self.estimator.estimate(rgb, t_ms)
        if b.started is not None and b.ended is not None:
            timer.lap("preprocess", b.started)
            timer.lap("inference", b.ended)
        timer.lap("postprocess")
        result: FrameResult = self.analyzer.update(pose, t_ms)
        timer.lap("counting")
        out = annotate(rgb, pose, result, self.spec)
        timer.lap("drawing")
        return out

    def next_frame(self, decoder: LoopingDecoder, t_ms: float, timer: LapTimer) -> None:
        """Decode the stream's next frame and run it, timed from decoding to drawing."""
        timer.start()
        rgb = decoder.read()
        timer.lap("decode")
        self.process(rgb, t_ms, timer)
        timer.stop()
