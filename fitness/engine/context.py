"""What every counter wants to know about a frame, worked out once per frame.

A stream has one :class:`ContextTracker`. Each pose becomes a :class:`FrameContext`: the body's
orientation and the camera view (voted over the last second), whether a scene cut just
happened, how fast the body is moving, and a cache of measure values so that eighteen specs
asking for the same knee angle compute it once. Counters and the recogniser read contexts;
none of them re-derives these.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Final

from fitness.engine.spec import BODY_WIDE, Measure, Orientation, Side, View
from fitness.engine.view import BodyView, ViewTracker, classify
from fitness.pose.keypoints import INDEX
from fitness.pose.types import Pose

CUT_STEP_MS: Final = 50.0  # the frame interval cut_jump is stated for; slower streams scale it


def keypoint_jump(prev: Pose, pose: Pose, min_score: float) -> float:
    """Median keypoint displacement between two poses, as a share of the body's extent.

    A scene cut moves every keypoint at once; real motion moves a few (plain Python: for 17
    points it is several times faster than the numpy equivalent).
    """
    a, b = prev.keypoints.tolist(), pose.keypoints.tolist()
    pts = [(p, q) for p, q in zip(a, b, strict=True) if p[2] >= min_score and q[2] >= min_score]
    if len(pts) < 4:
        return 0.0
    xs = [q[0] for _, q in pts]
    ys = [q[1] for _, q in pts]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    moves = sorted(math.hypot(p[0] - q[0], p[1] - q[1]) for p, q in pts)
    mid = len(moves) // 2
    median = moves[mid] if len(moves) % 2 else (moves[mid - 1] + moves[mid]) / 2.0
    # Real motion scales with the frame interval (the caller divides by it); a cut does not.
    return float(median / extent)


def _extent(pts: list[list[float]], idx: list[int]) -> tuple[float, float, float]:
    xs = [pts[i][0] for i in idx]
    ys = [pts[i][1] for i in idx]
    return sum(xs) / len(xs), sum(ys) / len(ys), max(max(xs) - min(xs), max(ys) - min(ys), 1.0)


def rescale_of(prev: Pose, pose: Pose, min_score: float) -> tuple[float, float]:
    """How the body changed between two frames apart from moving: ``(shape, scale)``.

    ``shape`` is the median keypoint displacement after centring and scaling each pose to its
    own extent; ``scale`` the ratio of the extents. A zoom changes the scale and keeps the
    shape; a cut to another shot or person changes the shape as well.
    """
    a, b = prev.keypoints.tolist(), pose.keypoints.tolist()
    idx = [i for i in range(len(a)) if a[i][2] >= min_score and b[i][2] >= min_score]
    if len(idx) < 4:
        return math.inf, 1.0
    (ax, ay, ae), (bx, by, be) = _extent(a, idx), _extent(b, idx)
    moves = sorted(
        math.hypot((a[i][0] - ax) / ae - (b[i][0] - bx) / be, (a[i][1] - ay) / ae - (b[i][1] - by) / be) for i in idx
    )
    mid = len(moves) // 2
    shape = moves[mid] if len(moves) % 2 else (moves[mid - 1] + moves[mid]) / 2.0
    return shape, be / ae


@functools.lru_cache(maxsize=1024)
def _names(measure: Measure, side: Side) -> tuple[str, ...]:
    return measure.names(side)


@dataclass(slots=True)
class FrameContext:
    """One frame, as every counter sees it. ``pose`` is ``None`` when nobody was found."""

    t_ms: float
    pose: Pose | None
    orientation: Orientation | None = None
    view: View | None = None
    body: BodyView | None = None
    cut: bool = False
    # The picture jumped (a zoom, a pan) but the body kept its shape: lengths in pixels changed,
    # the movement did not.
    rescaled: bool = False
    min_score: float = 0.2
    _cache: dict[tuple[Measure, Side], float] = field(default_factory=dict)
    _scores: list[float] = field(default_factory=list)

    def forget(self) -> None:
        """Drop the cached values (a context kept in a history needs only its verdicts)."""
        self._cache.clear()
        self._scores = []

    def score(self, name: str) -> float:
        if self.pose is None:
            return 0.0
        if not self._scores:
            self._scores = self.pose.keypoints[:, 2].tolist()
        return float(self._scores[INDEX[name]])

    def missing(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The joints among ``names`` not seen on this frame."""
        if self.pose is None:
            return names
        if not self._scores:
            self._scores = self.pose.keypoints[:, 2].tolist()
        scores, lo = self._scores, self.min_score
        return tuple(n for n in names if scores[INDEX[n]] < lo)

    def value(self, measure: Measure, side: Side) -> float:
        """``measure`` on this frame (nan when one of its joints is not seen), computed once."""
        key = (measure, "left" if isinstance(measure, BODY_WIDE) else side)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        seen = self.pose is not None and not self.missing(_names(*key))
        result = measure.value(self.pose, side) if seen and self.pose is not None else math.nan
        self._cache[key] = result
        return result


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Knobs for the shared per-frame work (the same for every exercise)."""

    min_score: float = 0.2  # a joint below this is not seen on this frame
    # A scene cut: the median keypoint jump per CUT_STEP_MS (50 ms, a 20 fps frame interval), as a
    # share of the body's extent. Real motion of one frame interval moves a few joints, not all.
    cut_jump: float = 0.2
    # A jump whose body shape (centred, scaled to its extent) moved less than this is the same
    # pose seen anew (a zoom, a pan, an edit to a closer angle): the movement carries on. Set
    # once from all the labelled footage: zooms and punch-ins change the shape by 0.01-0.09
    # (more when they crop the legs), an edit to a closer angle mid-lunge by 0.125, cuts to
    # another scene or person by 0.15-0.8; a frame interval of real motion moves the median
    # joint 0.01-0.03.
    zoom_shape: float = 0.14
    # ... and a zoom changes the body's size in the picture: by 26% or more on the labelled
    # zooms. A body that jumps elsewhere at the same size is a cut (or a pan, which is as
    # fast only when the camera is whipped round).
    zoom_scale: float = 1.15

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must be within [0, 1], got {self.min_score}")
        if self.cut_jump <= 0:
            raise ValueError(f"cut_jump must be positive, got {self.cut_jump}")


class ContextTracker:
    """Turns ``(pose, t_ms)`` into :class:`FrameContext` s for one stream (timestamps must increase)."""

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        self._views = ViewTracker()
        self._last_t: float | None = None
        self._prev: tuple[float, Pose] | None = None

    def reset(self) -> None:
        self._views.reset()
        self._prev = None

    def update(self, pose: Pose | None, t_ms: float) -> FrameContext:
        if self._last_t is not None and t_ms <= self._last_t:
            raise ValueError(f"timestamps must increase: got {t_ms} ms after {self._last_t} ms")
        self._last_t = t_ms
        cfg = self.config
        if pose is None:
            self._prev = None
            return FrameContext(t_ms, None, None, self._views.view, min_score=cfg.min_score)
        cut = rescaled = False
        if self._prev is not None:
            t0, prev = self._prev
            steps = max(1.0, (t_ms - t0) / CUT_STEP_MS)
            if keypoint_jump(prev, pose, cfg.min_score) / steps > cfg.cut_jump:
                shape, scale = rescale_of(prev, pose, cfg.min_score)
                rescaled = shape < cfg.zoom_shape and abs(math.log(scale)) >= math.log(cfg.zoom_scale)
                cut = not rescaled
            if cut:
                self.reset()
        self._prev = (t_ms, pose)
        body = classify(pose, cfg.min_score)
        orientation, view = self._views.update(int(t_ms), body)
        return FrameContext(t_ms, pose, orientation, view, body, cut, rescaled, cfg.min_score)
