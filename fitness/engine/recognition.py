"""Which exercise is this? Signatures derived from the specs, scored over the stream.

Nothing here is learned from footage: every spec already says what its exercise looks like
(the body's orientation, the signal that moves and between which thresholds, the positions of
a sequence, what must hold at the turning point, which joints stay put). A :class:`Signature`
is that description run cheaply over the shared per-frame context: the spec's own signal
through its own hysteresis, without form rules, samples or reps. It turns the stream into
*evidence*, in seconds of movement the spec explains:

- reps: each full cycle counts its duration (at most ``MAX_CYCLE_S``), if the spec's still
  joints kept still during it (hands on the bar in a pull-up, feet on the floor in a press)
  and its signal was readable for most of it, and what the spec requires at the turning point
  (a split stance for a lunge, the hands low for a deadlift) was actually seen there;
- holds: time held in position and still, in stretches of at least ``MIN_HOLD_S``;
- sequences: each completed pass counts its duration.

The recogniser sums evidence per exercise (over the whole stream for a video, over the last
``window_s`` for a live session). The exercise with the most wins; with less than
``MIN_EVIDENCE_S`` for every exercise it is "not an exercise I know". Specs whose cycles
overlap in time (a squat is also a shallow hinge) share out the overlap to the one that
explains more of it, so the more specific description wins. The short-list it keeps is
confirmed by the full counters in :class:`fitness.pipeline.stream.StreamAnalyzer`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from fitness.engine.context import FrameContext
from fitness.engine.counter import CounterConfig, hold_state, overshoot_extension, position_matches, sequence_machine
from fitness.engine.machines import MAX_REP_MS, HoldClock, PhaseMachine, RangeWindow
from fitness.engine.signal import FLEXED_CHECK, SideSignal, normalise
from fitness.engine.spec import SIDES, ExerciseSpec, Side, resolve
from fitness.pose.keypoints import INDEX

UNKNOWN: Final = "unknown"
# One cycle speaks for at most this much time: a 20 s "rep" is someone standing about.
MAX_CYCLE_S: Final = 5.0
# A hold must last this long to count: the top of a push-up is a plank for a moment.
MIN_HOLD_S: Final = 2.0
# Less evidence than this for every exercise: not an exercise I know. One slow rep is enough
# (single-rep clips exist); a gesture while talking is shorter and rarely crosses both thresholds.
MIN_EVIDENCE_S: Final = 1.0
# Still joints may drift this far (torso lengths) over a cycle: body sway and the jitter of a
# small, distant figure (0.1-0.45 on the labelled clips). A body that lifts itself moves by
# about an arm's length, 0.9 torso lengths (a pull-up's hips; a press's hands).
STILL_TOLERANCE: Final = 0.5
# A cycle must have a readable signal on at least this share of its frames.
MIN_READABLE: Final = 0.6
LOW_CONFIDENCE: Final = 0.5


@dataclass(frozen=True, slots=True)
class Evidence:
    """A stretch of the stream one spec explains (a cycle, a hold, a pass)."""

    start_ms: float
    end_ms: float
    weight: float  # how much of the spec's description it matched (see Signature.weight)

    @property
    def seconds(self) -> float:
        return (self.end_ms - self.start_ms) / 1000.0


@dataclass(frozen=True, slots=True)
class Recognition:
    """The verdict: ``exercise`` is a registry key, or ``None`` for "not an exercise I know"."""

    exercise: str | None
    confidence: float  # 0..1
    scores: dict[str, float]  # seconds of evidence per exercise

    @property
    def confident(self) -> bool:
        return self.exercise is not None and self.confidence >= LOW_CONFIDENCE

    def to_dict(self) -> dict[str, object]:
        return {"exercise": self.exercise, "confidence": self.confidence, "scores": dict(self.scores)}


def _spread(values: list[float]) -> float:
    """The 10th to 90th percentile range: how far a joint really went, keypoint jitter aside."""
    ordered = sorted(values)
    n = len(ordered)
    return ordered[(9 * n) // 10] - ordered[n // 10] if n else 0.0


@dataclass
class _Cycle:
    """The still joints' positions, readability and bottom checks of the cycle in progress."""

    frames: int = 0
    readable: int = 0
    checked: set[int] = field(default_factory=set)  # "when=flexed" requirements actually seen
    points: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    torsos: list[float] = field(default_factory=list)

    def add(self, ctx: FrameContext, still: tuple[str, ...], readable: bool) -> None:
        self.frames += 1
        self.readable += readable
        pose = ctx.pose
        if pose is None:
            return
        kps = pose.keypoints
        for name in still:
            if ctx.score(name) >= ctx.min_score:
                i = INDEX[name]
                self.points.setdefault(name, []).append((float(kps[i, 0]), float(kps[i, 1])))
        if ctx.score("left_shoulder") >= ctx.min_score and ctx.score("left_hip") >= ctx.min_score:
            s, h = INDEX["left_shoulder"], INDEX["left_hip"]
            self.torsos.append(math.hypot(float(kps[s, 0] - kps[h, 0]), float(kps[s, 1] - kps[h, 1])))

    def drift(self) -> float:
        """How far the still joints moved over the cycle, in torso lengths (0 when unknown):
        the median over the joints of each one's 10th-90th percentile travel."""
        if not self.torsos or not self.points:
            return 0.0
        torso = sorted(self.torsos)[len(self.torsos) // 2]
        if torso <= 1e-6:
            return 0.0
        spans = sorted(
            math.hypot(_spread([p[0] for p in pts]), _spread([p[1] for p in pts])) for pts in self.points.values()
        )
        mid = len(spans) // 2
        median = spans[mid] if len(spans) % 2 else (spans[mid - 1] + spans[mid]) / 2.0
        return median / torso


class Signature:
    """One spec's description run over the stream, producing :class:`Evidence`."""

    def __init__(self, spec: ExerciseSpec, config: CounterConfig | None = None) -> None:
        self.spec = spec
        self.config = config or CounterConfig()
        cfg = self.config
        self.evidence: list[Evidence] = []
        self._signals = {s: SideSignal(spec, s, cfg.signal()) for s in SIDES}
        self._still = tuple(dict.fromkeys(resolve(j, side) for j in spec.still for side in SIDES))
        self._sides: tuple[Side | None, ...] = SIDES if spec.sides in ("both", "alternating") else (None,)
        self._machines = [PhaseMachine(spec.min_rep_s * 1000.0, cfg.max_gap_ms, MAX_REP_MS) for _ in self._sides]
        self._cycles = [_Cycle() for _ in self._sides]
        self._side: Side = "left"
        self._bottom_checks = [i for i, r in enumerate(spec.requirements) if r.when == "flexed"]
        self._hold = HoldClock(spec.grace_s * 1000.0) if spec.kind == "hold" else None
        self._hold_since: float | None = None
        self._hold_start_ms = 0.0
        self._steady = RangeWindow(cfg.hold_window_ms)
        self._sequence = sequence_machine(spec, cfg)
        self._overshoot = overshoot_extension(spec)
        # How much the spec pins down: each requirement, still joint and extra channel is one
        # more thing a movement must match. When two specs explain the same stretch, the one
        # that says more about it wins.
        self.weight = 1.0 + 0.25 * (len(spec.requirements) + len(spec.still) + len(spec.channels) + len(spec.positions))

    @property
    def seconds(self) -> float:
        return sum(e.seconds for e in self.evidence)

    def step(self, ctx: FrameContext) -> None:
        if ctx.pose is None:
            for m in self._machines:
                m.step(ctx.t_ms, None)
            if self._hold is not None:
                self._hold_step(ctx.t_ms, "out")
            return
        if ctx.cut:
            for m in self._machines:
                m.reset()
            self._cycles = [_Cycle() for _ in self._sides]
            for s in self._signals.values():
                s.reset()
        wrong_way = (
            ctx.orientation is not None
            and self.spec.orientation is not None
            and ctx.orientation != self.spec.orientation
        )
        if self._hold is not None:
            self._step_hold(ctx, wrong_way)
        elif self._sequence is not None:
            self._step_sequence(ctx)
        else:
            self._step_reps(ctx, wrong_way)

    # -- reps -------------------------------------------------------------------------------
    def _step_reps(self, ctx: FrameContext, wrong_way: bool) -> None:
        if wrong_way:
            for m in self._machines:
                m.step(ctx.t_ms, None)
            return
        use_fallback = ctx.view is not None and ctx.view not in self.spec.primary_views
        readings = {s: sig.read(ctx, use_fallback) for s, sig in self._signals.items()}
        if self._sides == (None,):
            other: Side = "right" if self._side == "left" else "left"
            cur, alt = readings[self._side], readings[other]
            if (cur.e is None and alt.e is not None) or alt.visibility > cur.visibility + self.config.side_margin:
                self._side = other
        for i, fixed in enumerate(self._sides):
            reading = readings[fixed or self._side]
            machine, cycle = self._machines[i], self._cycles[i]
            if reading.rebased or (
                self._overshoot is not None
                and reading.angle is not None
                and reading.signal == "angle"
                and self._normalised(reading.angle) < self._overshoot
            ):
                machine.abandon()
                self._cycles[i] = _Cycle()
                continue
            e = reading.e
            value = None if e is None else (e if self.spec.start == "extended" else 1.0 - e)
            done = machine.step(ctx.t_ms, value, reading.confidence >= self.config.arm_score)
            if machine.phase.value in ("flexing", "flexed", "extending") or done is not None:
                cycle.add(ctx, self._still, value is not None)
                if e is not None and e < FLEXED_CHECK:
                    side = fixed or self._side
                    cycle.checked.update(
                        i
                        for i in self._bottom_checks
                        if not math.isnan(ctx.value(self.spec.requirements[i].measure, side))
                    )
            if done is not None:
                seen_bottom = len(cycle.checked) == len(self._bottom_checks)
                if seen_bottom and cycle.drift() <= STILL_TOLERANCE and cycle.readable >= MIN_READABLE * cycle.frames:
                    end = min(done.end_ms, done.start_ms + MAX_CYCLE_S * 1000.0)
                    self.evidence.append(Evidence(done.start_ms, end, self.weight))
                self._cycles[i] = _Cycle()
            elif machine.phase.value in ("setup", "extended"):
                self._cycles[i] = _Cycle()

    def _normalised(self, value: float) -> float:
        ext, flex = self.spec.extended, self.spec.flexed
        assert ext is not None and flex is not None
        return normalise(value, ext, flex)

    # -- holds and sequences ------------------------------------------------------------------
    def _better_side(self, ctx: FrameContext) -> Side:
        readings = {s: sig.read(ctx, False) for s, sig in self._signals.items()}
        other: Side = "right" if self._side == "left" else "left"
        if readings[other].visibility > readings[self._side].visibility + self.config.side_margin:
            self._side = other
            self._steady.reset()
        return self._side

    def _step_hold(self, ctx: FrameContext, wrong_way: bool) -> None:
        side = self._better_side(ctx)
        value = ctx.value(self.spec.primary, side)
        wander = self._steady.update(ctx.t_ms, value)
        steady = None if math.isnan(value) else wander <= self.config.hold_steady_deg
        state, _, _ = hold_state(self.spec, ctx, side, steady)
        self._hold_step(ctx.t_ms, "out" if wrong_way else state)

    def _hold_step(self, t_ms: float, state: str) -> None:
        assert self._hold is not None
        held_before, so_far = self._hold.held_ms, self.holding
        was = self._hold.holding
        self._hold.step(t_ms, state)  # type: ignore[arg-type]
        if self._hold.holding and not was:
            self._hold_since = t_ms
            self._hold_start_ms = held_before
        if was and not self._hold.holding and self._hold_since is not None:
            if so_far is not None:
                self.evidence.append(so_far)
            self._hold_since = None

    @property
    def holding(self) -> Evidence | None:
        """The hold in progress as the evidence it gives when it ends, were it to end now
        (``None``: not holding, or not yet ``MIN_HOLD_S``). A hold's evidence is its time held,
        so it is added only once the hold ends; this is what it is worth meanwhile."""
        if self._hold is None or not self._hold.holding or self._hold_since is None:
            return None
        held = self._hold.held_ms - self._hold_start_ms
        if held < MIN_HOLD_S * 1000.0:
            return None
        return Evidence(self._hold_since, self._hold_since + held, self.weight)

    def _step_sequence(self, ctx: FrameContext) -> None:
        assert self._sequence is not None
        side = self._better_side(ctx)
        done = self._sequence.step(ctx.t_ms, position_matches(self.spec, ctx, side))
        if done is not None:
            end = min(done.end_ms, done.start_ms + MAX_CYCLE_S * 1000.0)
            self.evidence.append(Evidence(done.start_ms, end, self.weight))

    def finish(self, t_ms: float) -> None:
        """The stream ended: a hold in progress counts up to now."""
        if self._hold is not None and self._hold.holding:
            self._hold_step(t_ms + 1.0, "out")


def covered(start: float, end: float, taken: list[tuple[float, float]]) -> float:
    """How much of ``[start, end]`` the disjoint intervals ``taken`` cover."""
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in taken)


