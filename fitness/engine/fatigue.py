"""Fatigue within a set: velocity loss, as strength coaches measure it, from a camera.

Velocity-based training measures each rep's mean concentric (lifting) velocity. Within a set
it falls as fatigue builds, and the loss from the set's fastest rep tracks how hard the set
was: Sánchez-Medina & González-Badillo (2011, "Velocity loss as an indicator of neuromuscular
fatigue during resistance training", Med Sci Sports Exerc 43:1725-34) found it closely tied to
the blood lactate and ammonia a set leaves behind and to the loss of jump height after it.
Stopping a set at a fixed loss instead of a fixed count regulates effort: Pareja-Blanco et al.
(2017, Scand J Med Sci Sports 27:724-35) found that stopping squat sets at 20% loss gave the
same strength gains as 40% with far less fatigue, and 20% is the common default for strength
work (10-20% for power, 20-30% for hypertrophy).

A camera sees no bar speed, but mean velocity over a range is that range divided by the time
taken, and the range of one exercise's reps is much the same within a set (the counter only
counts reps that reach its thresholds). So rep ``i``'s velocity relative to the reference rep
is ``t_ref / t_i`` with ``t`` its concentric duration, and its loss ``1 - t_ref / t_i``.

- The reference is the fastest of the first :data:`REFERENCE_REPS` reps, as coaches take it:
  the first rep is often slower (starting from rest, finding the groove).
- The set's loss so far is that of the mean duration of its last :data:`SMOOTH_REPS` reps: one
  frame of timing error (33 ms at 30 fps on a 600 ms push-up concentric, about 5%) must not
  trip a 20% alert on its own.
- Alternating exercises (lunges) compare each side with its own reference.
- Holds have no concentric phase and sequences (burpees) no single one: no velocity loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from fitness.engine.values import Rep

REFERENCE_REPS: Final = 2
SMOOTH_REPS: Final = 2
DEFAULT_STOP_AT: Final = 0.20  # the common strength-training stop (Pareja-Blanco et al. 2017)


def _usable(reps: Sequence[Rep]) -> list[Rep]:
    return [r for r in reps if r.concentric_ms > 0]


def _groups(reps: Sequence[Rep], by_side: bool) -> list[list[Rep]]:
    if not by_side:
        return [list(reps)]
    sides: dict[str, list[Rep]] = {}
    for rep in reps:
        sides.setdefault(rep.side, []).append(rep)
    return list(sides.values())


def reference_ms(reps: Sequence[Rep]) -> float | None:
    """The concentric time of the fastest of the first reps (``None`` without any)."""
    first = _usable(reps)[:REFERENCE_REPS]
    return float(min(r.concentric_ms for r in first)) if first else None


def rep_losses(reps: Sequence[Rep], *, by_side: bool = False) -> dict[int, float]:
    """Each rep's velocity loss against its reference (a fraction: 0.2 is 20% slower), by rep
    index; reps without a concentric time are left out."""
    out: dict[int, float] = {}
    for group in _groups(_usable(reps), by_side):
        ref = reference_ms(group)
        if ref is None:
            continue
        for rep in group:
            out[rep.index] = 1.0 - ref / rep.concentric_ms
    return out


def velocity_loss(reps: Sequence[Rep], *, by_side: bool = False) -> float | None:
    """The set's velocity loss so far (a fraction), from the mean of its last reps against the
    reference; ``None`` until a rep beyond the reference reps was done (the largest over the
    sides for alternating exercises)."""
    losses = []
    for group in _groups(_usable(reps), by_side):
        ref = reference_ms(group)
        if ref is None or len(group) <= REFERENCE_REPS:
            continue
        last = group[-SMOOTH_REPS:]
        losses.append(1.0 - ref / (sum(r.concentric_ms for r in last) / len(last)))
    return max(losses) if losses else None


@dataclass(frozen=True, slots=True)
class FatigueState:
    """What the live page shows after a rep: the loss so far and whether to stop the set."""

    reps: int
    loss: float | None
    stop: bool


class FatigueMonitor:
    """Velocity loss of one set, rep by rep (the live page makes one per set).

    ``stop_at`` (a fraction; ``None``: never) raises :attr:`FatigueState.stop` once the set's
    loss reaches it, and keeps it raised for the rest of the set.
    """

    def __init__(self, stop_at: float | None = DEFAULT_STOP_AT, *, by_side: bool = False) -> None:
        if stop_at is not None and not 0.0 < stop_at < 1.0:
            raise ValueError(f"stop_at must be a fraction between 0 and 1 (0.2 is 20%), got {stop_at}")
        self.stop_at = stop_at
        self.by_side = by_side
        self._reps: list[Rep] = []
        self._stopped = False

    def add(self, rep: Rep) -> FatigueState:
        self._reps.append(rep)
        loss = velocity_loss(self._reps, by_side=self.by_side)
        if self.stop_at is not None and loss is not None and loss >= self.stop_at:
            self._stopped = True
        return FatigueState(len(self._reps), loss, self._stopped)
