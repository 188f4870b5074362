"""The soak summary: growth, peak and trend of resident memory."""

from __future__ import annotations

import pytest

from fitness.bench.soak import SoakResult
from fitness.bench.stats import LatencyStats


def test_soak_summary() -> None:
    soak = SoakResult(
        frames=3600,
        stream_minutes=2.0,
        wall_s=60.0,
        samples=((0, 100.0), (1800, 101.0), (3600, 101.0)),
        latency=LatencyStats.of([0.01, 0.02]),
    )
    d = soak.to_dict()
    assert (d["start"], d["end"], d["growth"], d["peak"]) == (100.0, 101.0, 1.0, 101.0)
    assert soak.slope_mb_per_min == pytest.approx(0.0)
    assert d["fps"] == 60.0
