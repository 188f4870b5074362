"""One benchmark, in one process so that ratios are fair: live runs, analyze, soak."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fitness.bench.analyze import COMMAND_REPEATS, bench_analyze
from fitness.bench.clip import LIVE_SIZE, SHARED_DATA, exercise_for, make_live_clip
from fitness.bench.live import CHUNK_FRAMES, LaneSpec, run_live
from fitness.bench.multi import MOSAIC_CLIPS, PEOPLE_COUNTS, MultiBench, run_multi_bench
from fitness.bench.pipeline import WARMUP_FRAMES, describe
from fitness.bench.report import BenchReport
from fitness.bench.soak import soak
from fitness.bench.system import machine_info, rss_mb
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.video_io import open_video
from fitness.pose.models import RUNTIMES, check_variant

log = logging.getLogger(__name__)

DEFAULT_VARIANTS: Final = ("lightning", "thunder", "multipose")
DEFAULT_RUNTIMES: Final = RUNTIMES


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
    group_people: tuple[int, ...] = PEOPLE_COUNTS  # group mode timed with these many people (empty: skip)
    data_dir: Path = SHARED_DATA  # where the group mosaics' clips are
    command_clip: Path | None = None  # the clip the whole command is timed on (None: the clip)
    command_repeats: int = COMMAND_REPEATS

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise FitnessError(f"--seconds must be positive, got {self.seconds}")
        if self.soak_minutes < 0:
            raise FitnessError(f"--soak-minutes must be 0 or more, got {self.soak_minutes}")
        if self.command_repeats < 1:
            raise FitnessError(f"--command-repeats must be at least 1, got {self.command_repeats}")
        if self.threads < 1:
            raise FitnessError(f"--threads must be at least 1, got {self.threads}")
        if not self.variants or not self.runtimes:
            raise FitnessError("give at least one variant and one runtime")
        bad = [n for n in self.group_people if not 1 <= n <= len(MOSAIC_CLIPS)]
        if bad:
            raise FitnessError(f"--group-people takes numbers from 1 to {len(MOSAIC_CLIPS)}, got {bad[0]}")


def run_bench(cfg: BenchConfig) -> BenchReport:
    """Everything, in one process: live runs, analyze, soak."""
    for v in cfg.variants:
        check_variant(v)
    for rt in cfg.runtimes:
        if rt not in RUNTIMES:
            raise FitnessError(f"unknown runtime {rt!r}; valid runtimes: {', '.join(RUNTIMES)}")
    machine = machine_info()
    rss_start = rss_mb()
    exercise = cfg.exercise or exercise_for(cfg.clip, known=tuple(REGISTRY))
    cfg = dataclasses.replace(cfg, exercise=exercise)
    with open_video(cfg.clip) as video:
        src_fps, src_size = video.fps, (video.width, video.height)
    frames = max(1, round(cfg.seconds * src_fps))
    with tempfile.TemporaryDirectory(prefix="fitness-bench-") as tmp:
        live_clip = Path(tmp) / "live_640x480.mp4"
        written, fps = make_live_clip(cfg.clip, live_clip, frames + WARMUP_FRAMES)
        log.info("live clip: %d frames at 640x480, %.2f fps", written, fps)
        specs = [LaneSpec(v, rt) for v in cfg.variants for rt in cfg.runtimes]
        specs += [LaneSpec(f"{p.stem}.tflite", "litert", p) for p in cfg.extra_tflite]
        runs = run_live(specs, live_clip, frames=frames, fps=fps, exercise=exercise, threads=cfg.threads)
        analyze = (
            bench_analyze(
                cfg.clip, exercise, cfg.threads, cfg.analyze_command,
                command_clip=cfg.command_clip, repeats=cfg.command_repeats,
            )
            if cfg.analyze
            else None
        )  # fmt: skip
        soak_result = soak(live_clip, fps, cfg.soak_minutes, cfg.threads, exercise) if cfg.soak_minutes > 0 else None
        group = _group_bench(cfg, Path(tmp))
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
        "group_people": list(cfg.group_people),
        "command_clip": str(cfg.command_clip or cfg.clip),
        "command_repeats": cfg.command_repeats,
    }
    return BenchReport(
        machine, config, tuple(runs), analyze, soak_result, rss_start, rss_mb(), describe(exercise), group
    )


def _group_bench(cfg: BenchConfig, work_dir: Path) -> MultiBench | None:
    """Group mode on mosaics of the shared clips (skipped, with a log line, when they are absent)."""
    if not cfg.group_people:
        return None
    missing = [c for c in MOSAIC_CLIPS[: max(cfg.group_people)] if not (cfg.data_dir / c).is_file()]
    if missing:
        log.warning("group bench skipped: %s is missing", cfg.data_dir / missing[0])
        return None
    # The look-out's cost is a cost of one-person analyze: timed with it.
    return run_multi_bench(
        cfg.data_dir, work_dir, cfg.group_people, threads=cfg.threads, probe=cfg.analyze, seconds=cfg.seconds
    )
