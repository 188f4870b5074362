"""The benchmark's timing of the whole ``fitness analyze`` command: both variants, self-consistent.

A benchmark, not a timed test: nothing asserts a speed, only that the runs happened, counted
the same, and that the numbers and targets are derived from them as promised.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.bench.analyze import COMMAND_VARIANTS, AnalyzeResult, time_analyze_commands
from fitness.bench.report import ANALYZE_COMMAND_FAST_X, ANALYZE_REALTIME_X, BenchReport

pytestmark = pytest.mark.slow


def test_both_variants_are_timed_and_judged(data_dir: Path) -> None:
    clip = data_dir / "videos/curl/curl_oblique_4k_suyog.mp4"  # 4 s: short enough to run twice
    commands = time_analyze_commands(clip, threads=1, repeats=1)
    assert [c.label for c in commands] == [label for label, _ in COMMAND_VARIANTS]
    every, fast = commands
    assert fast.args == ("--pose-fps", "15")
    for c in commands:
        (run,) = c.runs
        assert c.duration_s == pytest.approx(101 / 25.0, abs=0.05)
        assert run.wall_s > 0 and run.cpu_s > 0
        assert c.realtime_x == pytest.approx(c.duration_s / run.wall_s)
        assert c.cpu_realtime_x == pytest.approx(c.duration_s / run.cpu_s)
    # 25 fps is under twice 15: every frame is analysed either way, so the counts agree.
    assert every.runs[0].reps == fast.runs[0].reps and every.runs[0].exercise == fast.runs[0].exercise

    analyze = AnalyzeResult(str(clip), 1280, 720, 25.0, 101, 4.04, 1.0, 0.5, 1, "curl", commands)
    targets = {t.name: t for t in BenchReport({}, {}, (), analyze, None, None, None).targets()}
    assert targets["analyze command x real time"].value == pytest.approx(every.realtime_x)
    assert targets["analyze command x real time"].limit == ANALYZE_REALTIME_X
    fast_target = targets["analyze command at 15 poses/s x real time"]
    assert fast_target.value == pytest.approx(fast.realtime_x) and fast_target.limit == ANALYZE_COMMAND_FAST_X
    assert analyze.to_dict()["commands"][1]["args"] == ["--pose-fps", "15"]
    # Each run says how busy the machine was when it started.
    assert analyze.to_dict()["commands"][0]["runs"][0]["load"] == every.runs[0].load >= 0.0
