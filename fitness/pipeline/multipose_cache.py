"""MultiPose detections of a whole video, saved once per clip so tuning the tracker and counters
does not rerun the model (``artifacts/``, never committed). Keyed by the file's size and mtime
and the model, so a changed clip or model is run again."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from fitness.pose.estimator import MultiPoseEstimator
from fitness.pose.tracking import MAX_PEOPLE
from fitness.pose.types import Box, Pose

log = logging.getLogger(__name__)

FrameSource = Callable[[Path], Iterator[tuple[float, np.ndarray]]]


def _key(path: Path, model: str) -> str:
    st = path.stat()
    return hashlib.sha256(f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}:{model}".encode()).hexdigest()[:16]


def pack(frames: list[list[Pose]]) -> dict[str, np.ndarray]:
    n = len(frames)
    kps = np.full((n, MAX_PEOPLE, 17, 3), np.nan)
    boxes = np.full((n, MAX_PEOPLE, 4), np.nan)
    scores = np.full((n, MAX_PEOPLE), np.nan)
    for i, poses in enumerate(frames):
        for j, p in enumerate(poses[:MAX_PEOPLE]):
            kps[i, j] = p.keypoints
            scores[i, j] = p.score
            if p.box is not None:
                boxes[i, j] = (p.box.x0, p.box.y0, p.box.x1, p.box.y1)
    return {"keypoints": kps, "boxes": boxes, "scores": scores}


def unpack(data: dict[str, np.ndarray]) -> list[list[Pose]]:
    out: list[list[Pose]] = []
    for kps, boxes, scores in zip(data["keypoints"], data["boxes"], data["scores"], strict=True):
        poses = []
        for k, b, s in zip(kps, boxes, scores, strict=True):
            if np.isnan(s):
                continue
            poses.append(Pose(k, float(s), None if np.isnan(b).any() else Box(*map(float, b))))
        out.append(poses)
    return out


def detections(path: Path, estimator: MultiPoseEstimator, cache_dir: Path) -> tuple[np.ndarray, list[list[Pose]]]:
    """``(t_ms per frame, poses per frame)`` for every frame of ``path``, from the cache if there."""
    from fitness.pipeline.video_io import open_video

    cache_dir.mkdir(parents=True, exist_ok=True)
    file = cache_dir / f"{path.stem}.{_key(path, estimator.backend.name)}.npz"
    if file.is_file():
        with np.load(file) as data:
            loaded = {k: data[k] for k in data.files}
        return loaded["t_ms"], unpack(loaded)
    times: list[float] = []
    frames: list[list[Pose]] = []
    with open_video(path) as video:
        for frame in video:
            times.append(frame.t_ms)
            frames.append(estimator.estimate_all(frame.rgb))
    packed = pack(frames)
    np.savez_compressed(
        file, t_ms=np.array(times), keypoints=packed["keypoints"], boxes=packed["boxes"], scores=packed["scores"]
    )
    log.info("cached MultiPose detections of %s (%d frames)", path.name, len(frames))
    return np.array(times), frames
