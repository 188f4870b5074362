"""The values the engine produces: one completed repetition and its verdict, and a set of them.

Each field carries its label and unit (:func:`fitness.engine.fields.about`): the store's
table, the CSV and JSON files and the tables in the app and the terminal are all derived from
this one definition (:func:`fitness.engine.fields.columns`). Adding a field is this one edit
plus one migration in :mod:`fitness.store.migrations`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from fitness.engine.fields import about, computed, nested
from fitness.engine.machines import Break

Verdict = Literal["good", "needs_work"]
LoadUnit = Literal["kg", "lb"]
MAX_EXERCISE_KEY = 50


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
    cues: tuple[str, ...] = field(default=(), metadata=about("Cues", max_len=200))
    side: str = field(default="auto", metadata=about("Side", max_len=20, example="left"))

    @computed("Duration", "ms", after="end_ms")
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cues"] = list(self.cues)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rep:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["cues"] = tuple(fields.get("cues", ()))
        return cls(**fields)


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
