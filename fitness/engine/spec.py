"""Declarative exercise descriptions: what to measure, how a movement runs, what a coach checks.

An exercise is data, not code: :class:`ExerciseSpec` names the measure that is counted with its
thresholds, the *kind* of movement (reps, a hold, a sequence of positions), the body orientation
it is done in, per-frame requirements and the form rules. The one generic
:class:`fitness.engine.counter.RepCounter` runs every spec. Everything validates on construction
and a bad value raises :class:`ValueError` naming it.

Joint names in measures are *base* names (``"knee"``) resolved per body side (``"left_knee"``);
full COCO names (``"nose"``, ``"left_hip"``) are accepted too and used as they are.

Every counted signal is normalised to an *extension* that grows towards the spec's
``extended`` value: 1 at ``extended``, 0 at ``flexed``. A joint angle is ~180 when the limb is
straight, so for an :class:`AngleDef` ``flexed < extended``; other measures may run either way
(arms *rise* to their flexed position in a jumping jack). Movement kinds:

- ``reps`` starting ``extended``: ``extended -> flexed -> extended`` (squat, push-up, curl,
  pull-up from a hang); starting ``flexed``: ``flexed -> extended -> flexed`` (overhead press,
  glute bridge, deadlift from the floor);
- ``sides="alternating"``: each side counted on its own, the total their sum (lunges,
  mountain climbers);
- ``hold``: seconds in the position the requirements define (plank, wall sit);
- ``sequence``: an ordered list of :class:`Position` s, counted when it completes (burpee).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Final, Literal, get_args

from fitness.engine.geometry import (
    distance,
    elevation,
    joint_angle,
    line_bend,
    tilt_from_horizontal,
    tilt_from_vertical,
)
from fitness.pose.keypoints import INDEX
from fitness.pose.types import Pose

Side = Literal["left", "right"]
SIDES: Final[tuple[Side, ...]] = ("left", "right")
View = Literal["side", "oblique", "front"]
ALL_VIEWS: Final[frozenset[View]] = frozenset(get_args(View))
Orientation = Literal["upright", "horizontal"]
Stat = Literal["min", "max", "range"]
# Which frames of a rep a form rule judges: all of them, the start position before it, the way
# to the turning point and back (not the turning point itself), or the turning point.
Window = Literal["rep", "start", "moving", "turn"]
SideMode = Literal["auto", "both", "alternating"]
Kind = Literal["reps", "hold", "sequence"]
Start = Literal["extended", "flexed"]
When = Literal["always", "flexed"]

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


def _check_id(value: str, what: str) -> None:
    if not value or not value.isidentifier() or value != value.lower():
        raise ValueError(f"{what} must be a lower-case identifier, got {value!r}")


def resolve(name: str, side: Side) -> str:
    """``"knee"`` -> ``"left_knee"``; full names pass through unchanged."""
    return f"{side}_{name}" if name in _BASE_NAMES else name


def _resolve_all(names: tuple[str, ...], side: Side) -> tuple[str, ...]:
    return tuple(resolve(n, side) for n in names)


@dataclass(frozen=True, slots=True)
class AngleDef:
    """The joint angle ``a - vertex - c`` in degrees (180 = straight)."""

    a: str
    vertex: str
    c: str
    unit: ClassVar[str] = "deg"

    def __post_init__(self) -> None:
        for n in (self.a, self.vertex, self.c):
            _check_name(n, "AngleDef")
        if len({self.a, self.vertex, self.c}) != 3:
            raise ValueError(f"AngleDef needs three different joints, got {self.a!r}, {self.vertex!r}, {self.c!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return _resolve_all((self.a, self.vertex, self.c), side)

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
    unit: ClassVar[str] = "deg"

    def __post_init__(self) -> None:
        _check_name(self.a, "TiltDef")
        _check_name(self.b, "TiltDef")
        if self.reference not in ("vertical", "horizontal"):
            raise ValueError(f"TiltDef reference must be 'vertical' or 'horizontal', got {self.reference!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return _resolve_all((self.a, self.b), side)

    def value(self, pose: Pose, side: Side) -> float:
        a, b = self.names(side)
        fn = tilt_from_vertical if self.reference == "vertical" else tilt_from_horizontal
        return fn(pose.xy(a), pose.xy(b))

    def label(self) -> str:
        return f"{self.a}-{self.b} tilt"


@dataclass(frozen=True, slots=True)
class ElevationDef:
    """How far the segment ``a -> b`` is raised from hanging straight down, 0..180 degrees
    (0 = ``b`` straight below ``a``, 90 = level, 180 = straight above): arm elevation."""

    a: str
    b: str
    unit: ClassVar[str] = "deg"

    def __post_init__(self) -> None:
        _check_name(self.a, "ElevationDef")
        _check_name(self.b, "ElevationDef")
        if self.a == self.b:
            raise ValueError(f"ElevationDef needs two different joints, got {self.a!r} twice")

    def names(self, side: Side) -> tuple[str, ...]:
        return _resolve_all((self.a, self.b), side)

    def value(self, pose: Pose, side: Side) -> float:
        a, b = self.names(side)
        return elevation(pose.xy(a), pose.xy(b))

    def label(self) -> str:
        return f"{self.b} elevation"


@dataclass(frozen=True, slots=True)
class BendDef:
    """Signed bend of ``vertex`` off the line ``a - c`` (+ = towards the floor), degrees."""

    a: str
    vertex: str
    c: str
    unit: ClassVar[str] = "deg"

    def __post_init__(self) -> None:
        for n in (self.a, self.vertex, self.c):
            _check_name(n, "BendDef")

    def names(self, side: Side) -> tuple[str, ...]:
        return _resolve_all((self.a, self.vertex, self.c), side)

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
    unit: ClassVar[str] = "ratio"

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


@dataclass(frozen=True, slots=True)
class RiseDef:
    """How far ``top`` sits above ``bottom``, in lengths of the segment ``ref`` (negative when
    below): wrists over shoulders in torso lengths, hips over knees in shin lengths."""

    top: str
    bottom: str
    ref: tuple[str, str]
    unit: ClassVar[str] = "ratio"

    def __post_init__(self) -> None:
        for n in (self.top, self.bottom, *self.ref):
            _check_name(n, "RiseDef")
        if len(self.ref) != 2 or self.ref[0] == self.ref[1]:
            raise ValueError(f"RiseDef ref must be two different joints, got {self.ref!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_resolve_all((self.top, self.bottom, *self.ref), side)))

    def value(self, pose: Pose, side: Side) -> float:
        top, bottom, r0, r1 = _resolve_all((self.top, self.bottom, *self.ref), side)
        length = distance(pose.xy(r0), pose.xy(r1))
        if length < 1e-6:
            return math.nan
        return float(pose.xy(bottom)[1] - pose.xy(top)[1]) / length

    def label(self) -> str:
        return f"{self.top} height"


@dataclass(frozen=True, slots=True)
class DistanceDef:
    """Distance from ``a`` to ``b`` in lengths of the segment ``ref`` (pixels without one; a
    :class:`Channel` with ``relative=True`` divides by its largest recent value instead)."""

    a: str
    b: str
    ref: tuple[str, str] | None = None
    unit: ClassVar[str] = "ratio"

    def __post_init__(self) -> None:
        for n in (self.a, self.b, *(self.ref or ())):
            _check_name(n, "DistanceDef")
        if self.a == self.b:
            raise ValueError(f"DistanceDef needs two different joints, got {self.a!r} twice")
        if self.ref is not None and (len(self.ref) != 2 or self.ref[0] == self.ref[1]):
            raise ValueError(f"DistanceDef ref must be two different joints, got {self.ref!r}")

    def names(self, side: Side) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_resolve_all((self.a, self.b, *(self.ref or ())), side)))

    def value(self, pose: Pose, side: Side) -> float:
        a, b = _resolve_all((self.a, self.b), side)
        d = distance(pose.xy(a), pose.xy(b))
        if self.ref is None:
            return d
        r0, r1 = _resolve_all(self.ref, side)
        length = distance(pose.xy(r0), pose.xy(r1))
        return d / length if length > 1e-6 else math.nan

    def label(self) -> str:
        return f"{self.a}-{self.b} distance"


@dataclass(frozen=True, slots=True)
class SideGapDef:
    """How differently the two sides read one angle: ``|left - right|`` in degrees. Body-wide.

    A lunge works one hip while the other stays open; a squat bends both alike."""

    angle: AngleDef
    unit: ClassVar[str] = "deg"

    def names(self, side: Side) -> tuple[str, ...]:
        return self.angle.names("left") + self.angle.names("right")

    def value(self, pose: Pose, side: Side) -> float:
        return abs(self.angle.value(pose, "left") - self.angle.value(pose, "right"))

    def label(self) -> str:
        return f"{self.angle.vertex} left-right gap"


Measure = AngleDef | TiltDef | ElevationDef | BendDef | WidthRatioDef | RiseDef | DistanceDef | SideGapDef
BODY_WIDE: Final = (WidthRatioDef, SideGapDef)


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


def _check_thresholds(what: str, measure: Measure, extended: float, flexed: float, names: tuple[str, str]) -> None:
    ext_name, flex_name = names
    if not (math.isfinite(extended) and math.isfinite(flexed)) or extended == flexed:
        raise ValueError(
            f"{what}: need two different finite thresholds, got {flex_name}={flexed}, {ext_name}={extended}"
        )
    if isinstance(measure, AngleDef) and not 0.0 < flexed < extended <= 180.0:
        # A joint angle is 180 with the limb straight: flexing always closes it.
        raise ValueError(
            f"{what}: a joint angle needs 0 < {flex_name} < {ext_name} <= 180, "
            f"got {flex_name}={flexed}, {ext_name}={extended}"
        )


@dataclass(frozen=True, slots=True)
class Channel:
    """One more count signal: ``measure`` normalised to 1 at ``extended`` and 0 at ``flexed``.

    ``relative=True`` divides the measure by its largest value seen lately first (a distance
    foreshortening can only shorten, like :class:`HeightSignal`'s limb length).
    """

    measure: Measure
    extended: float
    flexed: float
    relative: bool = False

    def __post_init__(self) -> None:
        _check_thresholds(
            f"Channel {self.measure.label()}", self.measure, self.extended, self.flexed, ("extended", "flexed")
        )


@dataclass(frozen=True, slots=True)
class Requirement:
    """Must hold for the counter to trust a frame (else it holds and says ``message``).

    ``when="flexed"`` checks it only on frames past halfway to the flexed threshold: what
    makes a lunge a lunge (a split stance) shows at the bottom, not while standing.
    """

    message: str
    measure: Measure
    min_value: float | None = None
    max_value: float | None = None
    when: When = "always"

    def __post_init__(self) -> None:
        if not self.message.strip():
            raise ValueError("Requirement message must not be empty")
        _check_bounds("Requirement", self.min_value, self.max_value)
        if self.when not in get_args(When):
            raise ValueError(f"Requirement when must be one of {get_args(When)}, got {self.when!r}")

    def holds(self, value: float) -> bool:
        if math.isnan(value):
            return False
        lo_ok = self.min_value is None or value >= self.min_value
        return lo_ok and (self.max_value is None or value <= self.max_value)


# A form cue needs its joints seen more clearly than a count does: the counter follows a joint
# from a score of 0.2, while MoveNet's own demos draw a keypoint only from 0.3 (its model card:
# below that a keypoint is more often wrong than right). A rule judges a frame only when every
# joint of its measure scores at least this.
RULE_MIN_SCORE: Final = 0.3
# A rule judges a window only when enough of it was seen: frames spanning at least 100 ms (a
# position glimpsed for a frame or two, as when a stream starts mid-rep, is not a position
# held; at 30 fps that is four frames, at 5 fps two) and at least a third of the window's frames
# (a fault seen in a few frames of a rep whose joints were mostly hidden is a guess).
MIN_JUDGED_MS: Final = 100.0
MIN_JUDGED_SHARE: Final = 1.0 / 3.0
# Which phases of a rep each window covers (the phase a frame was in when it was sampled).
WINDOW_PHASES: Final[Mapping[str, frozenset[Phase]]] = {
    "rep": frozenset({Phase.FLEXING, Phase.FLEXED, Phase.EXTENDING}),
    "moving": frozenset({Phase.FLEXING, Phase.EXTENDING}),
    "turn": frozenset({Phase.FLEXED}),
    "start": frozenset({Phase.EXTENDED}),
}


def _bound_text(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a form rule measured over its window, and the time of the frame where it did
    (the deepest frame for a depth rule; the later extreme for a range)."""

    measured: float
    t_ms: float


@dataclass(frozen=True, slots=True)
class FormRule:
    """A form check on one rep: ``stat`` of ``measure`` over ``window`` must lie in bounds.

    ``id`` is stable (the history and feedback refer to it; ``cue`` is what the person reads).
    ``window`` says which frames show the fault: ``"rep"`` all of the rep, ``"start"`` the
    extended position the rep started from (lockout, full extension), ``"moving"`` the way to the
    turning point and back but not the turning point itself (knees caving show while the knee
    moves, not at the bottom), ``"turn"`` the turning point. ``views`` are the camera views in
    which the measure is true to life; elsewhere the rule stays quiet and ``quiet_note`` tells
    the person why. A frame is judged only when every joint of the measure scores at least
    ``min_score``. ``source`` says where the bounds come from (a coaching text, a biomechanics
    reference). For a hold the bounds are checked on every frame and a breach pauses the clock.
    """

    id: str
    cue: str
    measure: Measure
    stat: Stat
    min_value: float | None = None
    max_value: float | None = None
    window: Window = "rep"
    views: frozenset[View] = ALL_VIEWS
    quiet_note: str = ""
    min_score: float = RULE_MIN_SCORE
    source: str = ""

    def __post_init__(self) -> None:
        _check_id(self.id, "FormRule id")
        if not self.cue.strip():
            raise ValueError("FormRule cue must not be empty")
        if self.stat not in get_args(Stat):
            raise ValueError(f"FormRule stat must be one of {get_args(Stat)}, got {self.stat!r}")
        if self.window not in get_args(Window):
            raise ValueError(f"FormRule window must be one of {get_args(Window)}, got {self.window!r}")
        _check_bounds(f"FormRule {self.id!r}", self.min_value, self.max_value)
        bad = set(self.views) - ALL_VIEWS
        if bad or not self.views:
            raise ValueError(
                f"FormRule views must be a non-empty subset of {sorted(ALL_VIEWS)}, got {sorted(self.views)}"
            )
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"FormRule {self.id!r}: min_score must be within [0, 1], got {self.min_score}")
        object.__setattr__(self, "views", frozenset(self.views))

    @property
    def unit(self) -> str:
        return self.measure.unit

    def target(self) -> str:
        """The bounds as a person reads them: ``"<= 95"``, ``">= 150"``, ``"-20 to 15"``."""
        lo, hi = self.min_value, self.max_value
        if lo is not None and hi is not None:
            return f"{_bound_text(lo)} to {_bound_text(hi)}"
        return f">= {_bound_text(lo)}" if lo is not None else f"<= {_bound_text(hi or 0.0)}"

    def breaks(self, value: float) -> bool:
        """This statistic lies outside the bounds."""
        return (self.min_value is not None and value < self.min_value) or (
            self.max_value is not None and value > self.max_value
        )

    def measure_window(self, values: list[float], times: list[float]) -> Judgement | None:
        """``stat`` over the window's values (nan: a frame not judged) and when it was reached;
        ``None`` when too little of the window was seen to judge it."""
        seen = [(v, t) for v, t in zip(values, times, strict=True) if not math.isnan(v)]
        if not seen or seen[-1][1] - seen[0][1] < MIN_JUDGED_MS or len(seen) < MIN_JUDGED_SHARE * len(values):
            return None
        ts = [t for _, t in seen]
        vals = [v for v, _ in seen]
        lo = min(range(len(vals)), key=vals.__getitem__)
        hi = max(range(len(vals)), key=vals.__getitem__)
        if self.stat == "min":
            return Judgement(vals[lo], ts[lo])
        if self.stat == "max":
            return Judgement(vals[hi], ts[hi])
        return Judgement(vals[hi] - vals[lo], max(ts[lo], ts[hi]))

    def judge(self, values: list[float], times: list[float]) -> Judgement | None:
        """The window's statistic if it breaks the rule (``None``: kept, or not seen enough)."""
        found = self.measure_window(values, times)
        return found if found is not None and self.breaks(found.measured) else None

    def violated(self, values: list[float]) -> bool:
        """Whether the window's values break the rule (False when there is nothing to judge)."""
        return self.judge(values, [i * MIN_JUDGED_MS for i in range(len(values))]) is not None

    def violated_now(self, value: float, phase: Phase) -> bool:
        """A single frame already proves the rep breaks the rule (used for live cues): a
        minimum under its floor or a maximum over its ceiling, in a phase the rule judges."""
        if math.isnan(value) or phase not in WINDOW_PHASES[self.window] or self.window == "start":
            return False
        if self.stat == "max" and self.max_value is not None:
            return value > self.max_value
        if self.stat == "min" and self.min_value is not None:
            return value < self.min_value
        return False

    def out_of_bounds(self, value: float) -> bool:
        """This one value lies outside the bounds (a hold's form check)."""
        return not math.isnan(value) and self.breaks(value)


