"""Group mode timings for ``fitness bench``: the whole ``analyze --people N`` pipeline (decode,
MultiPose, one Lightning crop per person, tracker, one recogniser and counter short-list per
person) on 1280x720 mosaics of 1, 2 and 4 real one-person clips, against real time; and what
one-person mode's look-out for other people (:class:`fitness.pipeline.group.PeopleProbe`) costs.

The machine is shared: besides the wall clock, each run reports the CPU seconds this process
spent per second of video, which other processes sway much less. ``cpu_realtime_x`` (video
seconds per CPU second) is what a quiet machine's wall clock would show if the work ran on one
core; with two inference threads a quiet wall clock does at least as well.

:func:`run_multi_bench` returns plain numbers (``to_dict``) for the bench report.
"""

from __future__ import annotations

import gc
import logging
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fitness.bench.pipeline import TimedBackend
from fitness.bench.system import CpuSample, CpuUsage, loadavg
from fitness.errors import FitnessError

log = logging.getLogger(__name__)

PEOPLE_COUNTS: Final = (1, 2, 4)
SIZE: Final = (1280, 720)
SECONDS: Final = 10.0
# Real one-person clips, narrow enough that four fit side by side in 1280x720.
MOSAIC_CLIPS: Final = (
    "videos/squat/squat_side_rohan.mp4",
    "videos/curl/curl_side_tiktok_bajpai.mp4",
    "videos/curl/curl_closeup_kamran.mp4",
    "videos/squat/squat_oblique_barbell_formfit1.mp4",
)
PROBE_CLIP: Final = "videos/curl/curl_side_formfit.mp4"  # 1280x720, one person