def take(span: tuple[float, float], taken: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``taken`` with ``span`` added, merged so the intervals stay disjoint."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted([*taken, span]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def explained(evidence: Mapping[str, Sequence[Evidence]], since_ms: float = -math.inf) -> dict[str, float]:
    """Seconds each spec explains, overlaps going to the spec with the heavier description."""
    spans = sorted(
        ((e.weight, max(e.start_ms, since_ms), e.end_ms, key) for key, evs in evidence.items() for e in evs),
        key=lambda s: -s[0],
    )
    scores = {key: 0.0 for key in evidence}
    taken: list[tuple[float, float]] = []
    for _, start, end, key in spans:
        if end <= start:
            continue
        scores[key] += (end - start - covered(start, end, taken)) / 1000.0
        taken = take((start, end), taken)
    return scores


def decide(scores: Mapping[str, float]) -> Recognition:
    """The exercise with the most evidence, or none when nothing reaches ``MIN_EVIDENCE_S``."""
    if not scores:
        return Recognition(None, 0.0, {})
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    rounded = {k: round(v, 2) for k, v in scores.items()}
    if top < MIN_EVIDENCE_S:
        return Recognition(None, 0.0, rounded)
    return Recognition(best, round(max(0.0, min(1.0, (top - second) / top)), 3), rounded)


class ExerciseRecognizer:
    """Every registered spec's signature over one stream; ``current()`` is the verdict so far.

    ``window_s`` limits the evidence to the recent past (a live session that moves on to
    another exercise); ``None`` weighs the whole stream (a video).
    """

    def __init__(
        self, specs: Mapping[str, ExerciseSpec], config: CounterConfig | None = None, window_s: float | None = None
    ) -> None:
        if not specs:
            raise ValueError("ExerciseRecognizer needs at least one exercise spec")
        self.signatures = {key: Signature(spec, config) for key, spec in specs.items()}
        self.window_s = window_s
        self._last_t = 0.0

    def step(self, ctx: FrameContext) -> None:
        self._last_t = ctx.t_ms
        for sig in self.signatures.values():
            sig.step(ctx)

    def finish(self) -> None:
        for sig in self.signatures.values():
            sig.finish(self._last_t)

    def scores(self) -> dict[str, float]:
        since = -math.inf if self.window_s is None else self._last_t - self.window_s * 1000.0
        return explained({k: s.evidence for k, s in self.signatures.items()}, since)

    def current(self) -> Recognition:
        return decide(self.scores())

    def provisional(self) -> Recognition:
        """The verdict were every hold in progress to end now: a hold's evidence is its time
        held, added when it ends, so until then :meth:`current` cannot know it (the live page
        shows the hold being timed meanwhile). The same evidence, the same ``MIN_HOLD_S`` and
        ``MIN_EVIDENCE_S``: it only does not wait for the end."""
        since = -math.inf if self.window_s is None else self._last_t - self.window_s * 1000.0
        evidence: dict[str, list[Evidence]] = {}
        for key, sig in self.signatures.items():
            holding = sig.holding
            evidence[key] = sig.evidence if holding is None else [*sig.evidence, holding]
        return decide(explained(evidence, since))

    def shortlist(self, n: int) -> list[str]:
        """The ``n`` exercises with the most evidence so far (those with any)."""
        ranked = sorted(((v, k) for k, v in self.scores().items() if v > 0), reverse=True)
        return [k for _, k in ranked[:n]]
