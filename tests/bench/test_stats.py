"""Percentiles, latency summaries and the lap timer: pure maths, stepped with a fake clock."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitness.bench.stats import LapTimer, LatencyStats, percentile


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=60), st.floats(0, 100))
def test_percentile_matches_numpy(values: list[float], q: float) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), rel=1e-9, abs=1e-9)


def test_percentile_edges() -> None:
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)
    with pytest.raises(ValueError, match="within"):
        percentile([1.0], 101)


@given(st.lists(st.floats(min_value=1e-5, max_value=2.0, allow_nan=False), min_size=1, max_size=80))
def test_latency_stats_are_ordered(seconds: list[float]) -> None:
    s = LatencyStats.of(seconds)
    assert s.n == len(seconds)
    assert s.p50_ms <= s.p95_ms + 1e-9 <= s.max_ms + 2e-9
    assert min(seconds) * 1000 - 1e-9 <= s.mean_ms <= s.max_ms + 1e-9


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t

    def tick(self, dt: float) -> None:
        self.t += dt


def test_lap_timer_splits_a_frame_into_consecutive_stages() -> None:
    clock = FakeClock()
    timer = LapTimer(("a", "b", "c"), clock)
    for _ in range(2):
        timer.start()
        clock.tick(0.010)
        timer.lap("a")
        clock.tick(0.003)
        inner = clock.t  # a mark taken elsewhere (inside a backend)
        clock.tick(0.005)
        timer.lap("b", at=inner)
        timer.lap("c")
        clock.tick(0.002)  # loop overhead after the last stage: in the total, in no stage
        assert timer.stop() == pytest.approx(0.020)
    means = timer.stage_means_ms()
    assert means == pytest.approx({"a": 10.0, "b": 3.0, "c": 5.0})
    assert sum(means.values()) <= 1000 * sum(timer.totals) / timer.frames
    assert timer.frames == 2


def test_lap_timer_clamps_marks_and_rejects_misuse() -> None:
    clock = FakeClock()
    timer = LapTimer(("a", "b"), clock)
    with pytest.raises(RuntimeError):
        timer.lap("a")
    timer.start()
    clock.tick(0.004)
    timer.lap("a")
    timer.lap("b", at=clock.t - 1.0)  # a mark before the previous one counts as zero, not negative
    timer.lap("b", at=clock.t + 5.0)  # and one in the future is clamped to now
    timer.stop()
    assert timer.stage_means_ms() == pytest.approx({"a": 4.0, "b": 0.0})
    with pytest.raises(KeyError, match="unknown stage"):
        timer.start()
        timer.lap("z")
    with pytest.raises(ValueError, match="distinct"):
        LapTimer(("a", "a"))
