"""The 17 COCO keypoints in MoveNet's output order and the skeleton drawn between them: data only."""

from typing import Final

KEYPOINTS: Final[tuple[str, ...]] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(KEYPOINTS)}
NUM_KEYPOINTS: Final[int] = len(KEYPOINTS)

# Colour classes as in the MoveNet tutorial: m = left side (magenta), c = right side (cyan),
# y = trunk and face links (yellow).
SKELETON: Final[tuple[tuple[int, int, str], ...]] = (
    (0, 1, "m"),
    (0, 2, "c"),
    (1, 3, "m"),
    (2, 4, "c"),
    (0, 5, "m"),
    (0, 6, "c"),
    (5, 7, "m"),
    (7, 9, "m"),
    (6, 8, "c"),
    (8, 10, "c"),
    (5, 6, "y"),
    (5, 11, "m"),
    (6, 12, "c"),
    (11, 12, "y"),
    (11, 13, "m"),
    (13, 15, "m"),
    (12, 14, "c"),
    (14, 16, "c"),
)

# RGB colours: frames are RGB everywhere in this project (OpenCV BGR only at file I/O).
EDGE_COLOURS_RGB: Final[dict[str, tuple[int, int, int]]] = {
    "m": (255, 0, 255),
    "c": (0, 255, 255),
    "y": (255, 255, 0),
}

# COCO OKS per-keypoint sigmas (used for OKS evaluation against human labels).
COCO_SIGMAS: Final[tuple[float, ...]] = (
    0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072,
    0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089,
)
