"""Pose estimation with MoveNet: single images, video streams and multi-person photos.

Coordinates: the model sees a square crop of the frame (a letterboxed full frame for photos, a
region around the previous pose for video) and answers ``(y, x, score)`` normalised to that
crop. :func:`crop_to_image` maps them back to the frame, which also removes the letterbox
padding; :class:`fitness.pose.types.Pose` then holds ``(x, y, score)`` in original pixels.

Video mode follows the official TF.js MoveNet: the next frame is cropped around the previous
pose (hip centre, 1.9x torso / 1.2x body range), the crop corners are low-pass filtered, and
keypoints are smoothed with a One-Euro filter in normalised image coordinates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fitness.errors import FitnessError
from fitness.pose.keypoints import INDEX, NUM_KEYPOINTS
from fitness.pose.models import Source, ensure_model, model_from_path
from fitness.pose.runtimes import Backend, make_backend
from fitness.pose.smoothing import MOVENET_KEYPOINT_FILTER, LowPass, OneEuroFilter
from fitness.pose.types import Box, Pose

log = logging.getLogger(__name__)

MIN_CROP_KEYPOINT_SCORE = 0.2
CROP_FILTER_ALPHA = 0.9
TORSO_EXPANSION = 1.9
BODY_EXPANSION = 1.2
_TORSO = (INDEX["left_shoulder"], INDEX["right_shoulder"], INDEX["left_hip"], INDEX["right_hip"])


@dataclass(frozen=True, slots=True)
class EstimatorOptions:
    """How a pose is accepted and smoothed.

    ``min_pose_score``: an instance score (mean of keypoint scores above 0.2, as TF.js computes
    it) below this means "no person". ``min_keypoints``: how many keypoints must reach
    ``keypoint_threshold`` for a pose to count as a person.
    """

    keypoint_threshold: float = 0.3
    min_pose_score: float = 0.25
    min_keypoints: int = 4
    smoothing: bool = True
    refine_image: bool = True

    def __post_init__(self) -> None:
        for name in ("keypoint_threshold", "min_pose_score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if not 0 <= self.min_keypoints <= NUM_KEYPOINTS:
            raise ValueError(f"min_keypoints must be within [0, 17], got {self.min_keypoints}")


@dataclass(frozen=True, slots=True)
class CropRegion:
    """A crop in coordinates normalised to the frame (may extend past its edges)."""

    y_min: float
    x_min: float
    y_max: float
    x_max: float

    @property
    def height(self) -> float:
        return self.y_max - self.y_min

    @property
    def width(self) -> float:
        return self.x_max - self.x_min

    def as_array(self) -> np.ndarray:
        return np.array([self.y_min, self.x_min, self.y_max, self.x_max])

    def to_box(self, height: int, width: int) -> Box:
        return Box(self.x_min * width, self.y_min * height, self.x_max * width, self.y_max * height)


def init_crop_region(first_frame: bool, height: int, width: int) -> CropRegion:
    """First frame: the centred square. Otherwise: the whole frame padded to a square."""
    landscape = width > height
    if first_frame:
        # The largest centred square inside the frame: uses the pixels best on frame one.
        box_h, box_w = (1.0, height / width) if landscape else (width / height, 1.0)
    else:
        # The whole frame padded to a square (letterbox), so nobody is cut off.
        box_h, box_w = (width / height, 1.0) if landscape else (1.0, height / width)
    y0, x0 = 0.5 - box_h / 2, 0.5 - box_w / 2
    return CropRegion(y0, x0, y0 + box_h, x0 + box_w)


def torso_visible(kps: np.ndarray) -> bool:
    """``kps``: (17, 3) y, x, score. At least one hip and one shoulder above 0.2."""
    s = kps[:, 2]
    hips = max(s[INDEX["left_hip"]], s[INDEX["right_hip"]])
    shoulders = max(s[INDEX["left_shoulder"]], s[INDEX["right_shoulder"]])
    return bool(hips > MIN_CROP_KEYPOINT_SCORE and shoulders > MIN_CROP_KEYPOINT_SCORE)


def next_crop_region(kps: np.ndarray, height: int, width: int) -> CropRegion:
    """The TF Hub tutorial's ``determine_crop_region``; ``kps`` normalised (y, x, score)."""
    if not torso_visible(kps):
        return init_crop_region(False, height, width)
    pix = kps[:, :2] * np.array([height, width])
    centre = (pix[INDEX["left_hip"]] + pix[INDEX["right_hip"]]) / 2.0
    torso_range = np.abs(pix[list(_TORSO)] - centre).max(axis=0)
    confident = kps[:, 2] >= MIN_CROP_KEYPOINT_SCORE
    body_range = np.abs(pix[confident] - centre).max(axis=0) if confident.any() else np.zeros(2)
    half = max(torso_range.max() * TORSO_EXPANSION, body_range.max() * BODY_EXPANSION)
    cy, cx = float(centre[0]), float(centre[1])
    half = min(half, max(cx, width - cx, cy, height - cy))
    if half > max(width, height) / 2:
        return init_crop_region(False, height, width)
    y0, x0 = cy - half, cx - half
    return CropRegion(y0 / height, x0 / width, (y0 + 2 * half) / height, (x0 + 2 * half) / width)


