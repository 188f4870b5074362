"""Declarative exercise descriptions: what to measure, where a rep turns, what a coach checks.

An exercise is data, not code: :class:`ExerciseSpec` names the joint angle that is counted, the
hysteresis band of a rep, a fallback signal for camera views that flatten that angle, the body
orientation the exercise is done in, per-frame requirements and the form rules. The one generic
:class:`fitness.engine.counter.RepCounter` runs every spec. Everything validates on construction and a
bad value raises :class:`ValueError` naming it.

Joint names in measures are *base* names (``"knee"``) resolved per body side (``"left_knee"``);
full COCO names (``"nose"``, ``"left_hip"``) are accepted too and used as they are.

Every counted signal grows with extension: a joint angle is ~180 when the limb is straight and a
height ratio is ~1 when standing tall or with arms locked. A rep is therefore always
``extended -> flexed -> extended`` (a curl starts with the arm hanging straight).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Literal, get_args

from fitness.engine.geometry import distance, joint_angle, line_bend, tilt_from_horizontal, tilt_from_vertical
from fitness.pose.keypoints import INDEX
from fitness.pose.types import Pose

Side = Literal["left", "right"]
SIDES: Final[tuple[Side, ...]] = ("left", "right")
View = Literal["side", "oblique", "front"]
ALL_VIEWS: Final[frozenset[View]] = frozenset(get_args(View))
Orientation = Literal["upright", "horizontal"]
Stat = Literal["min", "max", "range"]
Window = Literal["rep", "start"]
SideMode = Literal["auto", "both"]

_BASE_NAMES: Final[frozenset[str]] = frozenset({"eye", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle"})


class Phase(StrEnum):
    """Where in a rep the counter believes the person is."""

    SETUP = "setup"  # not in position yet, or the signal cannot be trusted
    EXTENDED = "extended"  # the start/end position: standing, arms locked, arm hanging
    FLEXING = "flexing"  # on the way to the turning point
    FLEXED = "flexed"  # at the turning point: bottom of a squat or push-up, top of a curl
    EXTENDING = "extending"  # on the way back


def _check_name(name: str, what: str) -> None:
    if name not in _BASE_NAMES and name not in INDEX:
        valid = ", ".join(sorted(_BASE_NAMES))
        raise ValueError(f"{what}: unknown joint {name!r}; use a base name ({valid}) or a COCO keypoint name")


def resolve(name: str, side: Side) -> str:
    """``"knee"`` -> ``"left_knee"``; full names pass through unchanged."""
    return f"{side}_{name}" if name in _BASE_NAMES else name


@dataclass(frozen=True, slots=True)
class AngleDef:
    """The joint angle ``a - vertex - c`` in degrees (180 = straight)."""

    a: str
    vertex: str
    c: str

    def __post_init__(self) -> None:
        for n in (self.a, self.vertex, self.c):
            _check_name(n, "AngleDef")
        if len({self.a, self.vertex, self.c}) != 3:
            raise ValueError(f"AngleDef needs three different joints, got {self.a!r}, {self.vertex!r}, {self.c!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return tuple(resolve(n, side) for n in (self.a, self.vertex, self.c))

    def value(self, pose: Pose, side: Side) -> float:
        a, v, c = self.names(side)
        return joint_angle(pose.xy(a), pose.xy(v), pose.xy(c))

    def label(self) -> str:
        return f"{self.vertex} angle"


@dataclass(frozen=True, slots=True)
class TiltDef:
    """Angle of the segment ``a -> b`` from the vertical or horizontal, 0..90 degrees."""

    a: str
    b: str
    reference: Literal["vertical", "horizontal"] = "vertical"

    def __post_init__(self) -> None:
        _check_name(self.a, "TiltDef")
        _check_name(self.b, "TiltDef")
        if self.reference not in ("vertical", "horizontal"):
            raise ValueError(f"TiltDef reference must be 'vertical' or 'horizontal', got {self.reference!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return resolve(self.a, side), resolve(self.b, side)

    def value(self, pose: Pose, side: Side) -> float:
        a, b = self.names(side)
        fn = tilt_from_vertical if self.reference == "vertical" else tilt_from_horizontal
        return fn(pose.xy(a), pose.xy(b))

    def label(self) -> str:
        return f"{self.a}-{self.b} tilt"


@dataclass(frozen=True, slots=True)
class BendDef:
    """Signed bend of ``vertex`` off the line ``a - c`` (+ = towards the floor), degrees."""

    a: str
    vertex: str
    c: str

    def __post_init__(self) -> None:
        for n in (self.a, self.vertex, self.c):
            _check_name(n, "BendDef")

    def names(self, side: Side) -> tuple[str, ...]:
        return tuple(resolve(n, side) for n in (self.a, self.vertex, self.c))

    def value(self, pose: Pose, side: Side) -> float:
        a, v, c = self.names(side)
        return line_bend(pose.xy(a), pose.xy(v), pose.xy(c))

    def label(self) -> str:
        return f"{self.vertex} bend"


@dataclass(frozen=True, slots=True)
class WidthRatioDef:
    """Left-right distance of ``joint`` over that of ``base`` (e.g. knees over ankles).

    Body-wide, not per side: ``side`` is ignored. Meaningful in a front view only.
    """

    joint: str
    base: str

    def __post_init__(self) -> None:
        for n in (self.joint, self.base):
            if n not in _BASE_NAMES:
                raise ValueError(f"WidthRatioDef needs base joint names, got {n!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return tuple(f"{s}_{n}" for n in (self.joint, self.base) for s in SIDES)

    def value(self, pose: Pose, side: Side) -> float:
        width = distance(pose.xy(f"left_{self.joint}"), pose.xy(f"right_{self.joint}"))
        base = distance(pose.xy(f"left_{self.base}"), pose.xy(f"right_{self.base}"))
        return width / base if base > 1e-6 else math.nan

    def label(self) -> str:
        return f"{self.joint}/{self.base} width"


Measure = AngleDef | TiltDef | BendDef | WidthRatioDef


@dataclass(frozen=True, slots=True)
class HeightSignal:
    """A count signal that foreshortening cannot flatten: how high ``upper`` sits above
    ``lower``, as a share of the limb chain ``limbs`` at its longest recently seen length.

    1.0 = fully extended (standing, arms locked); the counter keeps the reference length.
    """

    upper: str
    lower: str
    limbs: tuple[tuple[str, str], ...]
    extended: float
    flexed: float

    def __post_init__(self) -> None:
        for n in (self.upper, self.lower, *(j for limb in self.limbs for j in limb)):
            _check_name(n, "HeightSignal")
        if not self.limbs:
            raise ValueError("HeightSignal needs at least one limb for its reference length")
        if not 0.0 < self.flexed < self.extended <= 1.5:
            raise ValueError(
                f"HeightSignal needs 0 < flexed < extended <= 1.5, got flexed={self.flexed}, extended={self.extended}"
            )

    def names(self, side: Side) -> tuple[str, ...]:
        joints = {self.upper, self.lower, *(j for limb in self.limbs for j in limb)}
        return tuple(resolve(n, side) for n in sorted(joints))

    def gap(self, pose: Pose, side: Side) -> float:
        return float(pose.xy(resolve(self.lower, side))[1] - pose.xy(resolve(self.upper, side))[1])

    def length(self, pose: Pose, side: Side) -> float:
        return sum(distance(pose.xy(resolve(a, side)), pose.xy(resolve(b, side))) for a, b in self.limbs)


@dataclass(frozen=True, slots=True)
class Requirement:
    """Must hold on every frame for the counter to trust it (else it holds and says ``message``)."""

    message: str
    measure: Measure
    min_value: float | None = None
    max_value: float | None = None

    def __post_init__(self) -> None:
        if not self.message.strip():
            raise ValueError("Requirement message must not be empty")
        _check_bounds("Requirement", self.min_value, self.max_value)

    def holds(self, value: float) -> bool:
        if math.isnan(value):
            return False
        lo_ok = self.min_value is None or value >= self.min_value
        return lo_ok and (self.max_value is None or value <= self.max_value)


@dataclass(frozen=True, slots=True)
class FormRule:
    """A form check on one rep: ``stat`` of ``measure`` over ``window`` must lie in bounds.

    ``window="rep"`` covers the rep itself; ``"start"`` the extended position the rep started
    from (lockout, full extension). ``views`` are the camera views in which the measure is true
    to life; elsewhere the rule stays quiet and ``quiet_note`` tells the person why.
    """

    cue: str
    measure: Measure
    stat: Stat
    min_value: float | None = None
    max_value: float | None = None
    window: Window = "rep"
    views: frozenset[View] = ALL_VIEWS
    quiet_note: str = ""

    def __post_init__(self) -> None:
        if not self.cue.strip():
            raise ValueError("FormRule cue must not be empty")
        if self.stat not in get_args(Stat):
            raise ValueError(f"FormRule stat must be one of {get_args(Stat)}, got {self.stat!r}")
        if self.window not in get_args(Window):
            raise ValueError(f"FormRule window must be one of {get_args(Window)}, got {self.window!r}")
        _check_bounds(f"FormRule {self.cue!r}", self.min_value, self.max_value)
        bad = set(self.views) - ALL_VIEWS
        if bad or not self.views:
            raise ValueError(
                f"FormRule views must be a non-empty subset of {sorted(ALL_VIEWS)}, got {sorted(self.views)}"
            )
        object.__setattr__(self, "views", frozenset(self.views))

    def violated(self, values: list[float]) -> bool:
        """Whether the window's values break the rule (False when there is nothing to judge)."""
        vals = [v for v in values if not math.isnan(v)]
        if len(vals) < 2:
            return False
        stat = {"min": min(vals), "max": max(vals), "range": max(vals) - min(vals)}[self.stat]
        return (self.min_value is not None and stat < self.min_value) or (
            self.max_value is not None and stat > self.max_value
        )

    def violated_now(self, value: float) -> bool:
        """A single frame already proves the rep breaks the rule (used for live cues)."""
        if math.isnan(value) or self.window != "rep":
            return False
        if self.stat == "max" and self.max_value is not None:
            return value > self.max_value
        if self.stat == "min" and self.min_value is not None:
            return value < self.min_value
        return False


