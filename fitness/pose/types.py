"""Value types shared by every layer: keypoints, poses, crop regions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fitness.pose.keypoints import INDEX, KEYPOINTS, NUM_KEYPOINTS


@dataclass(frozen=True, slots=True)
class Keypoint:
    """One keypoint in pixels of the ORIGINAL frame."""

    name: str
    x: float
    y: float
    score: float


@dataclass(frozen=True, slots=True)
class Box:
    """Axis-aligned box in pixels of the original frame."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True, slots=True, eq=False)
class Pose:
    """17 COCO keypoints of one person.

    ``keypoints`` is a read-only ``(17, 3)`` float array of ``x, y, score`` in pixels of the
    original frame (note: x first, unlike MoveNet's raw ``y, x, score``).
    """

    keypoints: np.ndarray
    score: float
    box: Box | None = None

    def __post_init__(self) -> None:
        arr = np.array(self.keypoints, dtype=np.float64)
        if arr.shape != (NUM_KEYPOINTS, 3):
            raise ValueError(f"Pose keypoints must have shape (17, 3), got {arr.shape}")
        arr.setflags(write=False)
        object.__setattr__(self, "keypoints", arr)

    def __getitem__(self, name: str) -> Keypoint:
        x, y, s = self.keypoints[INDEX[name]]
        return Keypoint(name, float(x), float(y), float(s))

    def xy(self, name: str) -> np.ndarray:
        return self.keypoints[INDEX[name], :2]

    def score_of(self, name: str) -> float:
        return float(self.keypoints[INDEX[name], 2])

    def named(self) -> list[Keypoint]:
        return [self[name] for name in KEYPOINTS]

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "score": round(float(self.score), 4),
            "keypoints": [
                {"name": k.name, "x": round(k.x, 2), "y": round(k.y, 2), "score": round(k.score, 4)}
                for k in self.named()
            ],
        }
        if self.box is not None:
            out["box"] = [round(v, 2) for v in (self.box.x0, self.box.y0, self.box.x1, self.box.y1)]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Pose:
        kps = data["keypoints"]
        assert isinstance(kps, list)
        arr = np.array([[k["x"], k["y"], k["score"]] for k in kps], dtype=np.float64)
        box = data.get("box")
        return cls(
            arr,
            float(data["score"]),  # type: ignore[arg-type]
            Box(*box) if isinstance(box, list) else None,
        )
