"""``fitness bench``: the helpers' maths, and that a short real run is self-consistent.

A benchmark, not a timed test: nothing here asserts that anything is fast, only that the
numbers agree with each other (fps against latency, stages against the total, p50 <= p95) and
that the JSON has the promised shape.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitness.bench.core import (
    STAGES,
    CpuMeter,
    CpuSample,
    CpuUsage,
    LapTimer,
    LatencyStats,
    SoakResult,
    Target,
    exercise_for,
    parse_status_kb,
    percentile,
    rss_mb,
)
from fitness.cli import main

# -- pure helpers ------------------------------------------------------------------------------


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


def test_targets_and_soak_summary() -> None:
    assert Target("fps", 31.0, 30.0).met is True
    assert Target("p95", 41.0, 40.0, higher_is_better=False).met is False
    assert Target("none", None, 1.0).met is None
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


def test_exercise_from_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("file,exercise,reps\nv/a.mp4,squat,3\nv/b.mp4,none (photo),\n")
    assert exercise_for(tmp_path / "v/a.mp4", tmp_path, known=("squat", "curl")) == "squat"
    assert exercise_for(tmp_path / "v/b.mp4", tmp_path, known=("squat",)) == "auto"
    assert exercise_for(tmp_path / "v/c.mp4", tmp_path, known=("squat",)) == "auto"
    assert exercise_for(tmp_path / "v/a.mp4", tmp_path / "missing", known=("squat",)) == "auto"


# -- the command -------------------------------------------------------------------------------


def _error_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_bad_arguments_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 16)
    assert "no such file" in _error_line(capsys, "bench", "--clip", str(tmp_path / "missing.mp4"))
    assert "--seconds" in _error_line(capsys, "bench", "--clip", str(clip), "--seconds", "0")
    assert "lightning" in _error_line(capsys, "bench", "--clip", str(clip), "--variants", "bogus")
    assert "runtime" in _error_line(capsys, "bench", "--clip", str(clip), "--runtimes", "onnx")
    assert "cannot write" in _error_line(capsys, "bench", "--clip", str(clip), "--json", str(tmp_path / "no/x.json"))


@pytest.mark.slow
def test_short_run_is_self_consistent(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One variant, both runtimes, a few seconds: the numbers must agree with each other."""
    out = tmp_path / "bench.json"
    clip = data_dir / "videos/curl/curl_side_formfit.mp4"  # 1280x720, 30 fps, 349 frames
    argv = ["bench", "--clip", str(clip), "--seconds", "1.5", "--variants", "lightning", "--runtimes", "litert,tf"]
    code = main([*argv, "--soak-minutes", "0.05", "--json", str(out), "--no-analyze-command"])
    text = capsys.readouterr().out
    assert code == 0
    assert "lightning  litert" in text and "lightning  tf" in text and "LiteRT vs TF" in text

    doc = json.loads(out.read_text())
    assert set(doc) >= {"machine", "config", "runs", "ratios", "rss_mb", "analyze", "targets"}
    assert doc["machine"]["logical_cores"] >= 1 and doc["machine"]["python"]
    assert doc["config"]["live_size"] == [640, 480] and doc["config"]["exercise"] == "curl"

    runs = {(r["variant"], r["runtime"]): r for r in doc["runs"]}
    assert set(runs) == {("lightning", "litert"), ("lightning", "tf")}
    for r in runs.values():
        assert r["frames"] == 45
        assert set(r["stages_ms"]) == set(STAGES)
        assert all(v >= 0 for v in r["stages_ms"].values())
        assert sum(r["stages_ms"].values()) <= r["mean_ms"] * 1.001 + 0.01
        assert r["stages_ms"]["inference"] > 0 and r["stages_ms"]["decode"] > 0
        assert 0 < r["p50_ms"] <= r["p95_ms"] <= r["max_ms"]
        # Frames run back to back, so the rate is the inverse of the mean latency.
        assert r["fps"] == pytest.approx(1000.0 / r["mean_ms"], rel=0.1)
        assert r["fps"] == pytest.approx(r["frames"] / r["wall_s"], rel=0.02)

    ratio = doc["ratios"]["litert_vs_tf"]["lightning"]
    lit, tf = runs[("lightning", "litert")], runs[("lightning", "tf")]
    expected = tf["stages_ms"]["inference"] / lit["stages_ms"]["inference"]
    assert ratio["inference_speedup"] == pytest.approx(expected, rel=0.02, abs=0.01)
    assert ratio["fps_speedup"] == pytest.approx(lit["fps"] / tf["fps"], rel=0.02, abs=0.01)

    a = doc["analyze"]
    assert (a["width"], a["height"], a["frames"]) == (1280, 720, 349)
    assert a["realtime_x"] == pytest.approx(a["duration_s"] / a["run_s"], rel=0.02)
    assert 0 < a["inference_ms_per_frame"] <= a["ms_per_frame"]
    assert a["reps"] is not None and a["reps"] >= 0

    rss = doc["rss_mb"]
    assert rss["frames"] == round(0.05 * 60 * 30)
    assert rss["samples"][0][0] == 0 and rss["samples"][-1][0] == rss["frames"]
    assert rss["start"] > 0 and rss["end"] > 0 and rss["peak"] >= max(rss["start"], rss["end"])
    assert math.isclose(rss["growth"], rss["end"] - rss["start"], abs_tol=0.11)

    for name, t in doc["targets"].items():
        assert t["met"] in (True, False, None), name
    assert "lightning live fps" in doc["targets"]
