"""The values the engine produces: one completed repetition and its verdict.

Each field carries its label and unit (:func:`fitness.engine.fields.about`): the store's
table, the CSV and JSON files and the tables in the app and the terminal are all derived from
this one definition (:func:`fitness.engine.fields.columns`). Adding a field is this one edit
plus one migration in :mod:`fitness.store.migrations`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from fitness.engine.fields import about, computed

Verdict = Literal["good", "needs_work"]


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
