"""A whole clip's poses, estimated once and replayed many times.

The model is the slow part of an analysis; the engine is fast. Estimating a clip once and
replaying its poses through :func:`fitness.pipeline.stream.analyze_poses` lets the tests count
one clip as several exercises (the labelled one and ``auto``) from a single model pass, and lets
the tuning scripts iterate on specs in seconds. :meth:`PoseTrack.save` / :meth:`PoseTrack.load`
keep a track as a small ``.npz`` (``artifacts/poses/`` is git-ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitness.errors import InputFileError
from fitness.pipeline.stream import PoseFrame, VideoInfo
from fitness.pose.estimator import Estimator
from fitness.pose.keypoints import NUM_KEYPOINTS
from fitness.pose.types import Pose


@dataclass(frozen=True)
class PoseTrack:
    """``keypoints[i]`` is frame ``i``'s pose (x, y, score), all NaN where nobody was found."""

    video: VideoInfo
    t_ms: np.ndarray  # (N,) float64
    keypoints: np.ndarray  # (N, 17, 3) float64
    scores: np.ndarray  # (N,) float64, NaN without a pose

    def __post_init__(self) -> None:
        n = len(self.t_ms)
        if self.keypoints.shape != (n, NUM_KEYPOINTS, 3) or self.scores.shape != (n,):
            raise ValueError(
                f"PoseTrack needs (N,), (N, 17, 3), (N,) arrays, got {self.t_ms.shape}, "
                f"{self.keypoints.shape}, {self.scores.shape}"
            )

    def __len__(self) -> int:
        return len(self.t_ms)

    def frames(self) -> list[PoseFrame]:
        out: list[PoseFrame] = []
        for t, kps, score in zip(self.t_ms.tolist(), self.keypoints, self.scores.tolist(), strict=True):
            pose = None if np.isnan(score) else Pose(kps, float(score))
            out.append(PoseFrame(float(t), pose))
        return out

    def save(self, path: Path) -> None:
        v = self.video
        np.savez_compressed(
            path,
            t_ms=self.t_ms,
            keypoints=self.keypoints.astype(np.float32),
            scores=self.scores,
            video=np.array(
                [v.path, v.width, v.height, v.fps, v.frames, v.duration_ms, v.expected_frames], dtype=object
            ),
        )

    @classmethod
    def load(cls, path: Path) -> PoseTrack:
        with np.load(path, allow_pickle=True) as doc:
            p, w, h, fps, frames, dur, *expected = doc["video"].tolist()
            return cls(
                VideoInfo(
                    str(p), int(w), int(h), float(fps), int(frames), int(dur), int(expected[0]) if expected else 0
                ),
                doc["t_ms"].astype(np.float64),
                doc["keypoints"].astype(np.float64),
                doc["scores"].astype(np.float64),
            )


def estimate_track(path: str | Path, estimator: Estimator, *, pose_fps: float | None = None) -> PoseTrack:
    """Run ``estimator`` (reset first) over the frames of a video, exactly as
    :func:`fitness.pipeline.video_analysis.analyze_video` does with the same ``pose_fps``
    (None: every frame). At a lower rate the estimator sees only the frames analysed, so its
    crop follows the person differently: such a track is not a subsample of the every-frame one."""
    from fitness.pipeline.video_analysis import video_info
    from fitness.pipeline.video_io import open_video

    source = Path(path)
    times: list[float] = []
    kps: list[np.ndarray] = []
    scores: list[float] = []
    empty = np.full((NUM_KEYPOINTS, 3), np.nan)
    with open_video(source, sample_fps=pose_fps) as video:
        estimator.reset()
        for frame in video:
            pose = estimator.estimate(frame.rgb, frame.t_ms)
            times.append(frame.t_ms)
            kps.append(empty if pose is None else np.asarray(pose.keypoints))
            scores.append(np.nan if pose is None else pose.score)
        if not times:
            raise InputFileError(f"{source} has no video frames that can be decoded")
        info = video_info(video)
    return PoseTrack(info, np.array(times), np.stack(kps), np.array(scores))
