"""Drawing on frames with OpenCV: skeletons and crop boxes. No logic lives here."""

from __future__ import annotations

import cv2
import numpy as np

from fitness.pose.keypoints import EDGE_COLOURS_RGB, SKELETON
from fitness.pose.types import Box, Pose

CROP_COLOUR = (255, 64, 64)


def _scale(frame: np.ndarray) -> float:
    # Line widths that read the same on a 360p phone clip and a 4K frame.
    return float(max(frame.shape[:2])) / 640.0


# One colour per person in group mode, told apart at a glance and by colour-blind viewers alike
# (Okabe-Ito palette, RGB); person ids cycle through them.
PERSON_COLOURS: tuple[tuple[int, int, int], ...] = (
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (204, 121, 167),
    (213, 94, 0),
    (0, 114, 178),
)


def person_colour(person: int) -> tuple[int, int, int]:
    return PERSON_COLOURS[(person - 1) % len(PERSON_COLOURS)]


def draw_pose(
    frame: np.ndarray,
    pose: Pose | None,
    threshold: float = 0.3,
    copy: bool = True,
    colour: tuple[int, int, int] | None = None,
) -> np.ndarray:
    """The MoveNet tutorial's ``draw_prediction_on_image``: left magenta, right cyan, trunk yellow.

    Only keypoints (and edges between keypoints) scoring above ``threshold`` are drawn. With
    ``colour`` the whole skeleton is drawn in it (one colour per person in group mode) and no box.
    """
    out = frame.copy() if copy else frame
    if pose is None:
        return out
    s = _scale(out)
    thick = max(1, round(2 * s))
    radius = max(2, round(3.5 * s))
    kps = pose.keypoints
    visible = kps[:, 2] > threshold
    for a, b, edge in SKELETON:
        if visible[a] and visible[b]:
            pa = (round(kps[a, 0]), round(kps[a, 1]))
            pb = (round(kps[b, 0]), round(kps[b, 1]))
            cv2.line(out, pa, pb, colour or EDGE_COLOURS_RGB[edge], thick, cv2.LINE_AA)
    for x, y, _ in kps[visible]:
        cv2.circle(out, (round(x), round(y)), radius, colour or (255, 20, 147), -1, cv2.LINE_AA)
    if pose.box is not None and colour is None:
        draw_box(out, pose.box, (255, 255, 255), copy=False)
    return out


def draw_box(frame: np.ndarray, box: Box, colour: tuple[int, int, int] = CROP_COLOUR, copy: bool = True) -> np.ndarray:
    out = frame.copy() if copy else frame
    thick = max(1, round(1.5 * _scale(out)))
    p0 = (round(box.x0), round(box.y0))
    p1 = (round(box.x1), round(box.y1))
    cv2.rectangle(out, p0, p1, colour, thick, cv2.LINE_AA)
    return out