def crop_and_resize(image: np.ndarray, crop: CropRegion, size: int) -> np.ndarray:
    """Bilinear crop-and-resize with zero fill outside the frame (``tf.image.crop_and_resize``)."""
    h, w = image.shape[:2]
    sy = crop.height * (h - 1) / (size - 1)
    sx = crop.width * (w - 1) / (size - 1)
    matrix = np.array([[sx, 0.0, crop.x_min * (w - 1)], [0.0, sy, crop.y_min * (h - 1)]])
    return cv2.warpAffine(
        image,
        matrix,
        (size, size),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )


def crop_to_image(kps: np.ndarray, crop: CropRegion) -> np.ndarray:
    """Map (y, x, score) normalised to the crop into (y, x, score) normalised to the frame."""
    out = np.array(kps, dtype=np.float64, copy=True)
    out[:, 0] = crop.y_min + out[:, 0] * crop.height
    out[:, 1] = crop.x_min + out[:, 1] * crop.width
    return out


def instance_score(kps: np.ndarray) -> float:
    """Mean score of the keypoints above 0.2 (TF.js MoveNet's pose score)."""
    s = kps[:, 2]
    valid = s > MIN_CROP_KEYPOINT_SCORE
    return float(s[valid].mean()) if valid.any() else 0.0


def to_pose(kps: np.ndarray, height: int, width: int, score: float, box: Box | None = None) -> Pose:
    """Normalised (y, x, score) -> Pose with (x, y, score) in pixels."""
    arr = np.stack([kps[:, 1] * width, kps[:, 0] * height, kps[:, 2]], axis=1)
    return Pose(arr, score, box)


def _validate_frame(frame: np.ndarray) -> None:
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.shape[0] < 2 or frame.shape[1] < 2:
        raise FitnessError(f"expected an RGB image of shape (H, W, 3), got {frame.shape}")


class PoseEstimator:
    """SinglePose MoveNet (Lightning or Thunder). Video mode keeps state: one per stream."""

    def __init__(self, backend: Backend, options: EstimatorOptions | None = None) -> None:
        if backend.multipose:
            raise FitnessError("this is a MultiPose model; use MultiPoseEstimator")
        self.backend = backend
        self.options = options or EstimatorOptions()
        self._crop: CropRegion | None = None
        # One filter over the crop's four corners: each is smoothed on its own, element by element.
        self._crop_filter = LowPass(CROP_FILTER_ALPHA)
        self._kp_filter = OneEuroFilter(MOVENET_KEYPOINT_FILTER)
        self.last_crop: CropRegion | None = None

    @property
    def input_size(self) -> int:
        return self.backend.input_size

    def reset(self) -> None:
        self._crop = None
        self.last_crop = None
        self._crop_filter.reset()
        self._kp_filter.reset()

    @property
    def following(self) -> bool:
        """Whether the next frame is cropped around a pose (False after a reset or a lost person)."""
        return self._crop is not None

    def start_at(self, crop: CropRegion) -> None:
        """Follow the person inside ``crop`` from the next frame on (e.g. one MultiPose found)."""
        self.reset()
        self._crop = crop

    def run_crop(self, frame: np.ndarray, crop: CropRegion) -> np.ndarray:
        """Infer on one crop; returns (17, 3) y, x, score normalised to the frame."""
        patch = crop_and_resize(frame, crop, self.input_size)
        raw = self.backend.infer(patch[None].astype(np.int32))
        return crop_to_image(raw.reshape(NUM_KEYPOINTS, 3), crop)

    def _accept(self, kps: np.ndarray, score: float) -> bool:
        opts = self.options
        enough = int((kps[:, 2] >= opts.keypoint_threshold).sum()) >= opts.min_keypoints
        return score >= opts.min_pose_score and enough

    def estimate_image(self, frame: np.ndarray) -> Pose | None:
        """One photo: letterboxed full frame, then (optionally) a second pass on the person."""
        _validate_frame(frame)
        h, w = frame.shape[:2]
        crop = init_crop_region(False, h, w)
        kps = self.run_crop(frame, crop)
        score = instance_score(kps)
        if self.options.refine_image and torso_visible(kps):
            refined_crop = next_crop_region(kps, h, w)
            if refined_crop != crop:
                refined = self.run_crop(frame, refined_crop)
                refined_score = instance_score(refined)
                if refined_score >= score:
                    kps, score, crop = refined, refined_score, refined_crop
        self.last_crop = crop
        return to_pose(kps, h, w, score) if self._accept(kps, score) else None

    def estimate(self, frame: np.ndarray, t_ms: float) -> Pose | None:
        """Video/stream mode: ``t_ms`` must increase; state carries over between calls."""
        _validate_frame(frame)
        h, w = frame.shape[:2]
        if self._crop is None:
            self._crop = init_crop_region(True, h, w)
        crop = self._crop
        kps = self.run_crop(frame, crop)
        self.last_crop = crop
        score = instance_score(kps)
        if score == 0.0:
            self.reset()
            return None
        if self.options.smoothing:
            kps[:, :2] = self._kp_filter(kps[:, :2], t_ms / 1000.0)
        filtered = self._crop_filter(next_crop_region(kps, h, w).as_array())
        self._crop = CropRegion(*map(float, filtered))
        return to_pose(kps, h, w, score) if self._accept(kps, score) else None


