"""The values the engine produces: one completed repetition and its verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Verdict = Literal["good", "needs_work"]


@dataclass(frozen=True, slots=True)
class Rep:
    """One completed repetition, as the counter measured it.

    Angles are in degrees, times in milliseconds from the start of the stream. ``bottom_ms``
    is the deepest point (bottom of a squat or push-up, top of a curl). ``eccentric_ms`` is the
    lowering phase (start -> bottom for squat/push-up, bottom -> end for a curl) and
    ``concentric_ms`` the lifting phase.
    """

    index: int
    start_ms: int
    bottom_ms: int
    end_ms: int
    min_angle: float
    max_angle: float
    rom_deg: float
    eccentric_ms: int
    concentric_ms: int
    verdict: Verdict
    cues: tuple[str, ...] = ()
    side: str = "auto"

    @property
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