@dataclass(frozen=True, slots=True)
class Position:
    """One position of a sequence: every requirement holds (``name`` is what a person calls it)."""

    name: str
    requirements: tuple[Requirement, ...]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("Position name must not be empty")
        if not self.requirements:
            raise ValueError(f"Position {self.name!r} needs at least one requirement")


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

    ``primary`` is the counted measure with its thresholds: a rep goes from at least as far as
    ``extended`` to at least as far as ``flexed`` and back (``start="flexed"`` the other way
    round). ``channels`` are more signals averaged with it (jumping jacks: arms and feet).
    In views outside ``primary_views`` the measure is foreshortened and ``fallback`` (if any)
    is counted instead. ``sides="both"`` counts each side and merges simultaneous reps (curls);
    ``"alternating"`` counts each side on its own, the total their sum; ``"auto"`` follows the
    better-seen side. ``overshoot`` is a primary value past ``flexed`` that belongs to another
    exercise (a crunch that becomes a sit-up): the rep in progress is dropped. ``relative=True``
    divides the primary by its largest recent value, as a relative :class:`Channel` does.

    A ``hold`` is timed while ``orientation`` and every requirement hold and the body keeps
    still; its rules are checked frame by frame and a breach pauses the clock (a break shorter
    than ``grace_s`` is not reported). A ``sequence`` counts each pass through ``positions``.
    ``still`` names joints that stay put in the picture during the movement (feet on the floor,
    hands on a bar): recognition uses it to tell a pull-up from a press. ``never_started`` is
    the note for a person who never reaches the start position.
    """

    key: str
    name: str
    primary: Measure
    extended: float | None
    flexed: float | None
    orientation: Orientation | None
    setup_message: str
    kind: Kind = "reps"
    start: Start = "extended"
    primary_views: frozenset[View] = ALL_VIEWS
    fallback: HeightSignal | Channel | None = None
    channels: tuple[Channel, ...] = ()
    sides: SideMode = "auto"
    requirements: tuple[Requirement, ...] = ()
    rules: tuple[FormRule, ...] = ()
    positions: tuple[Position, ...] = ()
    overshoot: float | None = None
    relative: bool = False
    still: tuple[str, ...] = ()
    min_rep_s: float = 0.4
    grace_s: float = 1.0
    flexion_is_eccentric: bool = True
    never_started: str = ""
    phase_labels: Mapping[Phase, str] = field(default_factory=lambda: dict(DEFAULT_PHASE_LABELS))

    def __post_init__(self) -> None:
        _check_id(self.key, "ExerciseSpec key")
        what = f"ExerciseSpec {self.key}"
        for name, value, choices in (
            ("kind", self.kind, get_args(Kind)),
            ("start", self.start, get_args(Start)),
            ("sides", self.sides, get_args(SideMode)),
        ):
            if value not in choices:
                raise ValueError(f"{what}: {name} must be one of {choices}, got {value!r}")
        if self.orientation is not None and self.orientation not in get_args(Orientation):
            raise ValueError(f"{what}: orientation must be one of {get_args(Orientation)}, got {self.orientation!r}")
        if self.kind == "reps":
            if self.extended is None or self.flexed is None:
                raise ValueError(
                    f"{what}: reps need both thresholds, got extended={self.extended}, flexed={self.flexed}"
                )
            _check_thresholds(what, self.primary, self.extended, self.flexed, ("extended", "flexed"))
        self._check_kind(what)
        if not 0.0 < self.min_rep_s <= 10.0:
            raise ValueError(f"{what}: min_rep_s must be in (0, 10], got {self.min_rep_s}")
        if not 0.0 <= self.grace_s <= 10.0:
            raise ValueError(f"{what}: grace_s must be in [0, 10], got {self.grace_s}")
        bad = set(self.primary_views) - ALL_VIEWS
        if bad or not self.primary_views:
            raise ValueError(
                f"{what}: primary_views must be a non-empty subset of {sorted(ALL_VIEWS)}, "
                f"got {sorted(self.primary_views)}"
            )
        if set(self.primary_views) != ALL_VIEWS and self.fallback is None:
            raise ValueError(f"{what}: a primary angle limited to some views needs a fallback signal")
        for joint in self.still:
            _check_name(joint, f"{what} still")
        if set(self.phase_labels) != set(Phase):
            raise ValueError(f"{what}: phase_labels must name every phase, got {sorted(self.phase_labels)}")
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{what}: form rule ids must be unique, got {ids}")
        object.__setattr__(self, "primary_views", frozenset(self.primary_views))

    def _check_kind(self, what: str) -> None:
        if self.kind == "hold" and not self.requirements:
            raise ValueError(f"{what}: a hold needs requirements that define its position")
        if self.kind == "sequence" and len(self.positions) < 2:
            raise ValueError(f"{what}: a sequence needs at least two positions, got {len(self.positions)}")
        if self.kind != "sequence" and self.positions:
            raise ValueError(f"{what}: positions are for sequences, not {self.kind}")
        if self.overshoot is not None:
            if self.kind != "reps" or self.extended is None or self.flexed is None:
                raise ValueError(f"{what}: overshoot is for reps")
            if (self.overshoot - self.flexed) * (self.flexed - self.extended) <= 0:
                raise ValueError(
                    f"{what}: overshoot={self.overshoot} must lie beyond flexed={self.flexed} "
                    f"(away from extended={self.extended})"
                )

    def required_joints(self) -> tuple[str, ...]:
        """Base names of the joints the count cannot do without (for "never visible" notes)."""
        names = self.primary.names("left")
        return tuple(n.removeprefix("left_") for n in dict.fromkeys(names))

    def rule(self, rule_id: str) -> FormRule:
        """The form rule with this id (:class:`KeyError` names the valid ones)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"{self.key} has no form rule {rule_id!r}; its rules: {', '.join(r.id for r in self.rules)}")
