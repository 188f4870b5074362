"""``/proc`` readers and CPU accounting: parsed from fixed texts, then read for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.bench.system import CpuMeter, CpuSample, CpuUsage, parse_status_kb, rss_mb


def test_proc_status_parsing_and_own_rss() -> None:
    text = "Name:\tpython\nVmPeak:\t  2048 kB\nVmRSS:\t  1536 kB\nThreads:\t4\n"
    assert parse_status_kb(text, "VmRSS") == 1536
    assert parse_status_kb(text, "VmSwap") is None
    mb = rss_mb()
    if Path("/proc/self/status").exists():
        assert mb is not None and 5.0 < mb < 100_000
    assert rss_mb(Path("/nonexistent/status")) is None


def test_cpu_usage_arithmetic() -> None:
    a = CpuSample(wall=0.0, busy=1000, total=4000, own_cpu_s=1.0)
    b = CpuSample(wall=2.0, busy=1300, total=4400, own_cpu_s=2.0)  # 2 s on 2 cores: 400 jiffies
    u = CpuUsage.between(a, b, cores=2)
    assert u.machine_pct == pytest.approx(75.0)
    assert u.self_pct == pytest.approx(25.0)
    assert u.others_pct == pytest.approx(50.0)
    assert CpuUsage.between(a, a, cores=2).machine_pct is None
    real = CpuUsage.between(CpuSample.take(), CpuSample.take())
    assert real.self_pct >= 0.0
    # Two separate 1 s intervals add up like one 2 s interval.
    meter = CpuMeter()
    meter.add(CpuSample(0.0, 0, 0, 0.0), CpuSample(1.0, 150, 200, 0.5))
    meter.add(CpuSample(5.0, 900, 1000, 3.0), CpuSample(6.0, 1050, 1200, 3.5))
    total = meter.usage(cores=2)
    assert meter.wall == pytest.approx(2.0)
    assert (total.machine_pct, total.self_pct, total.others_pct) == pytest.approx((75.0, 25.0, 50.0))
