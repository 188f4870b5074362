"""``fitness bench --batch``: what Ray costs and what it buys, on the same clips in one run.

Three ways through the same videos, each into nothing or a fresh SQLite history:

* **sequential**: a plain loop in this process, one model with one inference thread,
  ``analyze_video`` per clip at ``fitness analyze``'s default pose rate: the baseline a shell
  loop over ``fitness analyze`` would give (without its per-file start-up);
* **ray-1**, **ray-2**: the whole ``fitness batch`` (:func:`~fitness.batch.runner.run_batch`)
  with one and two workers on a local cluster it starts: hashing, probing, scheduling, store
  writes and Ray's start-up included.

Held to two targets: two workers at least 1.7x one worker's throughput, and Ray with one
worker at most 10% slower than the plain loop. Both are compared on the whole run (wall time
from start to last result, Ray's start-up included) and shown for the steady part too (from
the workers being ready). Also reported: video-hours per core-hour from the CPU seconds the
analysis took (steadier than wall time on a shared machine), the basis of the capacity table.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fitness.batch.inputs import discover
from fitness.batch.runner import BatchOptions, run_batch
from fitness.bench.proctree import TreeCpuMeter
from fitness.bench.report import Target
from fitness.bench.system import CpuSample, CpuUsage, loadavg, machine_info, round1
from fitness.pipeline.stream import AUTO

log = logging.getLogger(__name__)

TWO_WORKER_SPEEDUP: Final = 1.7
RAY_OVERHEAD: Final = 0.10
DAILY_HOURS: Final = 10_000.0
LAP_WORKERS: Final = (0, 1, 2)  # 0: the plain sequential loop  # the archive size the capacity table is sized for


@dataclass(frozen=True, slots=True)
class Lap:
    """One way through the clips. ``wall_s``: start to last result; ``work_s``: from the model(s)
    being loaded to the last result; ``cpu_s``: CPU seconds of the analysis itself."""

    name: str
    workers: int
    wall_s: float
    work_s: float
    cpu_s: float
    video_s: float
    videos: int
    machine_busy_pct: float | None
    loadavg_end: tuple[float, float, float] | None
    total_cpu_s: float = 0.0  # every process of the run: this one, Ray's daemons, the workers

    @property
    def throughput(self) -> float:
        """Seconds of video per second of wall time, whole run."""
        return self.video_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def steady_throughput(self) -> float:
        return self.video_s / self.work_s if self.work_s > 0 else 0.0

    @property
    def per_core(self) -> float | None:
        """Video-hours per core-hour by CPU time."""
        return self.video_s / self.cpu_s if self.cpu_s > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "workers": self.workers,
            "videos": self.videos,
            "video_s": round(self.video_s, 1),
            "wall_s": round(self.wall_s, 2),
            "work_s": round(self.work_s, 2),
            "cpu_s": round(self.cpu_s, 2),
            "total_cpu_s": round(self.total_cpu_s, 2),
            "real_time_x": round(self.throughput, 2),
            "steady_real_time_x": round(self.steady_throughput, 2),
            "video_h_per_core_h_cpu": None if self.per_core is None else round(self.per_core, 2),
            "machine_busy_pct": round1(self.machine_busy_pct),
            "loadavg_end": self.loadavg_end,
        }


def sequential(inputs: Sequence[Path], variant: str = "lightning") -> Lap:
    """The plain loop: one model, one inference thread, each video in turn, nothing stored."""
    from fitness.pipeline.video_analysis import POSE_FPS, analyze_video
    from fitness.pose.estimator import load_estimator

    videos = discover(inputs)
    before, t0 = CpuSample.take(), time.perf_counter()
    with TreeCpuMeter() as tree:
        estimator = load_estimator(variant, "litert", threads=1)
        t_ready, cpu0 = time.perf_counter(), time.process_time()
        video_s = 0.0
        for video in videos:
            result = analyze_video(video.path, video.exercise or AUTO, estimator=estimator, pose_fps=POSE_FPS)
            video_s += result.video.duration_ms / 1000.0
        cpu_s, end = time.process_time() - cpu0, time.perf_counter()
    usage = CpuUsage.between(before, CpuSample.take())
    return Lap(
        "sequential",
        1,
        end - t0,
        end - t_ready,
        cpu_s,
        video_s,
        len(videos),
        usage.machine_pct,
        loadavg(),
        tree.cpu_s or 0.0,
    )


def with_ray(inputs: Sequence[Path], workers: int, folder: Path, variant: str = "lightning") -> Lap:
    """The whole ``fitness batch`` on a local cluster of ``workers`` CPUs, into a fresh history."""
    db = folder / f"ray-{workers}-{time.monotonic_ns()}.db"
    before, t0 = CpuSample.take(), time.perf_counter()
    with TreeCpuMeter() as tree:
        report = run_batch(BatchOptions(tuple(inputs), db=str(db), workers=workers, variant=variant, progress=False))
    wall = time.perf_counter() - t0
    usage = CpuUsage.between(before, CpuSample.take())
    t = report.totals
    if t.failed:
        log.warning("%d video(s) failed in the ray-%d run", t.failed, workers)
    return Lap(
        f"ray-{workers}",
        workers,
        wall,
        t.wall_s,
        t.cpu_s,
        t.video_s,
        t.videos,
        usage.machine_pct,
        loadavg(),
        tree.cpu_s or 0.0,
    )


@dataclass(frozen=True)
class BatchBench:
    machine: dict[str, Any]
    inputs: tuple[str, ...]
    laps: tuple[Lap, ...]

    def best(self, name: str) -> Lap | None:
        """The fastest of the laps called ``name`` (rounds repeat each)."""
        found = [lap for lap in self.laps if lap.name == name]
        return max(found, key=lambda lap: lap.throughput) if found else None

    def targets(self) -> dict[str, Target]:
        seq, one, two = self.best("sequential"), self.best("ray-1"), self.best("ray-2")
        speedup = two.throughput / one.throughput if one and two and one.throughput else None
        overhead = seq.throughput / one.throughput - 1.0 if seq and one and one.throughput else None
        return {
            "two_workers_speedup": Target("2 workers vs 1", speedup, TWO_WORKER_SPEEDUP, unit="x"),
            "ray_overhead": Target("Ray 1 worker vs plain loop", overhead, RAY_OVERHEAD, higher_is_better=False),
        }

    def cpu_overhead(self) -> float | None:
        """CPU seconds of the whole Ray run with one worker over the plain loop's, minus one."""
        seq, one = self.best("sequential"), self.best("ray-1")
        return one.total_cpu_s / seq.total_cpu_s - 1.0 if seq and one and seq.total_cpu_s else None

    def steady(self) -> dict[str, float | None]:
        seq, one, two = self.best("sequential"), self.best("ray-1"), self.best("ray-2")
        ok = seq and one and two and one.steady_throughput
        return {
            "two_workers_speedup": two.steady_throughput / one.steady_throughput if ok and one and two else None,
            "ray_overhead": seq.steady_throughput / one.steady_throughput - 1.0 if ok and seq and one else None,
        }

    def capacity(self) -> dict[str, float | None]:
        """Video-hours per core-hour (by CPU time and by wall time per worker) and the cores
        that would analyse ``DAILY_HOURS`` of video a day at that rate."""
        lap = self.best("ray-2") or self.best("ray-1")
        if lap is None or lap.per_core is None:
            return {"video_h_per_core_h_cpu": None, "video_h_per_core_h_wall": None, "cores_for_10000_h_day": None}
        wall_rate = lap.steady_throughput / lap.workers
        return {
            "video_h_per_core_h_cpu": lap.per_core,
            "video_h_per_core_h_wall": wall_rate,
            "cores_for_10000_h_day": DAILY_HOURS / 24.0 / wall_rate if wall_rate else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "machine": {**self.machine, "loadavg_end": loadavg()},
            "inputs": list(self.inputs),
            "laps": [lap.to_dict() for lap in self.laps],
            "targets": {k: t.to_dict() for k, t in self.targets().items()},
            "steady": {k: None if v is None else round(v, 3) for k, v in self.steady().items()},
            "ray_overhead_cpu": None if self.cpu_overhead() is None else round(self.cpu_overhead() or 0.0, 3),
            "capacity": {k: None if v is None else round(v, 2) for k, v in self.capacity().items()},
        }


