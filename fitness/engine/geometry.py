"""Pure 2-D geometry on keypoints: angles, tilts, distances. No state, no poses, no thresholds.

Points are ``(x, y)`` pairs in image pixels, so y grows *downwards*: "below" means a larger y.
Every function returns degrees or pixels as a plain ``float``; degenerate input (two points on
top of each other) returns ``nan`` rather than raising, because a zero-length limb is a
detection glitch the caller gates on, not a programming error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Point = Sequence[float] | np.ndarray

_EPS = 1e-9


def _xy(p: Point) -> tuple[float, float]:
    return float(p[0]), float(p[1])


def distance(a: Point, b: Point) -> float:
    """Euclidean distance between two points, in pixels."""
    ax, ay = _xy(a)
    bx, by = _xy(b)
    return math.hypot(ax - bx, ay - by)


def midpoint(a: Point, b: Point) -> tuple[float, float]:
    ax, ay = _xy(a)
    bx, by = _xy(b)
    return (ax + bx) / 2.0, (ay + by) / 2.0


def joint_angle(a: Point, vertex: Point, c: Point) -> float:
    """The angle a-vertex-c in degrees, 0..180 (180 = a straight limb)."""
    ax, ay = _xy(a)
    vx, vy = _xy(vertex)
    cx, cy = _xy(c)
    u = (ax - vx, ay - vy)
    v = (cx - vx, cy - vy)
    nu = math.hypot(*u)
    nv = math.hypot(*v)
    if nu < _EPS or nv < _EPS:
        return math.nan
    cos = (u[0] * v[0] + u[1] * v[1]) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def tilt_from_vertical(a: Point, b: Point) -> float:
    """Angle between the segment a-b and the vertical, 0..90 degrees (direction ignored)."""
    ax, ay = _xy(a)
    bx, by = _xy(b)
    dx, dy = abs(bx - ax), abs(by - ay)
    if dx < _EPS and dy < _EPS:
        return math.nan
    return math.degrees(math.atan2(dx, dy))


def tilt_from_horizontal(a: Point, b: Point) -> float:
    """Angle between the segment a-b and the horizontal, 0..90 degrees."""
    t = tilt_from_vertical(a, b)
    return 90.0 - t if not math.isnan(t) else math.nan


def line_bend(a: Point, vertex: Point, c: Point) -> float:
    """How far ``vertex`` bends away from the straight line a-c, in signed degrees.

    ``180 - joint_angle`` with a sign: positive when the vertex lies *below* the line a-c
    (towards the floor: hips sagging in a plank), negative when above (hips piked).
    """
    angle = joint_angle(a, vertex, c)
    if math.isnan(angle):
        return math.nan
    ax, ay = _xy(a)
    vx, vy = _xy(vertex)
    cx, cy = _xy(c)
    # Cross product sign tells which side of a->c the vertex is on; orient it so "below" (+y)
    # is positive whichever way the person faces.
    cross = (cx - ax) * (vy - ay) - (cy - ay) * (vx - ax)
    sign = 1.0 if cross * (1.0 if cx >= ax else -1.0) >= 0 else -1.0
    return sign * (180.0 - angle)


def vertical_gap(upper: Point, lower: Point) -> float:
    """How far ``upper`` sits above ``lower`` in pixels (negative when it is below)."""
    return float(lower[1]) - float(upper[1])


def elevation(a: Point, b: Point) -> float:
    """How far the segment a->b is raised from pointing straight down, 0..180 degrees.

    0 when ``b`` hangs straight below ``a``, 90 when level with it, 180 straight above: the
    elevation of an arm (shoulder -> elbow) whichever way the person faces.
    """
    ax, ay = _xy(a)
    bx, by = _xy(b)
    dx, dy = bx - ax, by - ay
    if abs(dx) < _EPS and abs(dy) < _EPS:
        return math.nan
    return math.degrees(math.atan2(abs(dx), dy))
