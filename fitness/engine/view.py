"""Which way the body lies and where the camera stands, from keypoints alone.

The cue is foreshortening: shoulder width against torso length. Upright, a person facing the
camera shows shoulders about 0.6-0.8 torso lengths wide, side-on almost none. Lying in a plank,
side-on the torso is long and the shoulders overlap; head-on the torso shrinks to nothing while
the shoulders stay wide (ratio well above 1). Whole-body tilt (shoulders to ankles) tells
upright from horizontal. Thresholds are for the body, not for any exercise.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import Final, TypeVar

from fitness.engine.geometry import distance, midpoint, tilt_from_vertical
from fitness.engine.spec import Orientation, View
from fitness.pose.types import Pose

# Shoulder width / torso length.
UPRIGHT_SIDE_MAX: Final = 0.3
UPRIGHT_FRONT_MIN: Final = 0.5
LYING_SIDE_MAX: Final = 0.35
LYING_FRONT_MIN: Final = 1.2  # torso pointing at the camera: only a body lying towards it
# Tilt of the shoulders -> feet line from the vertical, degrees.
UPRIGHT_TILT_MAX: Final = 35.0
HORIZONTAL_TILT_MIN: Final = 55.0
WINDOW_MS: Final = 1000
# Share of the last second's classified frames a new orientation or view needs to take over.
SWITCH_SHARE: Final = 0.6


@dataclass(frozen=True, slots=True)
class BodyView:
    orientation: Orientation | None
    view: View | None
    width_ratio: float


def _visible(pose: Pose, names: tuple[str, ...], min_score: float) -> bool:
    return all(pose.score_of(n) >= min_score for n in names)


def _mid(pose: Pose, a: str, b: str) -> tuple[float, float]:
    return midpoint(pose.xy(a), pose.xy(b))


def _lowest_point(pose: Pose, min_score: float) -> tuple[float, float]:
    """The farthest visible joint pair below the shoulders: the longest line tells tilt best."""
    for a, b in (("left_ankle", "right_ankle"), ("left_knee", "right_knee")):
        seen = [pose.xy(n) for n in (a, b) if pose.score_of(n) >= min_score]
        if len(seen) == 2:
            return _mid(pose, a, b)
        if seen:
            return float(seen[0][0]), float(seen[0][1])
    return _mid(pose, "left_hip", "right_hip")


def classify(pose: Pose, min_score: float = 0.2) -> BodyView:
    """One frame's best guess; ``None`` fields when the keypoints cannot tell."""
    if not _visible(pose, ("left_shoulder", "right_shoulder", "left_hip", "right_hip"), min_score):
        return BodyView(None, None, float("nan"))
    shoulders = _mid(pose, "left_shoulder", "right_shoulder")
    torso = distance(shoulders, _mid(pose, "left_hip", "right_hip"))
    width = distance(pose.xy("left_shoulder"), pose.xy("right_shoulder"))
    ratio = width / torso if torso > 1e-6 else float("inf")
    if ratio >= LYING_FRONT_MIN:
        return BodyView("horizontal", "front", ratio)
    tilt = tilt_from_vertical(shoulders, _lowest_point(pose, min_score))
    if tilt <= UPRIGHT_TILT_MAX:
        view: View = "side" if ratio <= UPRIGHT_SIDE_MAX else "front" if ratio >= UPRIGHT_FRONT_MIN else "oblique"
        return BodyView("upright", view, ratio)
    if tilt >= HORIZONTAL_TILT_MIN:
        view = "side" if ratio <= LYING_SIDE_MAX else "oblique"
        return BodyView("horizontal", view, ratio)
    return BodyView(None, None, ratio)


Choice = TypeVar("Choice", bound=str)


def _vote(counts: Counter[Choice], current: Choice | None) -> Choice | None:
    """The winner of the last second's frames. Taking over from ``current`` needs a clear
    majority (``SWITCH_SHARE``), not just a plurality: when the joints are half hidden (a
    barbell plate in front of the shoulders) single frames swing between views, and a lucky
    plurality would switch the counter to another signal while nothing moved."""
    if not counts:
        return current
    best, n = counts.most_common(1)[0]
    if current is None or best == current or n >= SWITCH_SHARE * sum(counts.values()):
        return best
    return current


class ViewTracker:
    """A clear majority of the classifications over the last second, so odd frames change nothing."""

    def __init__(self, window_ms: int = WINDOW_MS) -> None:
        self.window_ms = window_ms
        self._hist: deque[tuple[int, Orientation | None, View | None]] = deque()
        self.orientation: Orientation | None = None
        self.view: View | None = None

    def reset(self) -> None:
        self._hist.clear()
        self.orientation = None
        self.view = None

    def update(self, t_ms: int, frame: BodyView | None) -> tuple[Orientation | None, View | None]:
        if frame is not None:
            self._hist.append((t_ms, frame.orientation, frame.view))
        while self._hist and self._hist[0][0] < t_ms - self.window_ms:
            self._hist.popleft()
        orientation = _vote(Counter(o for _, o, _ in self._hist if o is not None), self.orientation)
        if orientation != self.orientation:
            self.orientation, self.view = orientation, None  # the old view was of another posture
        views = Counter(v for _, o, v in self._hist if o == self.orientation and v is not None)
        self.view = _vote(views, self.view)
        return self.orientation, self.view
