"""Pure pieces of the pose layer: crop geometry, coordinate mapping, smoothing, value types."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fitness.pose.estimator import (
    CropRegion,
    EstimatorOptions,
    crop_and_resize,
    crop_to_image,
    init_crop_region,
    instance_score,
    next_crop_region,
    to_pose,
)
from fitness.pose.keypoints import INDEX, KEYPOINTS
from fitness.pose.smoothing import LowPass, OneEuroConfig, OneEuroFilter
from fitness.pose.types import Pose


def test_first_frame_crop_is_centred_square_inside_landscape_frame() -> None:
    crop = init_crop_region(True, 480, 640)
    assert crop.height == pytest.approx(1.0)
    assert crop.width * 640 == pytest.approx(480)  # square in pixels
    assert crop.x_min == pytest.approx((640 - 480) / 2 / 640)


def test_fallback_crop_letterboxes_whole_portrait_frame() -> None:
    crop = init_crop_region(False, 1280, 720)
    assert crop.height == pytest.approx(1.0)
    assert crop.width * 720 == pytest.approx(1280)
    assert crop.x_min < 0 and crop.x_max > 1  # padding on both sides


def _person(cx: float, cy: float, torso: float, score: float = 0.9) -> np.ndarray:
    """Normalised (y, x, score) keypoints of an upright stick figure."""
    kps = np.zeros((17, 3))
    kps[:, 2] = score
    kps[:, 0], kps[:, 1] = cy, cx
    for side, dx in (("left", 0.03), ("right", -0.03)):
        kps[INDEX[f"{side}_shoulder"]] = (cy - torso, cx + dx, score)
        kps[INDEX[f"{side}_hip"]] = (cy, cx + dx, score)
        kps[INDEX[f"{side}_ankle"]] = (cy + torso, cx + dx, score)
    return kps


def test_next_crop_centres_on_hips_and_covers_body() -> None:
    kps = _person(0.5, 0.5, 0.2)
    crop = next_crop_region(kps, 1000, 1000)
    assert (crop.y_min + crop.y_max) / 2 == pytest.approx(0.5)
    assert (crop.x_min + crop.x_max) / 2 == pytest.approx(0.5)
    # 1.9 x torso (0.2) = 0.38 half-length beats 1.2 x body range (0.24).
    assert crop.height == pytest.approx(0.76)


def test_next_crop_falls_back_to_full_frame_without_torso() -> None:
    kps = _person(0.5, 0.5, 0.2)
    kps[INDEX["left_hip"], 2] = kps[INDEX["right_hip"], 2] = 0.05
    assert next_crop_region(kps, 480, 640) == init_crop_region(False, 480, 640)


def test_crop_and_resize_matches_direct_resize_for_whole_frame() -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    out = crop_and_resize(img, CropRegion(0, 0, 1, 1), 64)
    assert np.array_equal(out, img)


def test_crop_and_resize_fills_outside_with_black() -> None:
    img = np.full((10, 10, 3), 200, np.uint8)
    out = crop_and_resize(img, CropRegion(0, -1, 1, 1), 21)
    assert out[:, :9].max() == 0 and out[:, 11:].min() == 200


def test_crop_to_image_undoes_letterbox_padding() -> None:
    h, w = 480, 640
    crop = init_crop_region(False, h, w)
    # A keypoint at the centre of the model input is the centre of the frame.
    centre = crop_to_image(np.array([[0.5, 0.5, 1.0]]), crop)
    assert centre[0, :2] == pytest.approx([0.5, 0.5])
    # The top edge of the model input is padding, above the frame.
    top = crop_to_image(np.array([[0.0, 0.0, 1.0]]), crop)
    assert top[0, 0] * h == pytest.approx(-80)
    assert top[0, 1] == pytest.approx(0.0)


def test_instance_score_ignores_low_keypoints() -> None:
    kps = np.zeros((17, 3))
    kps[:4, 2] = [0.9, 0.7, 0.1, 0.15]
    assert instance_score(kps) == pytest.approx(0.8)
    assert instance_score(np.zeros((17, 3))) == 0.0


def test_to_pose_swaps_to_x_y_pixels() -> None:
    kps = np.tile([0.25, 0.5, 0.8], (17, 1))
    pose = to_pose(kps, 400, 600, 0.8)
    assert pose["nose"].x == pytest.approx(300) and pose["nose"].y == pytest.approx(100)


def test_pose_is_read_only_and_round_trips() -> None:
    pose = Pose(np.arange(51, dtype=float).reshape(17, 3), 0.5)
    with pytest.raises(ValueError):
        pose.keypoints[0, 0] = 1.0
    back = Pose.from_dict(pose.to_dict())
    assert np.allclose(back.keypoints, pose.keypoints)
    assert [k.name for k in pose.named()] == list(KEYPOINTS)
    with pytest.raises(ValueError, match="shape"):
        Pose(np.zeros((5, 3)), 1.0)


def test_estimator_options_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="keypoint_threshold"):
        EstimatorOptions(keypoint_threshold=1.5)


def test_one_euro_holds_constant_signal_and_tracks_a_step() -> None:
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=0.0))
    values = [float(f(np.array(5.0), t / 30)) for t in range(10)]
    assert values == pytest.approx([5.0] * 10)
    step = [float(f(np.array(10.0), (10 + t) / 30)) for t in range(60)]
    assert all(b >= a for a, b in itertools.pairwise(step))  # monotone, no overshoot
    assert step[0] < 10.0 and step[-1] == pytest.approx(10.0, abs=0.01)


def test_one_euro_ignores_out_of_order_timestamps() -> None:
    f = OneEuroFilter()
    f(np.array([1.0]), 1.0)
    assert float(f(np.array([3.0]), 0.5)[0]) == 3.0  # returned as is, state untouched
    assert float(f(np.array([1.0]), 2.0)[0]) == pytest.approx(1.0)


def test_low_pass_rejects_bad_alpha() -> None:
    with pytest.raises(ValueError):
        LowPass(0.0)
    lp = LowPass(0.5)
    lp(np.array(0.0))
    assert float(lp(np.array(2.0))) == 1.0
