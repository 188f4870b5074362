"""``fitness bench``: where the time goes, measured on real footage, every runtime in one run.

What is timed (all on the same clip, in one process, so ratios are fair):

* **live** runs, one per variant x runtime: the webcam pipeline on 640x480 frames. The clip is
  shrunk to 640x480 and re-encoded as H.264 *before* timing; the timed loop then decodes it
  frame by frame with PyAV (as aiortc does for a WebRTC stream), estimates the pose, counts
  (:class:`fitness.pipeline.stream.StreamAnalyzer`, as :class:`~fitness.pipeline.live.LiveCoach` does) and
  draws the skeleton and HUD. Each frame is split into consecutive stages -- decode,
  preprocess (crop + resize), inference, postprocess (un-crop, smoothing, crop tracking),
  counting, drawing -- so the stages always add up to no more than the frame's latency.
* **analyze**: :func:`fitness.pipeline.video_analysis.analyze_video` over the clip at its own size (decoding
  overlapped with inference by :func:`fitness.pipeline.video_io.open_video`), as a multiple of real time;
  plus the whole ``fitness analyze`` command in a fresh process when that command exists.
* **soak**: the Lightning live pipeline looped for ``soak_minutes`` of stream time (frames fed
  as fast as they come), with the resident set size (``VmRSS``) sampled along the way.

Nothing here asserts a speed: the numbers are reported, and the targets are checked and shown.
The helpers at the top (percentiles, lap timers, ``/proc`` readers) are pure and unit-tested.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import importlib
import importlib.metadata
import logging
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from fitness.engine.recognition import UNKNOWN
from fitness.errors import FitnessError, InputFileError

log = logging.getLogger(__name__)

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
SHARED_DATA: Final = REPO_ROOT.parent / "shared" / "data"
# A clean 1280x720, 29.97 fps, 26 s clip: one person, full body, 8 curls.
DEFAULT_CLIP: Final = "videos/curl/curl_front_swsumo.mp4"
LIVE_SIZE: Final = (640, 480)  # what a webcam delivers once WebRTC has ramped up
STAGES: Final = ("decode", "preprocess", "inference", "postprocess", "counting", "drawing")
DEFAULT_VARIANTS: Final = ("lightning", "thunder", "multipose")
DEFAULT_RUNTIMES: Final = ("litert", "tf")
WARMUP_FRAMES: Final = 10
SOAK_SAMPLES: Final = 20
CHUNK_FRAMES: Final = 15  # frames per turn when the live runs take turns

Clock = Callable[[], float]


# -- pure helpers ------------------------------------------------------------------------------


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


def parse_status_kb(text: str, key: str) -> int | None:
    """The ``kB`` value of ``key`` in a ``/proc/<pid>/status`` text, or None."""
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name == key:
            parts = rest.split()
            if parts and parts[0].isdigit():
                return int(parts[0])
    return None


def rss_mb(status_path: Path = Path("/proc/self/status")) -> float | None:
    """Resident set size of this process in MB (``VmRSS``), or None where /proc is missing."""
    try:
        kb = parse_status_kb(status_path.read_text(), "VmRSS")
    except OSError:
        return None
    return None if kb is None else kb / 1024.0


@dataclass(frozen=True, slots=True)
class CpuSample:
    """Machine-wide busy/total jiffies (``/proc/stat``) and this process's CPU seconds."""

    wall: float
    busy: int
    total: int
    own_cpu_s: float

    @classmethod
    def take(cls, stat_path: Path = Path("/proc/stat")) -> CpuSample:
        busy = total = 0
        try:
            first = stat_path.read_text().splitlines()[0].split()
            if first[0] == "cpu":
                vals = [int(v) for v in first[1:]]
                total = sum(vals[:8])  # user nice system idle iowait irq softirq steal
                busy = total - vals[3] - (vals[4] if len(vals) > 4 else 0)
        except (OSError, IndexError, ValueError):
            pass
        t = os.times()
        return cls(time.perf_counter(), busy, total, t.user + t.system)


