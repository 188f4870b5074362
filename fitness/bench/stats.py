"""Per-frame timing: percentiles, a latency summary and a lap timer that splits a frame into stages.

Pure and clock-injectable, so the tests step them with a fake clock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Clock = Callable[[], float]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation (numpy's default method)."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"q must be within [0, 100], got {q}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Per-frame latency summary, milliseconds."""

    n: int
    mean_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> LatencyStats:
        if not seconds:
            raise ValueError("no latencies to summarise")
        ms = [s * 1000.0 for s in seconds]
        return cls(len(ms), sum(ms) / len(ms), percentile(ms, 50), percentile(ms, 95), max(ms))


class LapTimer:
    """Splits each frame's time into consecutive stages.

    ``start()`` opens a frame; ``lap(stage)`` gives the time since the previous mark to
    ``stage`` (``at`` lets a caller place a mark it took itself, e.g. inside a backend);
    ``stop()`` closes the frame and returns its total. Stages are consecutive slices of the
    frame, so their sum can never exceed the total.
    """

    def __init__(self, stages: Sequence[str], clock: Clock = time.perf_counter) -> None:
        if len(set(stages)) != len(stages) or not stages:
            raise ValueError(f"stages must be distinct and non-empty, got {list(stages)}")
        self.stages = tuple(stages)
        self._clock = clock
        self._sums = dict.fromkeys(self.stages, 0.0)
        self._current = dict.fromkeys(self.stages, 0.0)
        self._t0: float | None = None
        self._last = 0.0
        self.totals: list[float] = []

    def start(self) -> None:
        self._t0 = self._last = self._clock()
        self._current = dict.fromkeys(self.stages, 0.0)

    def lap(self, stage: str, at: float | None = None) -> None:
        if self._t0 is None:
            raise RuntimeError("lap() before start()")
        if stage not in self._current:
            raise KeyError(f"unknown stage {stage!r}; stages: {', '.join(self.stages)}")
        now = self._clock() if at is None else min(max(at, self._last), self._clock())
        self._current[stage] += now - self._last
        self._last = now

    def stop(self) -> float:
        if self._t0 is None:
            raise RuntimeError("stop() before start()")
        total = self._clock() - self._t0
        for k, v in self._current.items():
            self._sums[k] += v
        self.totals.append(total)
        self._t0 = None
        return total

    @property
    def frames(self) -> int:
        return len(self.totals)

    def stage_means_ms(self) -> dict[str, float]:
        n = max(1, self.frames)
        return {k: v * 1000.0 / n for k, v in self._sums.items()}