def run_batch_bench(inputs: Sequence[Path], rounds: int = 1, variant: str = "lightning") -> BatchBench:
    """``rounds`` x (sequential, ray-1, ray-2), the order turned each round so a change in the
    machine's load does not always fall on the same lap."""
    machine = machine_info()
    laps: list[Lap] = []
    with tempfile.TemporaryDirectory(prefix="fitness-bench-batch-") as tmp:
        for r in range(rounds):
            order = LAP_WORKERS if r % 2 == 0 else tuple(reversed(LAP_WORKERS))
            for workers in order:
                log.info(
                    "round %d: %s (load average %s)", r + 1, f"ray-{workers}" if workers else "sequential", loadavg()
                )
                lap = with_ray(inputs, workers, Path(tmp), variant) if workers else sequential(inputs, variant)
                log.info("%s: %.1f s for %.0f s of video", lap.name, lap.wall_s, lap.video_s)
                laps.append(lap)
    return BatchBench(machine, tuple(str(p) for p in inputs), tuple(laps))


def format_batch_bench(bench: BatchBench) -> str:
    lines = [
        f"fitness bench --batch: {bench.machine.get('cpu')} ({bench.machine.get('usable_cores')} usable cores); "
        f"load average at start {bench.machine.get('loadavg_start')}, at end {loadavg()}",
        f"{'lap':<11} {'videos':>6} {'video s':>8} {'wall s':>7} {'work s':>7} {'cpu s':>7} "
        f"{'all cpu':>7} {'x real':>7} {'steady x':>8} {'vh/ch':>6} {'busy %':>6}",
    ]
    for lap in bench.laps:
        per_core = f"{lap.per_core:6.2f}" if lap.per_core else f"{'-':>6}"
        busy = f"{lap.machine_busy_pct:6.0f}" if lap.machine_busy_pct is not None else f"{'-':>6}"
        lines.append(
            f"{lap.name:<11} {lap.videos:>6} {lap.video_s:8.1f} {lap.wall_s:7.1f} {lap.work_s:7.1f} {lap.cpu_s:7.1f} "
            f"{lap.total_cpu_s:7.1f} "
            f"{lap.throughput:7.2f} {lap.steady_throughput:8.2f} {per_core} {busy}"
        )
    for target in bench.targets().values():
        value = "-" if target.value is None else f"{target.value:.2f}"
        verdict = {True: "met", False: "NOT met", None: "not measured"}[target.met]
        lines.append(f"{target.name}: {value} ({target.to_dict()['target']}): {verdict}")
    steady = bench.steady()
    lines.append(
        "steady part only (after start-up): "
        + ", ".join(f"{k} {'-' if v is None else f'{v:.2f}'}" for k, v in steady.items())
    )
    overhead = bench.cpu_overhead()
    if overhead is not None:
        lines.append(f"Ray 1 worker vs plain loop by CPU seconds of every process: {overhead:+.1%}")
    cap = bench.capacity()
    if cap["video_h_per_core_h_wall"] is not None:
        lines.append(
            f"capacity: {cap['video_h_per_core_h_wall']:.2f} video-h per core-h by wall time "
            f"({cap['video_h_per_core_h_cpu']:.2f} by CPU time); {cap['cores_for_10000_h_day']:.0f} cores "
            f"for {DAILY_HOURS:,.0f} h of video a day"
        )
    return "\n".join(lines) + "\n"
