"""Whole-video analysis against real time: ``analyze_video`` in-process, and the ``fitness analyze``
command in a fresh interpreter (start-up and model load included), on every frame and at
:data:`~fitness.pipeline.video_analysis.POSE_FPS` poses a second, run alternately so that load
from other processes hits both alike, with wall and CPU time (the CPU time of a run does not
grow when other jobs take the cores, its wall time does)."""

from __future__ import annotations

import gc
import json
import logging
import os
import resource
import statistics
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
from fitness.pipeline.video_analysis import POSE_FPS, analyze_video

log = logging.getLogger(__name__)

# What ``fitness analyze`` runs by default, so the in-process timing matches the command's.
VARIANT: Final = "lightning"
RUNTIME: Final = "litert"
# The clip issue 15 times the command on: 720p, 29.98 fps, 46.8 s, 14 push-ups (side view).
ANALYZE_CLIP: Final = "videos/pushup/pushup_side_tutorial_tayyab.mp4"
COMMAND_REPEATS: Final = 3
# The command's variants, each run COMMAND_REPEATS times, alternately: (label, extra arguments).
# Both name their pose rate, so they time the same work whatever the command's default is.
COMMAND_VARIANTS: Final = (
    ("every frame", ("--every-frame",)),
    (f"{POSE_FPS:g} poses/s", ("--pose-fps", f"{POSE_FPS:g}")),
)


class AnalyzeCommandError(FitnessError):
    """``fitness analyze`` failed when the benchmark ran it."""


@dataclass(frozen=True, slots=True)
class CommandRun:
    """One ``fitness analyze`` in a fresh interpreter: wall and CPU seconds (user + system, its
    own and its threads'), what it counted, and the one-minute load average as it started
    (other jobs' share of the 2 cores, which stretches the wall time)."""

    wall_s: float
    cpu_s: float
    reps: int
    exercise: str
    load: float = 0.0


@dataclass(frozen=True, slots=True)
class CommandTiming:
    """Repeated runs of one variant of the command; medians are reported."""

    label: str
    args: tuple[str, ...]
    duration_s: float
    runs: tuple[CommandRun, ...]

    @property
    def wall_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def cpu_s(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    @property
    def realtime_x(self) -> float:
        """Video seconds per second of waiting: what a person sees."""
        return self.duration_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_realtime_x(self) -> float:
        """Video seconds per CPU second: per core, whatever else the machine is doing."""
        return self.duration_s / self.cpu_s if self.cpu_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "args": list(self.args),
            "wall_s": round(self.wall_s, 2),
            "cpu_s": round(self.cpu_s, 2),
            "realtime_x": round(self.realtime_x, 2),
            "cpu_realtime_x": round(self.cpu_realtime_x, 2),
            "runs": [{"wall_s": round(r.wall_s, 2), "cpu_s": round(r.cpu_s, 2), "load": r.load} for r in self.runs],
            "reps": sorted({r.reps for r in self.runs}),
            "exercise": sorted({r.exercise for r in self.runs}),
        }


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
    commands: tuple[CommandTiming, ...] = ()
    cpu: CpuUsage | None = None

    @property
    def realtime_x(self) -> float:
        return self.duration_s / self.run_s if self.run_s > 0 else 0.0

    def command(self, label: str) -> CommandTiming | None:
        return next((c for c in self.commands if c.label == label), None)

    @property
    def command_s(self) -> float | None:
        """The median wall time of the command on every frame (``--every-frame``; the issue-6
        target). People run it at 15 poses a second, the default: ``command(...)`` of the second
        variant."""
        every = self.command(COMMAND_VARIANTS[0][0])
        return None if every is None else every.wall_s

    @property
    def command_realtime_x(self) -> float | None:
        every = self.command(COMMAND_VARIANTS[0][0])
        return None if every is None else every.realtime_x

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
            "commands": [c.to_dict() for c in self.commands],
            **(self.cpu.to_dict() if self.cpu is not None else {}),
        }


def bench_analyze(
    clip: Path, exercise: str, threads: int, command: bool, *, command_clip: Path | None = None, repeats: int = 1
) -> AnalyzeResult:
    """``analyze_video`` with Lightning on LiteRT over the whole clip, and optionally the command
    (on ``command_clip``, default the same clip; every variant ``repeats`` times)."""
    est, _ = load_timed(VARIANT, RUNTIME, threads)
    backend = timed(est)
    log.info("analyze: %s", clip)
    gc.collect()
    before = CpuSample.take()
    result = analyze_video(clip, exercise, estimator=est)
    after = CpuSample.take()
    video = result.video
    commands = time_analyze_commands(command_clip or clip, threads, repeats) if command else ()
    return AnalyzeResult(
        str(clip), video.width, video.height, video.fps, video.frames, video.frames / video.fps,
        after.wall - before.wall, backend.total_s, result.count, result.exercise, commands,
        CpuUsage.between(before, after),
    )  # fmt: skip


def time_analyze_commands(clip: Path, threads: int, repeats: int) -> tuple[CommandTiming, ...]:
    """Every variant of ``fitness analyze CLIP`` (recognising the exercise, as people run it),
    ``repeats`` times, alternately."""
    runs: dict[str, list[CommandRun]] = {label: [] for label, _ in COMMAND_VARIANTS}
    duration_s = 0.0
    for _ in range(repeats):
        for label, extra in COMMAND_VARIANTS:
            log.info("command: fitness analyze %s %s", clip.name, " ".join(extra))
            run, duration_s = time_analyze_command(clip, threads, extra)
            runs[label].append(run)
    return tuple(CommandTiming(label, extra, duration_s, tuple(runs[label])) for label, extra in COMMAND_VARIANTS)


def time_analyze_command(clip: Path, threads: int, extra: tuple[str, ...] = ()) -> tuple[CommandRun, float]:
    """``fitness analyze CLIP`` in a fresh interpreter: the run and the video's duration (s).

    CPU time is the child's own (``getrusage``), so other processes' load does not count; a
    failure is an error."""
    argv = [sys.executable, "-m", "fitness.cli", "analyze", str(clip), "--json", "-", "--threads", str(threads)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    load = round(os.getloadavg()[0], 2)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([*argv, *extra], capture_output=True, text=True, env=env, check=False, cwd=REPO_ROOT)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no error output"])[-1]
        raise AnalyzeCommandError(f"'fitness analyze {clip.name}' failed (exit {proc.returncode}): {tail}")
    doc = json.loads(proc.stdout)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    duration_s = doc["video"]["duration_ms"] / 1000.0
    return CommandRun(elapsed, cpu, int(doc["reps"]), str(doc["exercise"]), load), duration_s
