"""Whole-video analysis against real time: ``analyze_video`` in-process, and the ``fitness analyze``
command in a fresh interpreter (start-up and model load included)."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fitness.bench.clip import REPO_ROOT
from fitness.bench.pipeline import load_timed, timed
from fitness.bench.system import CpuSample, CpuUsage
from fitness.errors import FitnessError
from fitness.pipeline.video_analysis import analyze_video

log = logging.getLogger(__name__)

# What ``fitness analyze`` runs by default, so the in-process timing matches the command's.
VARIANT: Final = "lightning"
RUNTIME: Final = "litert"


class AnalyzeCommandError(FitnessError):
    """``fitness analyze`` failed when the benchmark ran it."""


@dataclass(frozen=True, slots=True)
class AnalyzeResult:
    clip: str
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    run_s: float
    inference_s: float
    reps: int | None
    exercise: str
    command_s: float | None = None
    cpu: CpuUsage | None = None

    @property
    def realtime_x(self) -> float:
        return self.duration_s / self.run_s if self.run_s > 0 else 0.0

    @property
    def command_realtime_x(self) -> float | None:
        return None if not self.command_s else self.duration_s / self.command_s

    def to_dict(self) -> dict[str, Any]:
        cmd_x = self.command_realtime_x
        return {
            "clip": self.clip,
            "width": self.width,
            "height": self.height,
            "fps": round(self.fps, 3),
            "frames": self.frames,
            "variant": VARIANT,
            "runtime": RUNTIME,
            "duration_s": round(self.duration_s, 2),
            "run_s": round(self.run_s, 2),
            "realtime_x": round(self.realtime_x, 2),
            "ms_per_frame": round(self.run_s * 1000.0 / max(1, self.frames), 2),
            "inference_ms_per_frame": round(self.inference_s * 1000.0 / max(1, self.frames), 2),
            "exercise": self.exercise,
            "reps": self.reps,
            "command_s": None if self.command_s is None else round(self.command_s, 2),
            "command_realtime_x": None if cmd_x is None else round(cmd_x, 2),
            **(self.cpu.to_dict() if self.cpu is not None else {}),
        }


def bench_analyze(clip: Path, exercise: str, threads: int, command: bool) -> AnalyzeResult:
    """``analyze_video`` with Lightning on LiteRT over the whole clip, and optionally the command."""
    est, _ = load_timed(VARIANT, RUNTIME, threads)
    backend = timed(est)
    log.info("analyze: %s", clip)
    gc.collect()
    before = CpuSample.take()
    result = analyze_video(clip, exercise, estimator=est)
    after = CpuSample.take()
    video = result.video
    cmd_s = time_analyze_command(clip, exercise, threads) if command else None
    return AnalyzeResult(
        str(clip), video.width, video.height, video.fps, video.frames, video.frames / video.fps,
        after.wall - before.wall, backend.total_s, result.count, result.exercise, cmd_s,
        CpuUsage.between(before, after),
    )  # fmt: skip


def time_analyze_command(clip: Path, exercise: str, threads: int) -> float:
    """Wall time of ``fitness analyze CLIP`` in a fresh interpreter; a failure is an error."""
    argv = [sys.executable, "-m", "fitness.cli", "analyze", str(clip), "--exercise", exercise]
    argv += ["--threads", str(threads)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, cwd=REPO_ROOT)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no error output"])[-1]
        raise AnalyzeCommandError(f"'fitness analyze {clip.name}' failed (exit {proc.returncode}): {tail}")
    return elapsed