def _check_bounds(what: str, lo: float | None, hi: float | None) -> None:
    if lo is None and hi is None:
        raise ValueError(f"{what}: give min_value, max_value or both")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"{what}: min_value {lo} is above max_value {hi}")


DEFAULT_PHASE_LABELS: Final[Mapping[Phase, str]] = {
    Phase.SETUP: "get ready",
    Phase.EXTENDED: "top",
    Phase.FLEXING: "down",
    Phase.FLEXED: "bottom",
    Phase.EXTENDING: "up",
}


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise, declared.

    ``primary`` is the counted joint angle with its hysteresis band: a rep goes from at least
    ``extended_deg`` to at most ``flexed_deg`` and back. In views outside ``primary_views`` the
    angle is foreshortened and ``fallback`` (if any) is counted instead. ``sides="both"`` counts
    each side on its own (curls: per arm and in total); ``"auto"`` follows the better-seen side.
    """

    key: str
    name: str
    primary: AngleDef
    extended_deg: float
    flexed_deg: float
    orientation: Orientation
    setup_message: str
    primary_views: frozenset[View] = ALL_VIEWS
    fallback: HeightSignal | None = None
    sides: SideMode = "auto"
    requirements: tuple[Requirement, ...] = ()
    rules: tuple[FormRule, ...] = ()
    min_rep_s: float = 0.4
    flexion_is_eccentric: bool = True
    phase_labels: Mapping[Phase, str] = field(default_factory=lambda: dict(DEFAULT_PHASE_LABELS))

    def __post_init__(self) -> None:
        if not self.key or not self.key.isidentifier() or self.key != self.key.lower():
            raise ValueError(f"ExerciseSpec key must be a lower-case identifier, got {self.key!r}")
        if not 0.0 < self.flexed_deg < self.extended_deg <= 180.0:
            raise ValueError(
                f"ExerciseSpec {self.key}: need 0 < flexed_deg < extended_deg <= 180, "
                f"got flexed_deg={self.flexed_deg}, extended_deg={self.extended_deg}"
            )
        if self.orientation not in get_args(Orientation):
            raise ValueError(
                f"ExerciseSpec {self.key}: orientation must be one of {get_args(Orientation)}, got {self.orientation!r}"
            )
        if self.sides not in get_args(SideMode):
            raise ValueError(f"ExerciseSpec {self.key}: sides must be one of {get_args(SideMode)}, got {self.sides!r}")
        if not 0.0 < self.min_rep_s <= 10.0:
            raise ValueError(f"ExerciseSpec {self.key}: min_rep_s must be in (0, 10], got {self.min_rep_s}")
        bad = set(self.primary_views) - ALL_VIEWS
        if bad or not self.primary_views:
            raise ValueError(
                f"ExerciseSpec {self.key}: primary_views must be a non-empty subset of {sorted(ALL_VIEWS)}, "
                f"got {sorted(self.primary_views)}"
            )
        if set(self.primary_views) != ALL_VIEWS and self.fallback is None:
            raise ValueError(f"ExerciseSpec {self.key}: a primary angle limited to some views needs a fallback signal")
        if set(self.phase_labels) != set(Phase):
            raise ValueError(
                f"ExerciseSpec {self.key}: phase_labels must name every phase, got {sorted(self.phase_labels)}"
            )
        object.__setattr__(self, "primary_views", frozenset(self.primary_views))

    def required_joints(self) -> tuple[str, ...]:
        """Base names of the joints the count cannot do without (for "never visible" notes)."""
        return (self.primary.a, self.primary.vertex, self.primary.c)
