"""The memory soak: the Lightning live pipeline over minutes of stream, resident memory sampled."""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from fitness.bench.clip import LoopingDecoder
from fitness.bench.pipeline import STAGES, WARMUP_FRAMES, LivePipeline, load_timed
from fitness.bench.stats import LapTimer, LatencyStats
from fitness.bench.system import rss_mb

log = logging.getLogger(__name__)

SOAK_SAMPLES: Final = 20
STREAM_FPS: Final = 30.0  # the webcam rate the RSS trend is expressed against


@dataclass(frozen=True, slots=True)
class SoakResult:
    frames: int
    stream_minutes: float
    wall_s: float
    samples: tuple[tuple[int, float], ...]  # (frames done, RSS MB)
    latency: LatencyStats

    @property
    def start_mb(self) -> float:
        return self.samples[0][1]

    @property
    def end_mb(self) -> float:
        return self.samples[-1][1]

    @property
    def growth_mb(self) -> float:
        return self.end_mb - self.start_mb

    @property
    def slope_mb_per_min(self) -> float:
        """Least-squares RSS trend over the second half, MB per minute of stream (30 fps)."""
        half = self.samples[len(self.samples) // 2 :]
        if len(half) < 2:
            return 0.0
        x = np.array([f for f, _ in half], dtype=np.float64) / (STREAM_FPS * 60.0)
        y = np.array([m for _, m in half], dtype=np.float64)
        if np.ptp(x) == 0:
            return 0.0
        return float(np.polyfit(x, y, 1)[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start_mb, 1),
            "end": round(self.end_mb, 1),
            "peak": round(max(m for _, m in self.samples), 1),
            "growth": round(self.growth_mb, 1),
            "slope_mb_per_min": round(self.slope_mb_per_min, 3),
            "frames": self.frames,
            "stream_minutes": round(self.stream_minutes, 2),
            "wall_s": round(self.wall_s, 1),
            "fps": round(self.frames / self.wall_s, 2) if self.wall_s > 0 else None,
            "p50_ms": round(self.latency.p50_ms, 2),
            "p95_ms": round(self.latency.p95_ms, 2),
            "samples": [[f, round(m, 1)] for f, m in self.samples],
        }


def soak(live_clip: Path, fps: float, minutes: float, threads: int, exercise: str) -> SoakResult:
    """The Lightning live pipeline over ``minutes`` of stream time; RSS sampled as it goes."""
    frames = max(1, round(minutes * 60.0 * fps))
    log.info("soak: %d frames (%.1f min of stream at %.2f fps)", frames, minutes, fps)
    est, _ = load_timed("lightning", "litert", threads)
    pipe = LivePipeline(est, exercise)
    decoder = LoopingDecoder(live_clip)
    step_ms = 1000.0 / fps
    every = max(1, frames // SOAK_SAMPLES)
    timer = LapTimer(STAGES)
    try:
        for i in range(WARMUP_FRAMES):  # warm up, then measure from a settled start
            pipe.next_frame(decoder, i * step_ms, timer)
        gc.collect()
        samples: list[tuple[int, float]] = [(0, rss_mb() or 0.0)]
        timer = LapTimer(STAGES)
        started = time.perf_counter()
        for n in range(1, frames + 1):
            pipe.next_frame(decoder, (WARMUP_FRAMES + n) * step_ms, timer)
            if n % every == 0 or n == frames:
                samples.append((n, rss_mb() or 0.0))
                log.info("soak: %d/%d frames, RSS %.1f MB", n, frames, samples[-1][1])
        wall = time.perf_counter() - started
    finally:
        decoder.close()
    return SoakResult(frames, frames / fps / 60.0, wall, tuple(samples), LatencyStats.of(timer.totals))
