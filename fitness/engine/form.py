"""Form feedback on a rep: each rule judged on the frames that show its fault, with the evidence.

The counter samples every frame of a rep (its phase, the counted measure, each rule's measure)
and hands the samples here when a rep completes, or when a movement turns back before the
turning point (a partial rep). What comes back are :class:`~fitness.engine.values.Cue` values:
the rule's id and text, the value measured, the target and the frame where it was judged.

Evidence, not guesses:

- a rule judges only the frames of its window (:data:`~fitness.engine.spec.WINDOW_PHASES`):
  knees caving on the way down and up, lockout at the top;
- only in the camera views where its measure is true to life (elsewhere it stays quiet and the
  counter says how to turn);
- only on frames where every joint of its measure was seen clearly (``FormRule.min_score``), and
  only when enough of the window was seen (:meth:`~fitness.engine.spec.FormRule.measure_window`).

:class:`Baseline` judges a rep against the person's own first reps of the set as well: a rep
that stops well short of where the first three went is a tiring set, whatever the fixed rule says.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Final

from fitness.engine.context import FrameContext
from fitness.engine.machines import Cycle
from fitness.engine.spec import RULE_MIN_SCORE, WINDOW_PHASES, ExerciseSpec, FormRule, Measure, Phase, Side, View
from fitness.engine.values import Cue, PartialRep

# The personal baseline: the first reps of a set, and how far short of them a rep must stop to
# be called out. Three reps (a median of three shrugs off one odd rep) ...
BASELINE_REPS: Final = 3
# ... and a third of the span the counter counts over (the distance between the extended and
# flexed thresholds), but never under 10 deg: MoveNet's 2-D joint angles on one steady movement
# wander by about 5 deg rep to rep (keypoint jitter plus small turns of the body), so a shortfall
# of twice that is a change in the movement, not noise. A third of the counted span is a rep
# that visibly stops short (13 deg of knee for a squat, 17 of elbow for a curl).
BASELINE_SHARE: Final = 1.0 / 3.0
BASELINE_MIN_DEG: Final = 10.0
# Comparing reps with each other asks more of the keypoints than judging one against a bound: a
# rep takes part only when its counted joints score at least this on every frame of its turning
# point (a push-up's wrist hidden under the body reads 25-35 and puts the elbow anywhere).
BASELINE_MIN_SCORE: Final = 0.5
PARTIAL_ID: Final = "partial"
# The position a rep starts from, for its range: the last second before it (a long rest before
# a rep may include standing up straighter than the rep starts from).
START_POSITION_MS: Final = 1000.0


@dataclass(slots=True)
class Sample:
    """One frame of a rep as the form rules see it: ``values[i]`` is rule ``i``'s measure (nan
    when its joints were not seen clearly enough), ``angle`` the counted measure (smoothed),
    ``raw`` the same measure on this frame alone (nan when its joints were not seen clearly
    enough for a rule) and ``e`` the normalised extension that was counted (nan when none)."""

    t_ms: float
    phase: Phase
    angle: float
    raw: float
    e: float
    confidence: float  # lowest score of the counted joints on this frame
    view: View | None
    side: Side
    signal: str
    values: tuple[float, ...]


def seen_value(measure: Measure, ctx: FrameContext, side: Side, min_score: float = RULE_MIN_SCORE) -> float:
    """``measure`` on this frame, or nan when one of its joints scores under ``min_score`` (a
    form cue needs a clearer view than a count)."""
    value = ctx.value(measure, side)
    if math.isnan(value) or ctx.pose is None:
        return math.nan
    return value if all(ctx.score(n) >= min_score for n in measure.names(side)) else math.nan


def rule_value(rule: FormRule, ctx: FrameContext, side: Side) -> float:
    """``rule``'s measure on this frame, gated by the rule's ``min_score``."""
    return seen_value(rule.measure, ctx, side, rule.min_score)


def _window(rule: FormRule, rep_s: list[Sample], start_s: list[Sample], turn_ms: float) -> list[Sample]:
    if rule.window == "start":
        return start_s
    if rule.window == "rep":
        return rep_s
    inside = [s for s in rep_s if s.phase in WINDOW_PHASES[rule.window]]
    if rule.window == "turn" and not inside and rep_s:
        # A low frame rate can carry one frame past the whole turning zone: the frame nearest
        # the turning point stands for it.
        inside = [min(rep_s, key=lambda s: abs(s.t_ms - turn_ms))]
    return inside


def _rounded(value: float, unit: str) -> float:
    return round(value, 1 if unit == "deg" else 3)


def rule_cue(rule: FormRule, index: int, rep_s: list[Sample], start_s: list[Sample], turn_ms: float) -> Cue | None:
    """The cue of rule ``index`` on this rep, or ``None`` when the rep keeps it (or too little
    of its window was seen to tell)."""
    window = _window(rule, rep_s, start_s, turn_ms)
    found = rule.judge([s.values[index] for s in window], [s.t_ms for s in window])
    if found is None:
        return None
    return Cue(rule.id, rule.cue, _rounded(found.measured, rule.unit), rule.unit, rule.target(), round(found.t_ms))


def rep_cues(
    spec: ExerciseSpec, rep_s: list[Sample], start_s: list[Sample], view: View | None, turn_ms: float
) -> tuple[Cue, ...]:
    """Every rule the rep breaks, judged in the rep's camera view (rules that cannot see it stay
    quiet), in the order the spec lists them."""
    cues = []
    for i, rule in enumerate(spec.rules):
        if view is not None and view not in rule.views:
            continue
        cue = rule_cue(rule, i, rep_s, start_s, turn_ms)
        if cue is not None:
            cues.append(cue)
    return tuple(cues)


def judges_reach(spec: ExerciseSpec, rule: FormRule) -> bool:
    """Whether ``rule`` judges how far the movement went towards its turning point (a squat's
    depth, a curl's flexion, a bridge's full extension): the rule that explains a partial rep."""
    ext, flex = spec.extended, spec.flexed
    if rule.measure != spec.primary or ext is None or flex is None or rule.window == "start":
        return False
    turn, start = (flex, ext) if spec.start == "extended" else (ext, flex)
    grows = turn > start  # the measure grows on the way to the turning point
    if grows:
        return rule.stat == "max" and rule.min_value is not None
    return rule.stat == "min" and rule.max_value is not None


def partial_rep(spec: ExerciseSpec, samples: list[Sample], cycle: Cycle, side: Side, view: View | None) -> PartialRep:
    """A movement that turned back before the turning point, with the cue that explains it:
    the spec's rule on how far the movement goes (``depth``) when the view shows it, else a
    cue on how much of the way it went."""
    inside = [s for s in samples if cycle.start_ms <= s.t_ms <= cycle.end_ms]
    judged = tuple(
        rule_cue(r, i, inside, [], cycle.bottom_ms)
        for i, r in enumerate(spec.rules)
        if r.window != "start" and (view is None or view in r.views)
    )
    cues = [c for c in judged if c is not None]
    reach_ids = {r.id for r in spec.rules if judges_reach(spec, r)}
    e_seen = [s.e for s in inside if not math.isnan(s.e)]
    share = 1.0 - min(e_seen) if e_seen else 0.0
    angles = [s.angle for s in inside if not math.isnan(s.angle)]
    ext, flex = spec.extended, spec.flexed
    reached = None
    if angles and ext is not None and flex is not None:
        turn, start = (flex, ext) if spec.start == "extended" else (ext, flex)
        reached = _rounded(max(angles) if turn > start else min(angles), spec.primary.unit)
    if not any(c.id in reach_ids for c in cues):
        label = spec.phase_labels[Phase.FLEXED]
        cues.insert(
            0,
            Cue(PARTIAL_ID, f"Not counted: go all the way to the {label}", round(100 * share), "%", ">= 100",
                round(cycle.bottom_ms)),
        )  # fmt: skip
    else:
        cues.sort(key=lambda c: c.id not in reach_ids)  # the explanation first
    return PartialRep(
        round(cycle.start_ms),
        round(cycle.bottom_ms),
        round(cycle.end_ms),
        reached,
        spec.primary.unit,
        share,
        side,
        tuple(cues),
    )


def _reach(
    spec: ExerciseSpec, rep_s: list[Sample], start_s: list[Sample], turn_ms: float
) -> tuple[float, float, float] | None:
    """How far the counted angle went towards the turning point, its range from the start
    position before the rep to the turning point, and when the turning point was reached;
    ``None`` when the rep cannot be compared with others (a measure that is not an angle, a view
    in which the angle is foreshortened, a turning point not seen clearly)."""
    ext, flex = spec.extended, spec.flexed
    if spec.primary.unit != "deg" or ext is None or flex is None or not rep_s:
        return None
    if any(s.signal != "angle" or (s.view is not None and s.view not in spec.primary_views) for s in rep_s):
        return None
    turn = [s for s in rep_s if s.phase is Phase.FLEXED] or [min(rep_s, key=lambda s: abs(s.t_ms - turn_ms))]
    if any(s.confidence < BASELINE_MIN_SCORE or math.isnan(s.raw) for s in turn):
        return None
    seen = [s for s in rep_s if not math.isnan(s.raw)]
    to_turn, start = (flex, ext) if spec.start == "extended" else (ext, flex)
    best = max(seen, key=lambda s: s.raw) if to_turn > start else min(seen, key=lambda s: s.raw)
    began = rep_s[0].t_ms - START_POSITION_MS
    values = [s.raw for s in seen + [s for s in start_s if s.t_ms >= began] if not math.isnan(s.raw)]
    return best.raw, max(values) - min(values), best.t_ms


@dataclass
class Baseline:
    """The person's own first reps of a set, and the reps after them judged against those.

    Per side (a lunge's legs, a curl's arms may differ). Only reps counted from a true angle
    take part; :meth:`reset` starts a new set.
    """

    spec: ExerciseSpec
    first: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def reset(self) -> None:
        self.first.clear()

    @property
    def margin(self) -> float:
        ext, flex = self.spec.extended, self.spec.flexed
        span = abs((ext or 0.0) - (flex or 0.0))
        return max(BASELINE_MIN_DEG, BASELINE_SHARE * span)

    def judge(self, rep_s: list[Sample], start_s: list[Sample], side: str, turn_ms: float) -> tuple[Cue, ...]:
        """Cues for a rep that stops short of the first reps (none during the first reps):
        ``rep_s`` its frames, ``start_s`` those of the start position before it."""
        found = _reach(self.spec, rep_s, start_s, turn_ms)
        if found is None:
            return ()
        reach, rom, t_ms = found
        first = self.first.setdefault(side, [])
        if len(first) < BASELINE_REPS:
            first.append((reach, rom))
            return ()
        ext, flex = self.spec.extended, self.spec.flexed
        assert ext is not None and flex is not None
        turn, start = (flex, ext) if self.spec.start == "extended" else (ext, flex)
        sign = 1.0 if turn > start else -1.0
        usual = statistics.median(r for r, _ in first)
        usual_rom = statistics.median(r for _, r in first)
        short = sign * (usual - reach)
        margin = self.margin
        if short > margin:
            limit = usual - sign * margin
            op = ">=" if sign > 0 else "<="
            return (
                Cue(
                    "shallower_than_usual",
                    f"{short:.0f}° shallower than your first three reps",
                    _rounded(reach, "deg"),
                    "deg",
                    f"{op} {limit:.0f}",
                    round(t_ms),
                ),
            )
        if usual_rom - rom > margin:
            return (
                Cue(
                    "less_range_than_usual",
                    f"{usual_rom - rom:.0f}° less range than your first three reps",
                    _rounded(rom, "deg"),
                    "deg",
                    f">= {usual_rom - margin:.0f}",
                    round(t_ms),
                ),
            )
        return ()
