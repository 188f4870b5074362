"""Synthetic stick figures and angle sequences for the counter, geometry and CLI tests.

Figures are built from joint angles, so a test says "knee goes 175 -> 80 -> 175" and the
counter sees real keypoint geometry.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from fitness.engine.spec import Measure, Side
from fitness.pose.keypoints import INDEX, NUM_KEYPOINTS
from fitness.pose.types import Pose

FPS = 30.0
DT = 1000.0 / FPS
THIGH = SHIN = 200.0
TORSO = 250.0
UPPER_ARM = FOREARM = 145.0
GROUND = 900.0

# -- stick figures ---------------------------------------------------------------------------


def _pose(points: dict[str, tuple[float, float]], hide: Iterable[str], score: float) -> Pose:
    kps = np.zeros((NUM_KEYPOINTS, 3))
    for name, (x, y) in points.items():
        kps[INDEX[name]] = (x, y, score)
    for name in hide:
        kps[INDEX[name], 2] = 0.05
    return Pose(kps, score)


def _head(points: dict[str, tuple[float, float]], forward: float) -> None:
    sx = (points["left_shoulder"][0] + points["right_shoulder"][0]) / 2
    sy = (points["left_shoulder"][1] + points["right_shoulder"][1]) / 2
    for name, dx, dy in (("nose", 30, -70), ("left_eye", 20, -80), ("right_eye", 20, -80)):
        points[name] = (sx + dx * forward, sy + dy)
    points["left_ear"] = (sx - 5, sy - 75)
    points["right_ear"] = (sx - 5, sy - 75)


def standing_figure(
    knee: float = 178.0,
    elbow: float | tuple[float, float] = 175.0,
    *,
    view: str = "side",
    lean: float = 0.0,
    upper_arm: float = 5.0,
    knee_width: float = 1.0,
    hide: Sequence[str] = (),
    score: float = 0.9,
    shift: tuple[float, float] = (0.0, 0.0),
    shin_lean: float | None = None,
) -> Pose:
    """An upright person, side-on (facing +x) or facing the camera.

    ``knee`` is the true knee angle: side-on it shows in 2-D; head-on the thigh points at the
    camera, so only the hip height changes. ``elbow`` (one value or left/right) bends the
    forearm forward from an upper arm hanging ``upper_arm`` degrees forward of vertical.
    The shin and thigh share the knee bend equally, unless ``shin_lean`` caps the shin's lean
    from vertical (a squat with the heels down: the ankle bends only so far) and the thigh
    takes the rest.
    """
    a = math.radians((180.0 - knee) / 2.0)
    shin_a = a if shin_lean is None else min(a, math.radians(shin_lean))
    thigh_a = 2 * a - shin_a
    elbows = (elbow, elbow) if isinstance(elbow, (int, float)) else elbow
    x0, y0 = 500.0 + shift[0], GROUND + shift[1]
    pts: dict[str, tuple[float, float]] = {}
    spread = {"side": {"left": 4.0, "right": -4.0}, "front": {"left": 60.0, "right": -60.0}}[view]
    hip_y = y0 - SHIN * math.cos(shin_a) - THIGH * math.cos(thigh_a)
    for i, side in enumerate(("left", "right")):
        dx = spread[side]
        ankle = (x0 + dx, y0)
        if view == "side":
            knee_pt = (ankle[0] + SHIN * math.sin(shin_a), y0 - SHIN * math.cos(shin_a))
        else:
            knee_pt = (x0 + dx * knee_width, y0 - SHIN * math.cos(shin_a))
        hip = (knee_pt[0] - THIGH * math.sin(thigh_a) if view == "side" else x0 + dx, hip_y)
        sdx = dx * (1.5 if view == "front" else 1.0)
        shoulder = (x0 + sdx + TORSO * math.sin(math.radians(lean)), hip_y - TORSO * math.cos(math.radians(lean)))
        ua = math.radians(upper_arm)
        elbow_pt = (shoulder[0] + UPPER_ARM * math.sin(ua), shoulder[1] + UPPER_ARM * math.cos(ua))
        phi = ua + math.radians(180.0 - elbows[i])
        if view == "side":
            wrist = (elbow_pt[0] + FOREARM * math.sin(phi), elbow_pt[1] + FOREARM * math.cos(phi))
        else:  # the forearm swings towards the camera: only its height shows
            wrist = (elbow_pt[0], elbow_pt[1] + FOREARM * math.cos(phi))
        pts.update(
            {
                f"{side}_ankle": ankle,
                f"{side}_knee": knee_pt,
                f"{side}_hip": hip,
                f"{side}_shoulder": shoulder,
                f"{side}_elbow": elbow_pt,
                f"{side}_wrist": wrist,
            }
        )
    _head(pts, 1.0 if view == "side" else 0.0)
    return _pose(pts, hide, score)


def horizontal_figure(
    elbow: float = 175.0, *, view: str = "side", sag: float = 0.0, hide: Sequence[str] = (), score: float = 0.9
) -> Pose:
    """A plank / push-up, side-on (head towards +x) or head-on (elbows bending towards camera)."""
    a = math.radians((180.0 - elbow) / 2.0)
    height = (UPPER_ARM + FOREARM) * math.cos(a)
    pts: dict[str, tuple[float, float]] = {}
    for side, dz in (("left", 1.0), ("right", -1.0)):
        if view == "side":
            wrist = (700.0 + 4 * dz, GROUND)
            elbow_pt = (wrist[0] - UPPER_ARM * math.sin(a), GROUND - FOREARM * math.cos(a))
            shoulder = (wrist[0], GROUND - height)
            ankle = (shoulder[0] - 650.0, GROUND - 20.0)
            hip = ((shoulder[0] + ankle[0]) / 2 + 75, (shoulder[1] + ankle[1]) / 2 + sag)
        else:
            wrist = (500.0 + 110 * dz, GROUND)
            elbow_pt = (wrist[0], GROUND - FOREARM * math.cos(a))
            shoulder = (500.0 + 100 * dz, GROUND - height)
            hip = (500.0 + 60 * dz, shoulder[1] + 40)
            ankle = (500.0 + 40 * dz, shoulder[1] + 60)
        knee = ((hip[0] + ankle[0]) / 2, (hip[1] + ankle[1]) / 2)
        pts.update(
            {
                f"{side}_wrist": wrist,
                f"{side}_elbow": elbow_pt,
                f"{side}_shoulder": shoulder,
                f"{side}_hip": hip,
                f"{side}_knee": knee,
                f"{side}_ankle": ankle,
            }
        )
    _head(pts, 1.0)
    return _pose(pts, hide, score)


# -- sequences ---------------------------------------------------------------------------------


def ramp(a: float, b: float, seconds: float) -> list[float]:
    n = max(1, round(seconds * FPS))
    return [a + (b - a) * (i + 1) / n for i in range(n)]


def reps(
    n: int, top: float, bottom: float, *, down_s: float = 0.8, up_s: float = 0.8, rest_s: float = 0.5
) -> list[float]:
    out = [top] * round(rest_s * FPS)
    for _ in range(n):
        out += ramp(top, bottom, down_s) + ramp(bottom, top, up_s) + [top] * round(rest_s * FPS)
    return out


def press_figure(lift: float, *, score: float = 0.9) -> Pose:
    """A person standing side-on pressing both arms overhead: ``lift`` 0 = hands racked at the
    shoulders (elbows bent 40 deg, upper arm pointing down and forward), 1 = arms locked out
    straight overhead. In between, the upper arm rises and the elbow opens together."""
    base = standing_figure()
    kps = base.keypoints.copy()
    elevation = math.radians(20.0 + 160.0 * lift)  # upper arm from 20 deg to 180 deg
    elbow = math.radians(40.0 + 140.0 * lift)  # elbow from 40 to 180 deg
    for side in ("left", "right"):
        sx, sy = kps[INDEX[f"{side}_shoulder"], :2]
        ex = sx + UPPER_ARM * math.sin(elevation)
        ey = sy + UPPER_ARM * math.cos(elevation)
        # The forearm folds back up towards the shoulder by (180 - elbow) degrees.
        phi = elevation + (math.pi - elbow)
        wx = ex + FOREARM * math.sin(phi)
        wy = ey + FOREARM * math.cos(phi)
        kps[INDEX[f"{side}_elbow"], :2] = (ex, ey)
        kps[INDEX[f"{side}_wrist"], :2] = (wx, wy)
    kps[:, 2] = score
    return Pose(kps, score)


def blend(a: Pose, b: Pose, seconds: float) -> list[Pose]:
    """Poses moving smoothly from ``a`` to ``b`` over ``seconds`` (the last one is ``b``)."""
    n = max(1, round(seconds * FPS))
    out = []
    for i in range(1, n + 1):
        w = i / n
        kps = (1.0 - w) * a.keypoints + w * b.keypoints
        out.append(Pose(kps, (1.0 - w) * a.score + w * b.score))
    return out


def wall_sit_figure(thigh_tilt: float = 0.0, *, score: float = 0.9) -> Pose:
    """Side-on, back against a wall: shins vertical, thighs ``thigh_tilt`` degrees below level
    (0 = thighs parallel to the floor), torso upright."""
    base = standing_figure()
    kps = base.keypoints.copy()
    tilt = math.radians(thigh_tilt)
    for i, side in enumerate(("left", "right")):
        dz = 4.0 if i == 0 else -4.0
        ankle = (500.0 + dz, GROUND)
        knee = (ankle[0], GROUND - SHIN)
        hip = (knee[0] - THIGH * math.cos(tilt), knee[1] - THIGH * math.sin(tilt))
        shoulder = (hip[0], hip[1] - TORSO)
        elbow = (shoulder[0] + 10.0, shoulder[1] + UPPER_ARM)
        wrist = (elbow[0] + 10.0, elbow[1] + FOREARM)
        for name, (x, y) in (
            ("ankle", ankle),
            ("knee", knee),
            ("hip", hip),
            ("shoulder", shoulder),
            ("elbow", elbow),
            ("wrist", wrist),
        ):
            kps[INDEX[f"{side}_{name}"], :2] = (x, y)
    for name, dx, dy in (
        ("nose", 30, -70),
        ("left_eye", 20, -80),
        ("right_eye", 20, -80),
        ("left_ear", -5, -75),
        ("right_ear", -5, -75),
    ):
        sx, sy = kps[INDEX["left_shoulder"], :2]
        kps[INDEX[name], :2] = (sx + dx, sy + dy)
    kps[:, 2] = score
    return Pose(kps, score)


# -- any measure at any value ----------------------------------------------------------------


def pose_with(measure: Measure, value: float, *, side: Side = "left", base: Pose | None = None) -> Pose:
    """``base`` (a person standing front-on, every joint apart) with one joint of ``measure``
    moved so that the measure reads ``value`` (to 1e-6): a form rule can be tried at, just under
    and just over its bound on real keypoint geometry, whatever its measure.

    One joint of the measure swings round another at their current distance; the angle where
    the measure crosses ``value`` is found by bisection. Raises ``ValueError`` when no such
    swing reaches the value.
    """
    pose = base or standing_figure(view="front")
    names = measure.names(side)
    for mover in reversed(names):
        for pivot in names:
            if pivot == mover:
                continue
            found = _swing(pose, measure, side, value, (mover, pivot))
            if found is not None:
                return found
    raise ValueError(f"no pose puts {measure.label()} at {value}")


def _moved(pose: Pose, mover: str, pivot: str, angle: tuple[float, float]) -> Pose:
    """``pose`` with ``mover`` at ``angle`` = (theta, radius) round ``pivot``."""
    theta, radius = angle
    kps = pose.keypoints.copy()
    px, py = kps[INDEX[pivot], :2]
    kps[INDEX[mover], :2] = (px + radius * math.sin(theta), py + radius * math.cos(theta))
    return Pose(kps, pose.score)


def _swing(pose: Pose, measure: Measure, side: Side, value: float, joints: tuple[str, str]) -> Pose | None:
    mover, pivot = joints
    radius = float(np.hypot(*(pose.keypoints[INDEX[mover], :2] - pose.keypoints[INDEX[pivot], :2]))) or 150.0
    steps = 720

    def f(theta: float) -> float:
        return measure.value(_moved(pose, mover, pivot, (theta, radius)), side) - value

    thetas = [2 * math.pi * i / steps for i in range(steps + 1)]
    values = [f(t) for t in thetas]
    for t0, t1, f0, f1 in zip(thetas, thetas[1:], values, values[1:], strict=False):
        if math.isnan(f0) or math.isnan(f1) or f0 * f1 > 0 or abs(f0 - f1) > 30:
            continue  # no crossing here (or a jump across a wrap-around, not a crossing)
        lo, hi, flo = t0, t1, f0
        for _ in range(60):
            mid = (lo + hi) / 2
            fm = f(mid)
            if (fm < 0) == (flo < 0):
                lo, flo = mid, fm
            else:
                hi = mid
        moved = _moved(pose, mover, pivot, (lo, radius))
        if abs(measure.value(moved, side) - value) < 1e-6:
            return moved
    return None
