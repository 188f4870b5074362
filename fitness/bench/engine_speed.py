"""What counting and recognition cost per frame, with every registered exercise, on real poses.

The model is timed elsewhere; this times the engine alone: each stream's poses (estimated
once, e.g. by :func:`fitness.pipeline.pose_track.estimate_track` or cached by
``scripts/cache_poses.py``) go through a :class:`~fitness.pipeline.stream.StreamAnalyzer`
exactly as the live page runs it (``auto``: every spec's signature plus the counters of the
short list). Process CPU time is reported next to wall time: on a shared machine the wall
clock also counts the time other processes held the cores.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fitness.engine.registry import REGISTRY
from fitness.pipeline.pose_track import PoseTrack
from fitness.pipeline.stream import AUTO, PoseFrame, StreamAnalyzer


@dataclass(frozen=True, slots=True)
class EngineSpeed:
    """Counting + recognition per frame over ``frames`` frames of ``streams`` streams."""

    exercise: str
    exercises: int  # specs registered (all of them are recognised among)
    streams: int
    frames: int
    cpu_ms_per_frame: float
    wall_ms_per_frame: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "exercises": self.exercises,
            "streams": self.streams,
            "frames": self.frames,
            "cpu_ms_per_frame": round(self.cpu_ms_per_frame, 4),
            "wall_ms_per_frame": round(self.wall_ms_per_frame, 4),
        }

    def summary(self) -> str:
        return (
            f"engine ({self.exercise}, {self.exercises} exercises): {self.cpu_ms_per_frame:.2f} ms/frame CPU, "
            f"{self.wall_ms_per_frame:.2f} ms/frame wall, over {self.frames} frames of {self.streams} streams"
        )


def measure_engine_speed(streams: Iterable[Sequence[PoseFrame]], exercise: str = AUTO) -> EngineSpeed:
    """Time :class:`StreamAnalyzer` (live settings: no per-frame results kept) over ``streams``."""
    frames = 0
    count = 0
    cpu = wall = 0.0
    for stream in streams:
        analyzer = StreamAnalyzer(exercise, keep_frames=False)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for frame in stream:
            analyzer.update(frame.pose, frame.t_ms)
        cpu += time.process_time() - cpu0
        wall += time.perf_counter() - wall0
        frames += len(stream)
        count += 1
    if frames == 0:
        raise ValueError("measure_engine_speed needs at least one frame")
    return EngineSpeed(exercise, len(REGISTRY), count, frames, cpu * 1000.0 / frames, wall * 1000.0 / frames)


def cached_streams(folder: Path) -> list[list[PoseFrame]]:
    """The pose tracks cached in ``folder`` (``*.npz`` from ``scripts/cache_poses.py``)."""
    return [PoseTrack.load(path).frames() for path in sorted(folder.glob("*.npz"))]
