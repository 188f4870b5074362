"""The values the engine produces: a form cue, one completed repetition and its verdict, a
movement that turned back before it counted, and a set of reps.

Each field carries its label and unit (:func:`fitness.engine.fields.about`): the store's
tables, the CSV and JSON files and the tables in the app and the terminal are all derived from
these definitions (:func:`fitness.engine.fields.columns`). Adding a field is one edit here plus
one migration in :mod:`fitness.store.migrations`; a rep's cues are a list of :class:`Cue` values,
stored one row per cue with a column per :class:`Cue` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

from fitness.engine.fields import about, computed, nested
from fitness.engine.machines import Break

Verdict = Literal["good", "needs_work"]
LoadUnit = Literal["kg", "lb"]
MAX_EXERCISE_KEY = 50

# A cue saved before cues had ids, whose text matches no rule it could have come from.
LEGACY_CUE: Final = "legacy"
# How a cue's unit and its comparisons read to a person.
_SHOWN_UNIT: Final[Mapping[str, str]] = {"deg": "°"}
_SHOWN_TARGET: Final[Mapping[str, str]] = {"<=": "≤", ">=": "≥"}


def _number(value: float, unit: str | None) -> str:
    # Degrees in whole numbers (2-D keypoint angles are good to a few degrees); ratios to 0.01.
    return f"{value:.0f}" if unit == "deg" else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class Cue:
    """One thing to fix about one rep, with its evidence.

    ``id`` is stable (a form rule's id: ``"depth"``, ``"knees_in"``); ``text`` is what the person
    reads. ``measured`` is the value the rule judged (in ``unit``: ``"deg"`` or ``"ratio"``),
    ``target`` what it should have been (``"<= 95"``), and ``t_ms`` the stream time of the frame
    where it was judged (the deepest frame for a depth cue). Cues saved before these were kept
    have only an id and a text (the rest ``None``).
    """

    id: str = field(metadata=about("Id", max_len=40, example="depth"))
    text: str = field(metadata=about("Cue", max_len=200))
    measured: float | None = field(default=None, metadata=about("Measured"))
    unit: str | None = field(default=None, metadata=about("Unit", max_len=10, example="deg"))
    target: str | None = field(default=None, metadata=about("Target", max_len=40, example="<= 95"))
    t_ms: int | None = field(default=None, metadata=about("Judged at", "ms"))

    def __str__(self) -> str:
        """``text (measured; target)``, as every table shows it: "Go lower: hips to knee
        height (118°; target ≤ 95°)"."""
        if self.measured is None:
            return self.text
        unit = _SHOWN_UNIT.get(self.unit or "", "")
        shown = f"{_number(self.measured, self.unit)}{unit}"
        if self.target:
            op, _, bound = self.target.partition(" ")
            shown += f"; target {_SHOWN_TARGET.get(op, op)} {bound}{unit}" if bound else f"; target {self.target}"
        return f"{self.text} ({shown})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_value(cls, value: Cue | Mapping[str, Any] | str) -> Cue:
        """A cue from JSON (a mapping), or from the bare text older files hold."""
        if isinstance(value, Cue):
            return value
        if isinstance(value, str):
            return cls(LEGACY_CUE, value)
        return cls(**{k: value[k] for k in cls.__dataclass_fields__ if k in value})


@dataclass(frozen=True, slots=True)
class Rep:
    """One completed repetition, as the counter measured it.

    Angles are in degrees, times in milliseconds from the start of the stream. ``bottom_ms``
    is the deepest point (bottom of a squat or push-up, top of a curl). ``eccentric_ms`` is the
    lowering phase (start -> bottom for squat/push-up, bottom -> end for a curl) and
    ``concentric_ms`` the lifting phase.
    """

    index: int = field(metadata=about("Rep"))
    start_ms: int = field(metadata=about("Start", "ms"))
    bottom_ms: int = field(metadata=about("Bottom", "ms"))
    end_ms: int = field(metadata=about("End", "ms"))
    min_angle: float = field(metadata=about("Min angle", "deg"))
    max_angle: float = field(metadata=about("Max angle", "deg"))
    rom_deg: float = field(metadata=about("Range", "deg"))
    eccentric_ms: int = field(metadata=about("Down", "ms"))
    concentric_ms: int = field(metadata=about("Up", "ms"))
    verdict: Verdict = field(metadata=about("Verdict", max_len=20))
    cues: tuple[Cue, ...] = field(default=(), metadata=about("Cues"))
    side: str = field(default="auto", metadata=about("Side", max_len=20, example="left"))

    @computed("Duration", "ms", after="end_ms")
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def cue_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cues)

    @property
    def cue_texts(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.cues)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cues"] = [c.to_dict() for c in self.cues]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rep:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["cues"] = tuple(Cue.from_value(c) for c in fields.get("cues", ()))
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class PartialRep:
    """A movement that turned back before the counting threshold: not a rep, but worth a word.

    ``reached`` is how far the counted measure went (in ``unit``: the knee angle of a quarter
    squat) and ``share`` how much of the way from the start threshold to the turning threshold
    that was (1.0 would have counted). ``cues`` say why it did not count (``"depth"``).
    """

    start_ms: int
    turn_ms: int
    end_ms: int
    reached: float | None
    unit: str
    share: float
    side: str
    cues: tuple[Cue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_ms": self.start_ms,
            "turn_ms": self.turn_ms,
            "end_ms": self.end_ms,
            "reached": self.reached,
            "unit": self.unit,
            "share": round(self.share, 2),
            "side": self.side,
            "cues": [c.to_dict() for c in self.cues],
        }