@dataclass(frozen=True, slots=True)
class CpuUsage:
    """How busy the machine was over an interval, in percent of all its cores."""

    machine_pct: float | None
    self_pct: float
    others_pct: float | None
    self_cpu_s: float

    @classmethod
    def between(cls, a: CpuSample, b: CpuSample, cores: int | None = None) -> CpuUsage:
        cores = cores or os.cpu_count() or 1
        wall = max(b.wall - a.wall, 1e-9)
        own = max(b.own_cpu_s - a.own_cpu_s, 0.0)
        self_pct = 100.0 * own / (wall * cores)
        if b.total <= a.total:
            return cls(None, self_pct, None, own)
        machine = 100.0 * (b.busy - a.busy) / (b.total - a.total)
        return cls(machine, self_pct, max(0.0, machine - self_pct), own)

    def to_dict(self) -> dict[str, float | None]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {"machine_busy_pct": r(self.machine_pct), "self_pct": r(self.self_pct), "others_pct": r(self.others_pct)}


def loadavg() -> tuple[float, float, float] | None:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return None
    return round(one, 2), round(five, 2), round(fifteen, 2)


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and the versions of the libraries that do the work."""
    cpu = platform.processor() or platform.machine()
    flags: list[str] = []
    family: dict[str, str] = {}
    mem_mb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                cpu = value.strip()
            elif key.strip() in ("cpu family", "model", "stepping") and key.strip() not in family:
                family[key.strip()] = value.strip()
            elif key.strip() == "flags" and not flags:
                wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "hypervisor")
                flags = [f for f in wanted if f in value.split()]
        kb = parse_status_kb(Path("/proc/meminfo").read_text(), "MemTotal")
        mem_mb = None if kb is None else round(kb / 1024)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    dists = ("numpy", "opencv-python-headless", "ai-edge-litert", "tensorflow", "av")
    return {
        "cpu": cpu,
        "cpu_id": family,
        "cpu_flags": flags,
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_mb": mem_mb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in dists},
        "loadavg_start": loadavg(),
    }


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunResult:
    """One live-pipeline run: a variant on a runtime."""

    variant: str
    runtime: str
    threads: int
    frames: int
    wall_s: float
    latency: LatencyStats
    stages_ms: dict[str, float]
    load_s: float
    cpu: CpuUsage

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "runtime": self.runtime,
            "threads": self.threads,
            "frames": self.frames,
            "wall_s": round(self.wall_s, 3),
            "fps": round(self.fps, 2),
            "mean_ms": round(self.latency.mean_ms, 2),
            "p50_ms": round(self.latency.p50_ms, 2),
            "p95_ms": round(self.latency.p95_ms, 2),
            "max_ms": round(self.latency.max_ms, 2),
            "stages_ms": {k: round(v, 3) for k, v in self.stages_ms.items()},
            "load_s": round(self.load_s, 2),
            "cpu_ms_per_frame": round(self.cpu.self_cpu_s * 1000.0 / max(1, self.frames), 2),
            **self.cpu.to_dict(),
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
    command_s: float | None = None
    command_error: str | None = None
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
            "variant": "lightning",
            "runtime": "litert",
            "duration_s": round(self.duration_s, 2),
            "run_s": round(self.run_s, 2),
            "realtime_x": round(self.realtime_x, 2),
            "ms_per_frame": round(self.run_s * 1000.0 / max(1, self.frames), 2),
            "inference_ms_per_frame": round(self.inference_s * 1000.0 / max(1, self.frames), 2),
            "exercise": self.exercise,
            "reps": self.reps,
            "command_s": None if self.command_s is None else round(self.command_s, 2),
            "command_realtime_x": None if cmd_x is None else round(cmd_x, 2),
            "command_error": self.command_error,
            **(self.cpu.to_dict() if self.cpu is not None else {}),
        }


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
        x = np.array([f for f, _ in half], dtype=np.float64) / 1800.0
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


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: float | None
    limit: float
    higher_is_better: bool = True
    unit: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else round(self.value, 2),
            "target": f"{'>=' if self.higher_is_better else '<='} {self.limit:g}{self.unit}",
            "met": self.met,
        }


@dataclass(frozen=True)
class BenchConfig:
    clip: Path
    seconds: float = 10.0
    variants: tuple[str, ...] = DEFAULT_VARIANTS
    runtimes: tuple[str, ...] = DEFAULT_RUNTIMES
    threads: int = 2
    soak_minutes: float = 10.0
    analyze: bool = True
    analyze_command: bool = True
    exercise: str | None = None  # None: from the manifest beside the clip, else "auto"
    extra_tflite: tuple[Path, ...] = ()  # local .tflite files (fp16/int8 builds) timed on LiteRT too

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise FitnessError(f"--seconds must be positive, got {self.seconds}")
        if self.soak_minutes < 0:
            raise FitnessError(f"--soak-minutes must be 0 or more, got {self.soak_minutes}")
        if self.threads < 1:
            raise FitnessError(f"--threads must be at least 1, got {self.threads}")
        if not self.variants or not self.runtimes:
            raise FitnessError("give at least one variant and one runtime")


@dataclass(frozen=True)
class BenchReport:
    machine: dict[str, Any]
    config: dict[str, Any]
    runs: tuple[RunResult, ...]
    analyze: AnalyzeResult | None
    soak: SoakResult | None
    rss_start_mb: float | None
    rss_end_mb: float | None
    pipeline: dict[str, str] = field(default_factory=dict)

    def run(self, variant: str, runtime: str) -> RunResult | None:
        return next((r for r in self.runs if r.variant == variant and r.runtime == runtime), None)

    def ratios(self) -> dict[str, Any]:
        """LiteRT vs TF per variant, and each variant against Lightning per runtime (x = times)."""
        out: dict[str, Any] = {"litert_vs_tf": {}, "vs_lightning": {}}
        for variant in dict.fromkeys(r.variant for r in self.runs):
            lit, tf = self.run(variant, "litert"), self.run(variant, "tf")
            if lit and tf:
                out["litert_vs_tf"][variant] = {
                    "inference_speedup": _ratio(tf.stages_ms["inference"], lit.stages_ms["inference"]),
                    "fps_speedup": _ratio(lit.fps, tf.fps),
                    "p95_speedup": _ratio(tf.latency.p95_ms, lit.latency.p95_ms),
                }
        for runtime in dict.fromkeys(r.runtime for r in self.runs):
            base = self.run("lightning", runtime)
            if base is None:
                continue
            for variant in dict.fromkeys(r.variant for r in self.runs):
                other = self.run(variant, runtime)
                if other is None or variant == "lightning":
                    continue
                out["vs_lightning"][f"{variant}/{runtime}"] = {
                    "inference_cost": _ratio(other.stages_ms["inference"], base.stages_ms["inference"]),
                    "fps_ratio": _ratio(other.fps, base.fps),
                }
        return out

    def targets(self) -> list[Target]:
        lit = self.run("lightning", "litert")
        thunder = self.run("thunder", "litert")
        tf = self.run("lightning", "tf")
        found: list[Target] = []
        if lit is not None:
            found.append(Target("lightning live fps", lit.fps, 30.0, unit=" fps"))
            found.append(Target("lightning live p95", lit.latency.p95_ms, 40.0, higher_is_better=False, unit=" ms"))
        if thunder is not None:
            found.append(Target("thunder live fps", thunder.fps, 15.0, unit=" fps"))
        if lit is not None and tf is not None:
            found.append(
                Target("litert vs tf (inference)", _ratio(tf.stages_ms["inference"], lit.stages_ms["inference"]), 2.0)
            )
        if self.analyze is not None:
            found.append(Target("analyze x real time", self.analyze.realtime_x, 2.0, unit="x"))
            if self.analyze.command_realtime_x is not None:
                found.append(Target("analyze command x real time", self.analyze.command_realtime_x, 2.0, unit="x"))
        if self.soak is not None:
            found.append(Target("soak RSS growth", self.soak.growth_mb, 20.0, higher_is_better=False, unit=" MB"))
        return found

    def to_dict(self) -> dict[str, Any]:
        machine = {**self.machine, "loadavg_end": loadavg()}
        rss: dict[str, Any] = {"process_start": _r1(self.rss_start_mb), "process_end": _r1(self.rss_end_mb)}
        if self.soak is not None:
            rss.update(self.soak.to_dict())
        return {
            "machine": machine,
            "config": self.config,
            "pipeline": self.pipeline,
            "runs": [r.to_dict() for r in self.runs],
            "ratios": self.ratios(),
            "rss_mb": rss,
            "analyze": None if self.analyze is None else self.analyze.to_dict(),
            "targets": {t.name: t.to_dict() for t in self.targets()},
        }


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 2) if den > 0 else None


def _r1(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


# -- the clip ----------------------------------------------------------------------------------


def default_clip(data_dir: Path = SHARED_DATA) -> Path | None:
    """The default labelled 720p clip in ``../shared/data``, or None when that folder is absent."""
    path = data_dir / DEFAULT_CLIP
    return path if path.is_file() else None


def exercise_for(clip: Path, data_dir: Path = SHARED_DATA, known: Iterable[str] = ()) -> str:
    """The clip's exercise from the manifest beside it if it is one of ``known``, else ``auto``."""
    manifest = data_dir / "manifest.csv"
    wanted = set(known)
    try:
        with manifest.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if (data_dir / (row.get("file") or "")).resolve() == clip.resolve():
                    exercise = (row.get("exercise") or "").strip()
                    return exercise if exercise in wanted else "auto"
    except (OSError, csv.Error):
        pass
    return "auto"