class MultiPoseEstimator:
    """MultiPose Lightning: up to 6 people per frame, each with a box and a score."""

    def __init__(self, backend: Backend, options: EstimatorOptions | None = None) -> None:
        if not backend.multipose:
            raise FitnessError("this is a SinglePose model; use PoseEstimator")
        self.backend = backend
        self.options = options or EstimatorOptions()
        self.last_crop: CropRegion | None = None

    @property
    def input_size(self) -> int:
        return self.backend.input_size

    def reset(self) -> None:
        """Stateless; present so both estimators can be used alike."""

    def estimate_all(self, frame: np.ndarray) -> list[Pose]:
        _validate_frame(frame)
        h, w = frame.shape[:2]
        # Letterbox: the whole frame padded to a square, so no one is cut off.
        crop = init_crop_region(False, h, w)
        raw = self.backend.infer(crop_and_resize(frame, crop, self.input_size)[None].astype(np.int32))
        poses = []
        for inst in raw.reshape(-1, 56):
            score = float(inst[55])
            if score < self.options.min_pose_score:
                continue
            kps = crop_to_image(inst[:51].reshape(NUM_KEYPOINTS, 3), crop)
            y0, x0, y1, x1 = inst[51:55]
            corners = crop_to_image(np.array([[y0, x0, 1.0], [y1, x1, 1.0]]), crop)
            box = Box(
                float(np.clip(corners[0, 1] * w, 0, w)),
                float(np.clip(corners[0, 0] * h, 0, h)),
                float(np.clip(corners[1, 1] * w, 0, w)),
                float(np.clip(corners[1, 0] * h, 0, h)),
            )
            poses.append(to_pose(kps, h, w, score, box))
        return sorted(poses, key=lambda p: -p.score)

    def estimate_image(self, frame: np.ndarray) -> Pose | None:
        poses = self.estimate_all(frame)
        return poses[0] if poses else None

    def estimate(self, frame: np.ndarray, t_ms: float) -> Pose | None:
        return self.estimate_image(frame)


Estimator = PoseEstimator | MultiPoseEstimator


def load_estimator(
    variant: str = "lightning",
    runtime: str = "litert",
    *,
    model_path: str | Path | None = None,
    threads: int = 2,
    source: Source = "npm",
    options: EstimatorOptions | None = None,
) -> Estimator:
    """Fetch (or reuse) a model and wrap it in the right estimator."""
    if model_path is not None:
        files = model_from_path(Path(model_path))
        if runtime == "litert" and files.tflite is None:
            runtime = "tf"  # a SavedModel given by path runs on TensorFlow as it is
    else:
        files = ensure_model(variant, source)
    backend = make_backend(files, runtime, threads)
    if backend.multipose:
        return MultiPoseEstimator(backend, options)
    return PoseEstimator(backend, options)