@dataclass(frozen=True, slots=True)
class SetResult:
    """One set of a workout: one exercise, its reps (or, for a hold, the time held and its
    breaks), when it started and ended (ms from the start of the stream: the first rep's start
    and the last rep's end) and the rest before it (``None`` for a workout's first set).

    ``load`` is the weight moved (in ``load_unit``), when the person says so; the camera
    cannot see it. Like :class:`Rep`, every field carries its label: the ``sets`` table, the
    per-set CSV and the tables people read are derived from them.
    """

    index: int = field(metadata=about("Set"))
    exercise: str = field(metadata=about("Exercise", max_len=MAX_EXERCISE_KEY, example="squat"))
    start_ms: int = field(metadata=about("Start", "ms"))
    end_ms: int = field(metadata=about("End", "ms"))
    rest_before_ms: int | None = field(default=None, metadata=about("Rest before", "ms"))
    hold_ms: int | None = field(default=None, metadata=about("Held", "ms"))
    load: float | None = field(default=None, metadata=about("Load"))
    load_unit: LoadUnit | None = field(default=None, metadata=about("Unit", max_len=2, example="kg"))
    reps: tuple[Rep, ...] = field(default=(), metadata=nested("Reps"))
    breaks: tuple[Break, ...] = field(default=(), metadata=nested("Breaks"))

    @computed("Reps", after="end_ms")
    def rep_count(self) -> int:
        return len(self.reps)

    @computed("Velocity loss", "%", after="hold_ms")
    def velocity_loss_pct(self) -> float | None:
        """The set's velocity loss in percent (:mod:`fitness.engine.fatigue`)."""
        from fitness.engine.fatigue import velocity_loss

        loss = velocity_loss(self.reps, by_side=self.alternating)
        return None if loss is None else round(100.0 * loss, 1)

    @property
    def alternating(self) -> bool:
        """Counted per side (lunges): each side is compared with its own first reps."""
        from fitness.engine.registry import REGISTRY

        spec = REGISTRY.get(self.exercise)
        return spec is not None and spec.sides == "alternating"

    @property
    def hold_s(self) -> float | None:
        return None if self.hold_ms is None else self.hold_ms / 1000.0

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form: ``index, exercise, start_s, end_s, reps`` (or ``hold_s`` and
        ``breaks``), ``rest_before_s``, ``velocity_loss_pct``, ``rep_list``."""
        doc: dict[str, Any] = {
            "index": self.index,
            "exercise": self.exercise,
            "start_s": round(self.start_ms / 1000.0, 2),
            "end_s": round(self.end_ms / 1000.0, 2),
        }
        if self.hold_ms is not None:
            doc["hold_s"] = round(self.hold_ms / 1000.0, 2)
            doc["breaks"] = [b.to_dict() for b in self.breaks]
        else:
            doc["reps"] = len(self.reps)
        doc["rest_before_s"] = None if self.rest_before_ms is None else round(self.rest_before_ms / 1000.0, 2)
        doc["velocity_loss_pct"] = self.velocity_loss_pct
        if self.load is not None:
            doc["load"] = self.load
            doc["load_unit"] = self.load_unit
        doc["rep_list"] = [r.to_dict() for r in self.reps]
        return doc