def make_mosaic(clips: Sequence[Path], out: Path, seconds: float = SECONDS) -> Path:
    """``len(clips)`` people side by side in one 1280x720 30 fps video, each scaled into their cell."""
    if out.is_file():
        return out
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise FitnessError("ffmpeg is needed to build the group benchmark clips")
    w, h = SIZE[0] // len(clips), SIZE[1]
    cells = "".join(
        f"[{i}:v]fps=30,scale={w}:{h}:force_original_aspect_ratio=decrease,setsar=1,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,tpad=stop_mode=clone:stop_duration=30[c{i}];"
        for i in range(len(clips))
    )
    inputs = "".join(f"[c{i}]" for i in range(len(clips)))
    stack = f"{inputs}hstack=inputs={len(clips)}[v]" if len(clips) > 1 else "[c0]null[v]"
    cmd = [ffmpeg, "-loglevel", "error", "-y"]
    for clip in clips:
        cmd += ["-i", str(clip)]
    cmd += ["-filter_complex", cells + stack, "-map", "[v]", "-an", "-t", f"{seconds}"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-crf", "20", str(out)]
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(cmd, check=True, capture_output=True)
    return out


@dataclass(frozen=True, slots=True)
class GroupTiming:
    """One ``analyze --people N`` run: wall time against the video's duration, split by model."""

    people: int
    found: int
    frames: int
    video_s: float
    wall_s: float
    multipose_s: float
    multipose_calls: int
    lightning_s: float
    lightning_calls: int
    cpu: CpuUsage
    tracking_s: float = 0.0
    counting_s: float = 0.0

    @property
    def realtime(self) -> float:
        return self.video_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_realtime(self) -> float:
        return self.video_s / self.cpu.self_cpu_s if self.cpu.self_cpu_s > 0 else 0.0

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        per_frame = 1000.0 / max(self.frames, 1)
        return {
            "people": self.people,
            "people_found": self.found,
            "frames": self.frames,
            "video_s": round(self.video_s, 2),
            "wall_s": round(self.wall_s, 2),
            "realtime_x": round(self.realtime, 2),
            "cpu_realtime_x": round(self.cpu_realtime, 2),
            "fps": round(self.fps, 1),
            "ms_per_frame": {
                "multipose": round(self.multipose_s * per_frame, 2),
                "lightning": round(self.lightning_s * per_frame, 2),
                "tracking": round(self.tracking_s * per_frame, 2),
                "counting": round(self.counting_s * per_frame, 2),
                # Decoding, drawing nothing, and the glue between the stages.
                "rest": round(
                    (self.wall_s - self.multipose_s - self.lightning_s - self.tracking_s - self.counting_s) * per_frame,
                    2,
                ),
            },
            # CPU seconds this process spent per second of video: what the work costs, less swayed by
            # other processes than the wall clock (which a busy machine stretches).
            "cpu_s_per_video_s": round(self.cpu.self_cpu_s / self.video_s, 3) if self.video_s else None,
            "multipose_calls": self.multipose_calls,
            "lightning_calls": self.lightning_calls,
            "cpu": self.cpu.to_dict(),
        }


def time_group(video: Path, people: int, threads: int = 2, stride: int | None = None) -> GroupTiming:
    """``analyze_group_video`` over ``video`` with both models' inference timed."""
    from fitness.pipeline.group import analyze_group_video, load_people_estimator

    est = load_people_estimator(people, threads=threads)
    multi = TimedBackend(est.multipose.backend)
    est.multipose.backend = multi
    single = None
    if est.single is not None:
        single = TimedBackend(est.single.backend)
        est.single.backend = single
    gc.collect()
    before = CpuSample.take()
    result = analyze_group_video(video, people=people, estimator=est, stride=stride)
    after = CpuSample.take()
    info = result.video
    return GroupTiming(
        people=people,
        found=len(result.people),
        frames=info.frames,
        video_s=info.frames / info.fps,
        wall_s=after.wall - before.wall,
        multipose_s=multi.total_s,
        multipose_calls=multi.calls,
        lightning_s=single.total_s if single else 0.0,
        lightning_calls=single.calls if single else 0,
        cpu=CpuUsage.between(before, after),
        tracking_s=result.busy_s.get("tracking", 0.0),
        counting_s=result.busy_s.get("counting", 0.0),
    )


@dataclass(frozen=True, slots=True)
class ProbeCost:
    """One-person ``analyze`` with and without the MultiPose look-out, on the same clip."""

    clip: str
    without_s: float
    with_s: float
    probes: int
    frames: int
    probe_s: float  # the probes' own MultiPose time in the best run with them: steadier than the difference

    def to_dict(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "frames": self.frames,
            "without_probe_s": round(self.without_s, 2),
            "with_probe_s": round(self.with_s, 2),
            "probes": self.probes,
            "extra_pct": round(100.0 * (self.with_s / self.without_s - 1.0), 1) if self.without_s else None,
            "probe_ms_per_frame": round(1000.0 * self.probe_s / max(self.frames, 1), 3),
            "probe_share_pct": round(100.0 * self.probe_s / self.with_s, 1) if self.with_s else None,
        }


def time_probe(clip: Path, threads: int = 2, repeats: int = 2) -> ProbeCost:
    """Interleaved runs (without, with, without, with...) so outside load hits both alike; best of each."""
    from fitness.pipeline.group import PeopleProbe
    from fitness.pipeline.video_analysis import analyze_video
    from fitness.pose.estimator import MultiPoseEstimator, load_estimator

    single = load_estimator("lightning", threads=threads)
    multi = load_estimator("multipose", threads=threads)
    assert isinstance(multi, MultiPoseEstimator)
    without: list[float] = []
    with_probe: list[tuple[float, float]] = []
    probes = frames = 0
    for _ in range(repeats):
        gc.collect()
        a = CpuSample.take()
        frames = analyze_video(clip, estimator=single).video.frames
        without.append(CpuSample.take().wall - a.wall)
        timed = TimedBackend(multi.backend)
        probe = PeopleProbe(MultiPoseEstimator(timed, multi.options))
        gc.collect()
        a = CpuSample.take()
        analyze_video(clip, estimator=single, probe=probe)
        with_probe.append((CpuSample.take().wall - a.wall, timed.total_s))
        probes = probe.probes
    best, probe_s = min(with_probe)
    return ProbeCost(str(clip), min(without), best, probes, frames, probe_s)


@dataclass(frozen=True, slots=True)
class MultiBench:
    group: tuple[GroupTiming, ...]
    probe: ProbeCost | None
    loadavg: tuple[tuple[float, float, float] | None, tuple[float, float, float] | None]

    def timing(self, people: int) -> GroupTiming | None:
        return next((g for g in self.group if g.people == people), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": [g.to_dict() for g in self.group],
            "probe": self.probe.to_dict() if self.probe else None,
            "loadavg_start_end": list(self.loadavg),
        }


def run_multi_bench(
    data_dir: Path,
    work_dir: Path,
    counts: Sequence[int] = PEOPLE_COUNTS,
    *,
    threads: int = 2,
    probe: bool = True,
    seconds: float = SECONDS,
) -> MultiBench:
    """Group timings for each people count on ``seconds`` of mosaic (built once in ``work_dir``),
    then the probe's cost."""
    start = loadavg()
    timings = []
    for n in counts:
        clips = [data_dir / c for c in MOSAIC_CLIPS[:n]]
        video = make_mosaic(clips, work_dir / f"mosaic_{n}p_{seconds:g}s.mp4", seconds)
        timing = time_group(video, n, threads)
        log.info("group bench: %d people, %.2fx real time", n, timing.realtime)
        timings.append(timing)
    cost = time_probe(data_dir / PROBE_CLIP, threads) if probe else None
    return MultiBench(tuple(timings), cost, (start, loadavg()))


def format_multi(bench: MultiBench) -> str:
    lines = [
        "people  found  frames  real-time  per-CPU  fps   multipose  lightning  tracking  counting  rest "
        "(ms/frame)  cpu s/video s  others%"
    ]
    for g in bench.group:
        doc = g.to_dict()
        d = doc["ms_per_frame"]
        lines.append(
            f"{g.people:>6} {g.found:>6} {g.frames:>7} {g.realtime:>9.2f}x {g.cpu_realtime:>7.2f}x {g.fps:5.1f} "
            f"{d['multipose']:>10} {d['lightning']:>10} {d['tracking']:>9} {d['counting']:>9} {d['rest']:>5}"
            f"{doc['cpu_s_per_video_s']:>26} {doc['cpu']['others_pct']}"
        )
    if bench.probe is not None:
        p = bench.probe.to_dict()
        lines.append(
            f"one-person look-out: {p['probes']} MultiPose probes over {p['frames']} frames, "
            f"{p['without_probe_s']} s -> {p['with_probe_s']} s ({p['extra_pct']}%); the probes' own "
            f"inference: {p['probe_ms_per_frame']} ms a frame, {p['probe_share_pct']}% of the run"
        )
    lines.append(f"load average start/end: {bench.loadavg}")
    return "\n".join(lines) + "\n"
