"""Real poses replayed: a clip through the real Lightning model once (kept under ``artifacts/``,
never committed), then handed back frame by frame to a live coach as its estimator."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from fitness.pipeline.evaluation import LabelledClip, load_manifest
from fitness.pipeline.pose_track import PoseTrack, estimate_track
from fitness.pose.types import Pose

MODEL = "lightning"


class Replay:
    """The poses the real model gave on a first pass, handed back frame by frame."""

    def __init__(self, poses: list[Pose | None]) -> None:
        self._poses = iter(poses)

    def estimate(self, frame: np.ndarray, t_ms: float) -> Pose | None:
        return next(self._poses)

    def reset(self) -> None:
        pass


def cached_track(clip: Path, artifacts: Path) -> PoseTrack:
    """``clip``'s poses by the real model, estimated on the first call and kept (keyed by the
    file's size and mtime, so a changed clip is run again)."""
    from fitness.pose.estimator import load_estimator

    st = clip.stat()
    key = hashlib.sha256(f"{clip.resolve()}:{st.st_size}:{st.st_mtime_ns}:{MODEL}".encode()).hexdigest()[:16]
    cache = artifacts / "poses" / f"{clip.stem}-{key}.npz"
    if cache.is_file():
        return PoseTrack.load(cache)
    track = estimate_track(clip, load_estimator(MODEL))
    cache.parent.mkdir(parents=True, exist_ok=True)
    track.save(cache)
    return track


def labelled_clip(manifest: Path, name: str) -> LabelledClip:
    """The clip called ``name`` in ``manifest``, or skip saying why."""
    import pytest

    clips = load_manifest(manifest) if manifest.is_file() else []
    clip = next((c for c in clips if c.path.name == name), None)
    if clip is None or not clip.path.is_file():
        pytest.skip(f"{name} is not in {manifest}'s footage")
    return clip


def then_nobody(clip: Path, artifacts: Path, away_s: float) -> list[tuple[float, Pose | None]]:
    """``clip``'s real poses with their times, then ``away_s`` of nobody in view at 30 fps (the
    person walked off: a set in progress ends)."""
    frames = [(f.t_ms, f.pose) for f in cached_track(clip, artifacts).frames()]
    last = frames[-1][0]
    return frames + [(last + 1000.0 * i / 30, None) for i in range(1, round(away_s * 30) + 1)]
