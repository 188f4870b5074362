"""Live runs: every variant x runtime through the webcam pipeline, taking turns on the same stream.

Every model is loaded first; then the lanes take turns, a chunk of frames at a time (the first
lane rotating each round), so that a burst of load from elsewhere on a shared machine falls on
all of them alike instead of on whichever ran at that moment.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fitness.bench.clip import LoopingDecoder
from fitness.bench.pipeline import STAGES, WARMUP_FRAMES, LivePipeline, load_timed
from fitness.bench.stats import LapTimer, LatencyStats
from fitness.bench.system import CpuMeter, CpuSample, CpuUsage
from fitness.pose.estimator import Estimator

log = logging.getLogger(__name__)

CHUNK_FRAMES: Final = 15  # frames per turn when the live runs take turns


@dataclass(frozen=True, slots=True)
class RunResult:
    """One live-pipeline run: a variant on a runtime."""

    variant: str
    runtime: str
    threads: int
    frames: int
    wall_s: float
    latency: LatencyStats
    stages_ms: dict[str, float]
    load_s: float
    cpu: CpuUsage

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "runtime": self.runtime,
            "threads": self.threads,
            "frames": self.frames,
            "wall_s": round(self.wall_s, 3),
            "fps": round(self.fps, 2),
            "mean_ms": round(self.latency.mean_ms, 2),
            "p50_ms": round(self.latency.p50_ms, 2),
            "p95_ms": round(self.latency.p95_ms, 2),
            "max_ms": round(self.latency.max_ms, 2),
            "stages_ms": {k: round(v, 3) for k, v in self.stages_ms.items()},
            "load_s": round(self.load_s, 2),
            "cpu_ms_per_frame": round(self.cpu.self_cpu_s * 1000.0 / max(1, self.frames), 2),
            **self.cpu.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class LaneSpec:
    """What one live run times: a catalogue variant on a runtime, or a local ``.tflite``."""

    variant: str
    runtime: str
    model_path: Path | None = None
    threads: int | None = None  # None: the run's --threads

    @property
    def catalogue_variant(self) -> str:
        """The model to load: ``variant`` up to an optional ``@label`` (``lightning@t1``)."""
        return self.variant.split("@", 1)[0]


class _Lane:
    """One live run in progress: its own estimator, decoder, clock and timestamps."""

    def __init__(
        self, spec: LaneSpec, estimator: Estimator, load_s: float, live_clip: Path, *, exercise: str, threads: int
    ) -> None:
        self.spec = spec
        self.threads = threads
        self.load_s = load_s
        self.pipe = LivePipeline(estimator, exercise)
        self.decoder = LoopingDecoder(live_clip)
        self.timer = LapTimer(STAGES)
        self.cpu = CpuMeter()
        self.index = 0

    def frame(self, step_ms: float) -> None:
        self.pipe.next_frame(self.decoder, self.index * step_ms, self.timer)
        self.index += 1

    def warm_up(self, frames: int, step_ms: float) -> None:
        for _ in range(frames):
            self.frame(step_ms)
        self.pipe.reset()
        self.timer = LapTimer(STAGES)

    def chunk(self, frames: int, step_ms: float) -> None:
        before = CpuSample.take()
        for _ in range(frames):
            self.frame(step_ms)
        self.cpu.add(before, CpuSample.take())

    def result(self) -> RunResult:
        t = self.timer
        return RunResult(
            self.spec.variant, self.spec.runtime, self.threads, t.frames, self.cpu.wall, LatencyStats.of(t.totals),
            t.stage_means_ms(), self.load_s, self.cpu.usage(),
        )  # fmt: skip


def run_live(
    specs: Sequence[LaneSpec],
    live_clip: Path,
    *,
    frames: int,
    fps: float,
    exercise: str,
    threads: int,
    chunk: int = CHUNK_FRAMES,
) -> list[RunResult]:
    """Time ``frames`` frames of the live pipeline for every lane, interleaved ``chunk`` at a time.

    Each lane keeps its own stream state (crop tracking, counter, timestamps) across its chunks.
    """
    step_ms = 1000.0 / fps
    lanes: list[_Lane] = []
    try:
        for spec in specs:
            log.info("loading %s on %s", spec.variant, spec.runtime)
            n_threads = spec.threads or threads
            est, load_s = load_timed(spec.catalogue_variant, spec.runtime, n_threads, spec.model_path)
            lanes.append(_Lane(spec, est, load_s, live_clip, exercise=exercise, threads=n_threads))
        for lane in lanes:
            lane.warm_up(WARMUP_FRAMES, step_ms)
        gc.collect()
        done, rnd = 0, 0
        while done < frames:
            n = min(chunk, frames - done)
            for k in range(len(lanes)):
                lanes[(rnd + k) % len(lanes)].chunk(n, step_ms)
            done += n
            rnd += 1
            log.info("live runs: %d/%d frames each", done, frames)
    finally:
        for lane in lanes:
            lane.decoder.close()
    return [lane.result() for lane in lanes]