def _known_exercises() -> tuple[str, ...]:
    try:
        from fitness.engine.registry import REGISTRY
    except ImportError:
        return ()
    return tuple(REGISTRY)


def make_live_clip(src: Path, dst: Path, max_frames: int, size: tuple[int, int] = LIVE_SIZE) -> tuple[int, float]:
    """Shrink ``src`` to ``size`` and re-encode it as H.264 (a webcam's stream); untimed set-up.

    Returns (frames written, fps).
    """
    import cv2

    from fitness.pipeline.video_io import WriterContext, open_video, open_writer

    written = 0
    with open_video(src) as video:
        fps = video.fps
        with WriterContext(open_writer(dst, fps, size)) as writer:
            assert writer is not None
            for frame in video:
                writer.write(cv2.resize(frame.rgb, size, interpolation=cv2.INTER_AREA))
                written += 1
                if written >= max_frames:
                    break
    if written == 0:
        raise InputFileError(f"{src} has no video frames that can be decoded")
    return written, fps


class LoopingDecoder:
    """Decodes an H.264 file with PyAV to RGB arrays, from the start again at the end (a stream)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._container: Any = None
        self._frames: Iterator[Any] | None = None
        self.loops = 0

    def _open(self) -> None:
        import av

        self.close()
        self._container = av.open(str(self.path))
        self._frames = self._container.decode(video=0)

    def read(self) -> np.ndarray:
        for _ in range(2):
            if self._frames is None:
                self._open()
            assert self._frames is not None
            frame = next(self._frames, None)
            if frame is not None:
                rgb: np.ndarray = frame.to_ndarray(format="rgb24")
                return rgb
            self.loops += 1
            self.close()
        raise InputFileError(f"{self.path} has no video frames that can be decoded")

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = None
        self._frames = None


# -- the pipeline under test -------------------------------------------------------------------


class TimedBackend:
    """A backend proxy that notes when inference starts and ends (and adds up its time)."""

    def __init__(self, inner: Any, clock: Clock = time.perf_counter) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.input_size: int = inner.input_size
        self.multipose: bool = inner.multipose
        self._clock = clock
        self.started: float | None = None
        self.ended: float | None = None
        self.total_s = 0.0
        self.calls = 0

    def infer(self, image: np.ndarray) -> np.ndarray:
        self.started = self._clock()
        out: np.ndarray = self.inner.infer(image)
        self.ended = self._clock()
        self.total_s += self.ended - self.started
        self.calls += 1
        return out


class LivePipeline:
    """The webcam frame path, stage by stage: estimate -> count -> draw (as ``LiveCoach``)."""

    def __init__(self, estimator: Any, exercise: str) -> None:
        self.estimator = estimator
        self.backend = TimedBackend(estimator.backend)
        estimator.backend = self.backend
        self.exercise = exercise
        self._count, self.counting_desc = _make_counter(exercise)
        self._draw, self.drawing_desc = _make_drawer(exercise)

    def reset(self) -> None:
        self.estimator.reset()
        self._count, _ = _make_counter(self.exercise)

    def process(self, rgb: np.ndarray, t_ms: float, timer: LapTimer) -> np.ndarray:
        """Run one frame; ``timer`` must have been started (decode is already lapped)."""
        b = self.backend
        b.started = b.ended = None
        pose = self.estimator.estimate(rgb, t_ms)
        if b.started is not None and b.ended is not None:
            timer.lap("preprocess", b.started)
            timer.lap("inference", b.ended)
        timer.lap("postprocess")
        result = self._count(pose, t_ms)
        timer.lap("counting")
        out = self._draw(rgb, pose, result)
        timer.lap("drawing")
        return out


def _make_counter(exercise: str) -> tuple[Callable[[Any, float], Any], str]:
    try:
        from fitness.pipeline.stream import StreamAnalyzer
    except ImportError as exc:
        log.warning("counting not timed: %s", exc)
        return (lambda pose, t: None), "none (fitness.analysis unavailable)"
    analyzer = StreamAnalyzer(exercise, keep_frames=False)
    return analyzer.update, f"StreamAnalyzer({exercise!r}).update"


def _make_drawer(exercise: str) -> tuple[Callable[[np.ndarray, Any, Any], np.ndarray], str]:
    from fitness.pose.drawing import draw_pose

    try:
        from fitness.engine.registry import REGISTRY
        from fitness.pipeline.video_analysis import annotate

        importlib.import_module("fitness.pipeline.hud")  # annotate imports it lazily: fail here, not mid-run
    except ImportError as exc:
        log.warning("drawing the skeleton only: %s", exc)
        return (lambda rgb, pose, result: draw_pose(rgb, pose)), "draw_pose (no HUD available)"
    spec = REGISTRY.get(exercise) or next(iter(REGISTRY.values()))

    def draw(rgb: np.ndarray, pose: Any, result: Any) -> np.ndarray:
        if result is None:
            return draw_pose(rgb, pose)
        return annotate(rgb, pose, result, spec)

    return draw, f"annotate (skeleton + HUD, {spec.key})"


def _load(variant: str, runtime: str, threads: int, model_path: Path | None = None) -> tuple[Any, float]:
    from fitness.pose.estimator import load_estimator

    started = time.perf_counter()
    est = load_estimator(variant, runtime, threads=threads, model_path=model_path)
    return est, time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class LaneSpec:
    """What one live run times: a catalogue variant on a runtime, or a local ``.tflite``."""

    variant: str
    runtime: str
    model_path: Path | None = None
    threads: int | None = None  # None: the run's --threads

    @property
    def catalogue_variant(self) -> str:
        """The model to load: ``variant`` up to an optional ``@label`` (``lightning@t1``)."""
        return self.variant.split("@", 1)[0]


class CpuMeter:
    """Adds up :class:`CpuUsage` over many separate intervals (one lane's chunks)."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.busy = 0
        self.total = 0
        self.own = 0.0

    def add(self, a: CpuSample, b: CpuSample) -> None:
        self.wall += b.wall - a.wall
        self.busy += b.busy - a.busy
        self.total += b.total - a.total
        self.own += b.own_cpu_s - a.own_cpu_s

    def usage(self, cores: int | None = None) -> CpuUsage:
        a = CpuSample(0.0, 0, 0, 0.0)
        return CpuUsage.between(a, CpuSample(self.wall, self.busy, self.total, self.own), cores)


class _Lane:
    """One live run in progress: its own estimator, decoder, clock and timestamps."""

    def __init__(
        self, spec: LaneSpec, estimator: Any, load_s: float, live_clip: Path, *, exercise: str, threads: int
    ) -> None:
        self.spec = spec
        self.threads = threads
        self.load_s = load_s
        self.pipe = LivePipeline(estimator, exercise)
        self.decoder = LoopingDecoder(live_clip)
        self.timer = LapTimer(STAGES)
        self.cpu = CpuMeter()
        self.index = 0

    def frame(self, step_ms: float) -> None:
        self.timer.start()
        rgb = self.decoder.read()
        self.timer.lap("decode")
        self.pipe.process(rgb, self.index * step_ms, self.timer)
        self.timer.stop()
        self.index += 1

    def warm_up(self, frames: int, step_ms: float) -> None:
        for _ in range(frames):
            self.frame(step_ms)
        self.pipe.reset()
        self.timer = LapTimer(STAGES)

    def chunk(self, frames: int, step_ms: float) -> None:
        before = CpuSample.take()
        for _ in range(frames):
            self.frame(step_ms)
        self.cpu.add(before, CpuSample.take())

    def result(self) -> RunResult:
        t = self.timer
        return RunResult(
            self.spec.variant, self.spec.runtime, self.threads, t.frames, self.cpu.wall, LatencyStats.of(t.totals),
            t.stage_means_ms(), self.load_s, self.cpu.usage(),
        )  # fmt: skip


def run_live(
    specs: Sequence[LaneSpec],
    live_clip: Path,
    *,
    frames: int,
    fps: float,
    exercise: str,
    threads: int,
    chunk: int = CHUNK_FRAMES,
) -> list[RunResult]:
    """Time ``frames`` frames of the live pipeline for every lane, interleaved.

    Every model is loaded first; then the lanes take turns, ``chunk`` frames at a time (the
    first lane rotating each round), so that a burst of load from elsewhere on a shared machine
    falls on all of them alike instead of on whichever ran at that moment. Each lane keeps its
    own stream state (crop tracking, counter, timestamps) across its chunks.
    """
    step_ms = 1000.0 / fps
    lanes: list[_Lane] = []
    try:
        for spec in specs:
            log.info("loading %s on %s", spec.variant, spec.runtime)
            n_threads = spec.threads or threads
            est, load_s = _load(spec.catalogue_variant, spec.runtime, n_threads, spec.model_path)
            lanes.append(_Lane(spec, est, load_s, live_clip, exercise=exercise, threads=n_threads))
        for lane in lanes:
            lane.warm_up(WARMUP_FRAMES, step_ms)
        gc.collect()
        done, rnd = 0, 0
        while done < frames:
            n = min(chunk, frames - done)
            for k in range(len(lanes)):
                lanes[(rnd + k) % len(lanes)].chunk(n, step_ms)
            done += n
            rnd += 1
            log.info("live runs: %d/%d frames each", done, frames)
    finally:
        for lane in lanes:
            lane.decoder.close()
    return [lane.result() for lane in lanes]


def soak(live_clip: Path, fps: float, minutes: float, threads: int, exercise: str) -> SoakResult:
    """The Lightning live pipeline over ``minutes`` of stream time; RSS sampled as it goes."""
    frames = max(1, round(minutes * 60.0 * fps))
    log.info("soak: %d frames (%.1f min of stream at %.2f fps)", frames, minutes, fps)
    est, _ = _load("lightning", "litert", threads)
    pipe = LivePipeline(est, exercise)
    decoder = LoopingDecoder(live_clip)
    step_ms = 1000.0 / fps
    every = max(1, frames // SOAK_SAMPLES)
    timer = LapTimer(STAGES)
    try:
        for i in range(WARMUP_FRAMES):  # warm up, then measure from a settled start
            timer.start()
            pipe.process(decoder.read(), i * step_ms, timer)
        gc.collect()
        samples: list[tuple[int, float]] = [(0, rss_mb() or 0.0)]
        timer = LapTimer(STAGES)
        started = time.perf_counter()
        for n in range(1, frames + 1):
            timer.start()
            rgb = decoder.read()
            timer.lap("decode")
            pipe.process(rgb, (WARMUP_FRAMES + n) * step_ms, timer)
            timer.stop()
            if n % every == 0 or n == frames:
                samples.append((n, rss_mb() or 0.0))
                log.info("soak: %d/%d frames, RSS %.1f MB", n, frames, samples[-1][1])
        wall = time.perf_counter() - started
    finally:
        decoder.close()
    return SoakResult(frames, frames / fps / 60.0, wall, tuple(samples), LatencyStats.of(timer.totals))


def bench_analyze(clip: Path, exercise: str, threads: int, command: bool) -> AnalyzeResult:
    """``analyze_video`` with Lightning on LiteRT over the whole clip, and optionally the command."""
    from fitness.pipeline.video_analysis import analyze_video

    est, _ = _load("lightning", "litert", threads)
    timed = TimedBackend(est.backend)
    est.backend = timed
    log.info("analyze: %s", clip)
    gc.collect()
    before = CpuSample.take()
    result = analyze_video(clip, exercise, estimator=est)
    after = CpuSample.take()
    run_s = after.wall - before.wall
    video = result.video
    cmd_s: float | None = None
    cmd_err: str | None = None
    if command:
        cmd_s, cmd_err = _time_analyze_command(clip, exercise, threads)
    return AnalyzeResult(
        str(clip), video.width, video.height, video.fps, video.frames, video.frames / video.fps,
        run_s, timed.total_s, result.count, result.exercise or UNKNOWN, cmd_s, cmd_err, CpuUsage.between(before, after),
    )  # fmt: skip


def _time_analyze_command(clip: Path, exercise: str, threads: int) -> tuple[float | None, str | None]:
    """Wall time of ``fitness analyze CLIP`` in a fresh interpreter (start-up and model load included)."""
    from fitness.cli import build_parser

    try:
        build_parser().parse_args(["analyze", str(clip), "--exercise", exercise, "--threads", str(threads)])
    except SystemExit:
        return None, "no 'fitness analyze' command with --exercise/--threads in this build"
    argv = [sys.executable, "-m", "fitness.cli", "analyze", str(clip), "--exercise", exercise]
    argv += ["--threads", str(threads)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, cwd=REPO_ROOT)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"exit {proc.returncode}: {tail}"
    return elapsed, None


def run_bench(cfg: BenchConfig) -> BenchReport:
    """Everything, in one process: live runs, analyze, soak."""
    from fitness.pipeline.video_io import open_video
    from fitness.pose.models import check_variant

    for v in cfg.variants:
        check_variant(v)
    for rt in cfg.runtimes:
        if rt not in DEFAULT_RUNTIMES:
            raise FitnessError(f"unknown runtime {rt!r}; valid runtimes: {', '.join(DEFAULT_RUNTIMES)}")
    machine = machine_info()
    rss_start = rss_mb()
    exercise = cfg.exercise or exercise_for(cfg.clip, known=_known_exercises())
    cfg = dataclasses.replace(cfg, exercise=exercise)
    with open_video(cfg.clip) as video:
        src_fps, src_size = video.fps, (video.width, video.height)
    frames = max(1, round(cfg.seconds * src_fps))
    pipeline: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="fitness-bench-") as tmp:
        live_clip = Path(tmp) / "live_640x480.mp4"
        written, fps = make_live_clip(cfg.clip, live_clip, frames + WARMUP_FRAMES)
        log.info("live clip: %d frames at 640x480, %.2f fps", written, fps)
        specs = [LaneSpec(v, rt) for v in cfg.variants for rt in cfg.runtimes]
        specs += [LaneSpec(f"{p.stem}.tflite", "litert", p) for p in cfg.extra_tflite]
        runs = run_live(specs, live_clip, frames=frames, fps=fps, exercise=exercise, threads=cfg.threads)
        _, pipeline["counting"] = _make_counter(exercise)
        _, pipeline["drawing"] = _make_drawer(exercise)
        analyze = bench_analyze(cfg.clip, exercise, cfg.threads, cfg.analyze_command) if cfg.analyze else None
        soak_result = soak(live_clip, fps, cfg.soak_minutes, cfg.threads, exercise) if cfg.soak_minutes > 0 else None
    config = {
        "clip": str(cfg.clip),
        "clip_size": list(src_size),
        "clip_fps": round(src_fps, 3),
        "live_size": list(LIVE_SIZE),
        "seconds": cfg.seconds,
        "frames_per_run": frames,
        "warmup_frames": WARMUP_FRAMES,
        "interleave_chunk_frames": CHUNK_FRAMES,
        "threads": cfg.threads,
        "exercise": exercise,
        "soak_minutes": cfg.soak_minutes,
        "extra_tflite": [str(p) for p in cfg.extra_tflite],
    }
    return BenchReport(machine, config, tuple(runs), analyze, soak_result, rss_start, rss_mb(), pipeline)


# -- the printed table -------------------------------------------------------------------------


def format_report(report: BenchReport) -> str:
    m = report.machine
    lines = [
        f"machine: {m['cpu']}, {m['usable_cores']} cores, {m.get('memory_mb')} MB, Python {m['python']}, "
        f"LiteRT {m['versions'].get('ai-edge-litert')}, TensorFlow {m['versions'].get('tensorflow')}",
        f"load average at start {m.get('loadavg_start')}, at end {loadavg()}",
        f"clip: {report.config['clip']} -> live frames {LIVE_SIZE[0]}x{LIVE_SIZE[1]}, "
        f"{report.config['frames_per_run']} frames per run, {report.config['threads']} inference threads",
        "",
    ]
    width = max([10, *(len(r.variant) for r in report.runs)])
    head = f"{'variant':<{width}} {'runtime':<7} {'fps':>6} {'mean':>6} {'p50':>6} {'p95':>6} |"
    head += "".join(f" {_SHORT.get(s, s)[:6]:>6}" for s in STAGES) + " | busy%  others%"
    lines += [head + "   (latency and stages: ms per frame)", "-" * len(head)]
    for r in report.runs:
        row = f"{r.variant:<{width}} {r.runtime:<7} {r.fps:6.1f} {r.latency.mean_ms:6.1f} {r.latency.p50_ms:6.1f} "
        row += f"{r.latency.p95_ms:6.1f} |" + "".join(f" {r.stages_ms[s]:6.2f}" for s in STAGES)
        row += f" | {_pct(r.cpu.machine_pct)} {_pct(r.cpu.others_pct)}"
        lines.append(row)
    ratios = report.ratios()
    if ratios["litert_vs_tf"] or ratios["vs_lightning"]:
        lines.append("")
    for variant, r in ratios["litert_vs_tf"].items():
        lines.append(
            f"LiteRT vs TF signature call, {variant}: inference {r['inference_speedup']}x faster, "
            f"end to end {r['fps_speedup']}x the fps"
        )
    for key, r in ratios["vs_lightning"].items():
        lines.append(f"{key} vs lightning: inference costs {r['inference_cost']}x, fps is {r['fps_ratio']}x")
    a = report.analyze
    if a is not None:
        lines.append("")
        per_frame, infer = (a.run_s * 1000 / max(1, a.frames), a.inference_s * 1000 / max(1, a.frames))
        lines.append(
            f"analyze ({a.width}x{a.height}, {a.fps:.2f} fps, {a.frames} frames, {a.duration_s:.1f} s): "
            f"{a.run_s:.1f} s = {a.realtime_x:.2f}x real time ({per_frame:.1f} ms/frame, inference {infer:.1f}); "
            f"{a.reps} {a.exercise} reps; machine busy {_pct(a.cpu.machine_pct if a.cpu else None).strip()}%, "
            f"others {_pct(a.cpu.others_pct if a.cpu else None).strip()}%"
        )
        if a.command_s is not None:
            lines.append(
                f"'fitness analyze' command, start-up included: {a.command_s:.1f} s = {a.command_realtime_x:.2f}x"
            )
        elif a.command_error:
            lines.append(f"'fitness analyze' command not timed: {a.command_error}")
    s = report.soak
    if s is not None:
        lines.append("")
        lines.append(
            f"soak: {s.frames} frames ({s.stream_minutes:.1f} min of stream) in {s.wall_s:.0f} s "
            f"({s.frames / s.wall_s:.1f} fps, p95 {s.latency.p95_ms:.1f} ms); RSS {s.start_mb:.1f} -> "
            f"{s.end_mb:.1f} MB (growth {s.growth_mb:+.1f} MB, trend {s.slope_mb_per_min:+.2f} MB/min)"
        )
    lines.append("")
    for t in report.targets():
        mark = "n/a" if t.met is None else "met" if t.met else "MISSED"
        value = "-" if t.value is None else f"{t.value:.2f}"
        lines.append(f"target {t.name:<30} {value:>8} ({'>=' if t.higher_is_better else '<='} {t.limit:g}) {mark}")
    return "\n".join(lines) + "\n"


_SHORT: Final = {
    "preprocess": "prep",
    "inference": "infer",
    "postprocess": "post",
    "counting": "count",
    "drawing": "draw",
}


def _pct(v: float | None) -> str:
    return "   -  " if v is None else f"{v:5.0f} "
