"""Keypoint accuracy against labels: PCK and COCO OKS. Pure functions."""

from __future__ import annotations

import numpy as np

from fitness.pose.keypoints import COCO_SIGMAS


def pck(pred_xy: np.ndarray, gt_xy: np.ndarray, visible: np.ndarray, norm: float, alpha: float = 0.2) -> float:
    """Share of labelled keypoints within ``alpha * norm`` pixels of their label."""
    if norm <= 0:
        raise ValueError(f"norm must be positive, got {norm}")
    if not visible.any():
        return float("nan")
    dist = np.linalg.norm(pred_xy - gt_xy, axis=1)
    return float((dist[visible] <= alpha * norm).mean())


def oks(pred_xy: np.ndarray, gt_xy: np.ndarray, visible: np.ndarray, area: float) -> float:
    """COCO object keypoint similarity for one person (0-1)."""
    if not visible.any() or area <= 0:
        return float("nan")
    var = (2 * np.asarray(COCO_SIGMAS)) ** 2
    d2 = ((pred_xy - gt_xy) ** 2).sum(axis=1)
    e = d2 / (var * (area + np.spacing(1)) * 2)
    return float(np.exp(-e)[visible].mean())


def bbox_scale(bbox_xywh: tuple[float, float, float, float] | list[float]) -> float:
    """PCK normaliser for a person: the longer side of their labelled box."""
    return float(max(bbox_xywh[2], bbox_xywh[3]))
