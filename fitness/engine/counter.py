"""The one generic counter: every exercise, every movement kind, driven by its spec.

The spec's signal (a joint angle, a height, several channels averaged; see
:mod:`fitness.engine.signal`) is smoothed and normalised to an *extension* ``e``: 1 at the
spec's extended threshold, 0 at its flexed threshold. Then, by the spec's kind:

- **reps**: a :class:`~fitness.engine.machines.PhaseMachine` per counted side sees
  ``start -> turning point -> start`` (``e`` for reps that start extended, ``1 - e`` for reps
  that start flexed), no faster than the spec's minimum duration. ``sides="auto"`` follows the
  better-seen side, ``"both"`` counts each side and merges simultaneous reps (two-arm curls),
  ``"alternating"`` counts each side on its own (lunges, mountain climbers);
- **hold**: a :class:`~fitness.engine.machines.HoldClock` runs while the orientation and the
  requirements hold, the body keeps still and no form rule is broken;
- **sequence**: a :class:`~fitness.engine.machines.SequenceMachine` counts each pass through
  the spec's positions (burpee: stand -> plank -> stand).

Everything that makes real footage hard is handled before a machine sees a value: keypoints
scoring under ``min_score``, a body lying the wrong way or a failed requirement hold the state
and raise a note; holes longer than ``max_gap_ms`` abandon the rep in progress; a scene cut
(all keypoints jumping at once, found by :class:`~fitness.engine.context.ContextTracker`)
starts afresh.

A rep starts when the signal leaves the start zone and ends (and is counted) when it
re-enters it; its turning point is the furthest frame between. A stream that starts
mid-movement is taken to have started from the start position, because a person who presses
record and starts at once is mid-descent, not mid-ascent, far more often; a stream that starts
at the turning point must first reach the start position before anything counts.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from fitness.engine.context import ContextTracker, FrameContext, TrackerConfig
from fitness.engine.form import Baseline, Sample, partial_rep, rep_cues, rule_value, seen_value
from fitness.engine.machines import (
    ACTIVE_PHASES,
    MAX_REP_MS,
    Break,
    Cycle,
    HoldClock,
    HoldState,
    Pass,
    PhaseMachine,
    RangeWindow,
    SequenceMachine,
)
from fitness.engine.signal import Reading, SideSignal, SignalConfig, normalise
from fitness.engine.spec import SIDES, ExerciseSpec, Phase, Side, View
from fitness.engine.values import Cue, PartialRep, Rep
from fitness.pose.types import Pose

__all__ = ["ACTIVE_PHASES", "CounterConfig", "Cycle", "FrameResult", "PhaseMachine", "RepCounter"]

# Samples kept for the rep in progress: 100 s at 30 fps, far more than any rep lasts.
MAX_REP_SAMPLES: Final = 3000


@dataclass(frozen=True, slots=True)
class CounterConfig:
    """Knobs shared by every exercise (tuned once on the labelled footage, never per clip)."""

    min_score: float = 0.2  # a joint below this is not seen on this frame
    arm_score: float = 0.35  # a stream may start mid-rep only if its first pose is this clear
    # A rep whose joints averaged less was not really seen: real reps in the 20 labelled clips
    # average 0.3 or more; a still lifter whose tracking went bad behind a barbell plate
    # produced a phantom squat at 0.25 (tests/data/live_still_behind_plate.json).
    rep_min_score: float = 0.3
    max_gap_ms: int = 2000
    note_after_ms: int = 400
    # A scene cut: the median keypoint jump per 50 ms (a 20 fps frame interval), as a share of
    # the body's extent. Real motion of one frame interval moves a few joints, not all.
    cut_jump: float = 0.2
    smoothing_min_cutoff: float = 1.5  # Hz
    smoothing_beta: float = 0.5  # per unit of normalised extension per second
    side_margin: float = 0.1  # how much better-seen the other side must be to switch to it
    merge_overlap: float = 0.5  # two sides' reps overlapping this much are one rep
    ref_decay_per_s: float = 0.03  # how fast a height signal's reference length forgets
    cue_hold_ms: int = 3000  # how long a finished rep's cues stay on screen
    # A hold is held still: its measure (elbow in a plank, knee in a wall sit) wanders less than
    # this over the last second. Breathing and keypoint jitter on the labelled planks and wall
    # sit move it 5-10 deg; a push-up swings the elbow 70-90 deg each rep.
    hold_steady_deg: float = 20.0
    hold_window_ms: int = 1000
    # A position of a sequence must show on frames spanning this long (one frame is a glitch).
    dwell_ms: int = 100
    # A burpee takes 2-4 s; a pass stalled for longer than this is not one.
    max_pass_ms: int = 8000

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must be within [0, 1], got {self.min_score}")
        if self.max_gap_ms <= 0:
            raise ValueError(f"max_gap_ms must be positive, got {self.max_gap_ms}")
        if not 0.0 < self.merge_overlap <= 1.0:
            raise ValueError(f"merge_overlap must be within (0, 1], got {self.merge_overlap}")
        if self.smoothing_min_cutoff <= 0 or self.smoothing_beta < 0:
            raise ValueError(
                f"smoothing needs min_cutoff > 0 and beta >= 0, got {self.smoothing_min_cutoff}, {self.smoothing_beta}"
            )
        if self.hold_steady_deg <= 0 or self.hold_window_ms <= 0:
            raise ValueError(
                "hold_steady_deg and hold_window_ms must be positive, "
                f"got {self.hold_steady_deg}, {self.hold_window_ms}"
            )

    def tracker(self) -> TrackerConfig:
        return TrackerConfig(self.min_score, self.cut_jump)

    def signal(self) -> SignalConfig:
        return SignalConfig(self.smoothing_min_cutoff, self.smoothing_beta, self.ref_decay_per_s)


@dataclass(frozen=True)
class FrameResult:
    """What the counter concluded from one frame; ``rep`` is set on the frame a rep completes.

    ``kind`` is the spec's movement kind. For a hold, ``hold_ms`` is the time held so far and
    ``holding`` whether the clock runs on this frame; ``per_side`` has each side's reps for
    exercises counted per side (curls, lunges, mountain climbers); ``position`` is the last
    position of a sequence reached.
    """

    t_ms: int
    angle: float | None  # the counted measure (degrees or a ratio, smoothed) of the side followed
    extension: float | None  # normalised signal: 1 = extended threshold, 0 = flexed threshold
    phase: Phase
    reps: int
    per_side: dict[str, int]
    side: str | None
    view: View | None
    signal: str  # "angle" or "height": which signal is being counted
    cues: tuple[str, ...] = ()  # what to say now (the texts of the cues that apply)
    notes: tuple[str, ...] = ()
    rep: Rep | None = None
    partial: PartialRep | None = None  # set on the frame a movement turned back uncounted
    kind: str = "reps"
    hold_ms: int | None = None
    holding: bool = False
    position: str | None = None

    @property
    def note(self) -> str | None:
        return self.notes[0] if self.notes else None

    def to_dict(self) -> dict[str, object]:
        return {
            "t_ms": self.t_ms,
            "angle": None if self.angle is None else round(self.angle, 3),
            "extension": None if self.extension is None else round(self.extension, 3),
            "phase": self.phase.value,
            "reps": self.reps,
            "per_side": dict(self.per_side),
            "side": self.side,
            "view": self.view,
            "signal": self.signal,
            "cues": list(self.cues),
            "notes": list(self.notes),
            "kind": self.kind,
            "hold_ms": self.hold_ms,
            "holding": self.holding,
            "position": self.position,
            "partial": None if self.partial is None else self.partial.to_dict(),
        }


class _Track:
    """A phase machine with the samples of the cycle in progress (one per counted side)."""

    def __init__(self, spec: ExerciseSpec, cfg: CounterConfig, side: Side | None) -> None:
        self.fixed_side = side
        self.side: Side = side or "left"
        self.machine = PhaseMachine(spec.min_rep_s * 1000.0, cfg.max_gap_ms, MAX_REP_MS)
        self.samples: deque[Sample] = deque(maxlen=MAX_REP_SAMPLES)
        self.count = 0
        self.last: Reading = Reading()

    def reset(self) -> None:
        self.machine.reset()
        self.samples.clear()


@dataclass
class CounterStats:
    """What happened over the whole stream, for end-of-analysis notes."""

    frames: int = 0
    with_person: int = 0
    in_position: int = 0
    counted: int = 0
    cuts: int = 0
    unsure: int = 0
    overshoot: int = 0
    missing: Counter[str] = field(default_factory=Counter)
    unmet: Counter[str] = field(default_factory=Counter)
    views: Counter[str] = field(default_factory=Counter)
    quiet: dict[str, None] = field(default_factory=dict)


def _mode(values: list[View | None]) -> View | None:
    seen = Counter(v for v in values if v is not None)
    return seen.most_common(1)[0][0] if seen else None


def _human(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(n.replace("_", " ") for n in names)


def hold_state(spec: ExerciseSpec, ctx: FrameContext, side: Side, steady: bool | None) -> tuple[HoldState, str, str]:
    """Is this frame in the hold's position: ``"in"``, ``"out"`` (with the reason and its id:
    ``"position"``, ``"moving"`` or the broken form rule) or ``"unknown"`` (not seen).
    ``steady`` says the hold's measure kept still over the last second (``None``: the measure
    is not seen, so stillness cannot be told either)."""
    if ctx.orientation is not None and spec.orientation is not None and ctx.orientation != spec.orientation:
        return "out", spec.setup_message, "position"
    judged = False
    for req in spec.requirements:
        value = ctx.value(req.measure, side)
        if math.isnan(value):
            continue
        judged = True
        if not req.holds(value):
            return "out", req.message, "position"
    if not judged:
        return "unknown", "", ""
    if steady is False:
        return "out", "Hold still", "moving"
    for rule in spec.rules:
        if ctx.view is not None and ctx.view not in rule.views:
            continue
        if rule.out_of_bounds(rule_value(rule, ctx, side)):  # joints not seen clearly break nothing
            return "out", rule.cue, rule.id
    return ("unknown", "", "") if steady is None else ("in", "", "")


def sequence_machine(spec: ExerciseSpec, config: CounterConfig) -> SequenceMachine | None:
    """The machine for a sequence spec (``None`` for other kinds); cyclic when the last
    position is the first (the end of one burpee is the start of the next)."""
    if spec.kind != "sequence":
        return None
    cyclic = spec.positions[0] == spec.positions[-1]
    return SequenceMachine(len(spec.positions), config.dwell_ms, config.max_pass_ms, cyclic, config.max_gap_ms)


def overshoot_extension(spec: ExerciseSpec) -> float | None:
    """The spec's overshoot as a normalised extension (below 0: past the flexed threshold)."""
    ext, flex = spec.extended, spec.flexed
    if spec.overshoot is None or ext is None or flex is None:
        return None
    return normalise(spec.overshoot, ext, flex)


def position_matches(spec: ExerciseSpec, ctx: FrameContext, side: Side) -> tuple[bool, ...]:
    """For each position of a sequence, whether this frame is in it (unseen joints: no)."""
    out = []
    for position in spec.positions:
        values = [ctx.value(r.measure, side) for r in position.requirements]
        out.append(all(not math.isnan(v) and r.holds(v) for r, v in zip(position.requirements, values, strict=True)))
    return tuple(out)


class RepCounter:
    """Counts one exercise from a stream of poses (one counter per stream).

    ``update(pose, t_ms)`` for a counter on its own; ``step(context)`` when a stream shares one
    :class:`~fitness.engine.context.ContextTracker` between several counters.
    """

    def __init__(self, spec: ExerciseSpec, config: CounterConfig | None = None) -> None:
        self.spec = spec
        self.config = config or CounterConfig()
        self._tracker = ContextTracker(self.config.tracker())
        self._signals = {s: SideSignal(spec, s, self.config.signal()) for s in SIDES}
        sides: tuple[Side | None, ...] = SIDES if spec.sides in ("both", "alternating") else (None,)
        self._tracks = [_Track(spec, self.config, s) for s in sides]
        self._hold = HoldClock(spec.grace_s * 1000.0) if spec.kind == "hold" else None
        self._steadiness = RangeWindow(self.config.hold_window_ms)
        self._sequence = sequence_machine(spec, self.config)
        self._overshoot_e = overshoot_extension(spec)
        self._reps: list[Rep] = []
        self._partials: list[PartialRep] = []
        self._baseline = Baseline(spec)
        self._absent_since: float | None = None
        self._trouble_since: float | None = None
        self._last_rep_cues: tuple[float, tuple[str, ...]] = (-math.inf, ())
        self.stats = CounterStats()

    # -- public ---------------------------------------------------------------------------
    @property
    def reps(self) -> list[Rep]:
        return list(self._reps)

    @property
    def count(self) -> int:
        return len(self._reps)

    @property
    def partial(self) -> int:
        """Attempts that went more than halfway and turned back (not counted), seen well enough
        to say so."""
        return len(self._partials)

    @property
    def partials(self) -> list[PartialRep]:
        """Those attempts, each with the cue that explains why it did not count."""
        return list(self._partials)

    @property
    def started(self) -> bool:
        """Whether the start position (or, for a hold, the position) was ever reached."""
        if self._hold is not None:
            return self._hold.started
        if self._sequence is not None:
            return self._sequence.started
        return any(t.machine.started for t in self._tracks)

    @property
    def hold_ms(self) -> int | None:
        return None if self._hold is None else round(self._hold.held_ms)

    @property
    def breaks(self) -> tuple[Break, ...]:
        return () if self._hold is None else tuple(self._hold.breaks)

    def per_side(self) -> dict[str, int]:
        if self.spec.sides in ("both", "alternating"):
            return {t.side: t.count for t in self._tracks}
        return dict(Counter(r.side for r in self._reps))

    def reset(self) -> None:
        """Start a new segment (keeps the reps counted so far)."""
        for t in self._tracks:
            t.reset()
        for s in self._signals.values():
            s.reset()
        if self._sequence is not None:
            self._sequence.reset()
        self._steadiness.reset()
        self._baseline.reset()  # a new segment is a new set: its own first reps

    def finish(self) -> None:
        """The stream has ended (closes an open hold break)."""
        if self._hold is not None:
            self._hold.finish()

    def update(self, pose: Pose | None, t_ms: float) -> FrameResult:
        return self.step(self._tracker.update(pose, t_ms))

    def step(self, ctx: FrameContext) -> FrameResult:
        self.stats.frames += 1
        if ctx.pose is None:
            return self._no_person(ctx)
        self._absent_since = None
        self.stats.with_person += 1
        if ctx.cut:
            self.stats.cuts += 1
            self.reset()
        if ctx.view is not None:
            self.stats.views[ctx.view] += 1
        if self._hold is not None:
            return self._step_hold(ctx)
        if self._sequence is not None:
            return self._step_sequence(ctx)
        return self._step_reps(ctx)

    # -- reps -------------------------------------------------------------------------------
    def _wrong_way(self, ctx: FrameContext) -> bool:
        wanted = self.spec.orientation
        return ctx.orientation is not None and wanted is not None and ctx.orientation != wanted

    def _step_reps(self, ctx: FrameContext) -> FrameResult:
        if self._wrong_way(ctx):
            for track in self._tracks:
                track.machine.step(ctx.t_ms, None)
            return self._result(ctx, (self.spec.setup_message,), None, seen=False)
        self.stats.in_position += 1
        use_fallback = ctx.view is not None and ctx.view not in self.spec.primary_views
        readings = {s: sig.read(ctx, use_fallback) for s, sig in self._signals.items()}
        completed: Rep | None = None
        turned: PartialRep | None = None
        trouble: list[str] = []
        for track in self._tracks:
            rep, problem = self._step_track(track, ctx, readings)
            completed = completed or rep
            partial = self._turned_back(track)
            turned = turned or partial
            if problem:
                trouble.append(problem)
        return self._result(ctx, self._trouble_notes(ctx.t_ms, trouble), completed, partial=turned)

    def _choose_side(self, track: _Track, readings: dict[Side, Reading]) -> Side:
        if track.fixed_side is not None:
            return track.fixed_side
        cur: Side = track.side
        other: Side = "right" if cur == "left" else "left"
        r_cur, r_other = readings[cur], readings[other]
        if r_cur.e is None and r_other.e is not None:
            return other
        settled = track.machine.phase in (Phase.SETUP, Phase.EXTENDED)
        if settled and r_other.e is not None and r_other.visibility > r_cur.visibility + self.config.side_margin:
            return other
        return cur

    def _machine_value(self, reading: Reading) -> float | None:
        if reading.e is None:
            return None
        return reading.e if self.spec.start == "extended" else 1.0 - reading.e

    def _overshot(self, reading: Reading) -> bool:
        if self._overshoot_e is None or reading.angle is None or reading.signal != "angle":
            return False
        ext, flex = self.spec.extended, self.spec.flexed
        assert ext is not None and flex is not None
        return normalise(reading.angle, ext, flex) < self._overshoot_e

    def _step_track(
        self, track: _Track, ctx: FrameContext, readings: dict[Side, Reading]
    ) -> tuple[Rep | None, str | None]:
        track.side = self._choose_side(track, readings)
        reading = readings[track.side]
        track.last = reading
        problem = reading.unmet
        if reading.missing and reading.e is None:
            problem = f"Move into view: {_human(reading.missing)} not visible"
            self.stats.missing.update(reading.missing)
        if reading.unmet:
            self.stats.unmet[reading.unmet] += 1
        if reading.e is not None:
            self.stats.counted += 1
        if reading.rebased:
            track.machine.abandon()
            track.samples.clear()
        if self._overshot(reading):
            # Past the range of this exercise: whatever this is, it is not a rep of it.
            self.stats.overshoot += track.machine.phase in ACTIVE_PHASES
            track.machine.abandon()
            track.samples.clear()
            return None, problem
        cycle = track.machine.step(ctx.t_ms, self._machine_value(reading), reading.confidence >= self.config.arm_score)
        self._sample(track, ctx, reading)
        rep = self._complete(track, cycle) if cycle is not None else None
        return rep, problem

    def _sample(self, track: _Track, ctx: FrameContext, reading: Reading) -> None:
        values = tuple(rule_value(r, ctx, track.side) for r in self.spec.rules)
        angle = reading.angle if reading.angle is not None else math.nan
        e = self._machine_value(reading)
        track.samples.append(
            Sample(
                ctx.t_ms,
                track.machine.phase,
                angle,
                seen_value(self.spec.primary, ctx, track.side),
                math.nan if e is None else e,
                reading.confidence,
                ctx.view,
                track.side,
                reading.signal,
                values,
            )
        )

    def _turned_back(self, track: _Track) -> PartialRep | None:
        """A movement that turned back before the turning point on this frame, explained (and
        said at once, as a finished rep's cues are)."""
        cycle = track.machine.turned_back
        if cycle is None:
            return None
        samples = [s for s in track.samples if cycle.start_ms <= s.t_ms <= cycle.end_ms]
        if samples and float(np.mean([s.confidence for s in samples])) < self.config.rep_min_score:
            return None  # not seen well enough to say anything about it
        partial = partial_rep(self.spec, samples, cycle, track.side, _mode([s.view for s in samples]))
        self._partials.append(partial)
        self._last_rep_cues = (cycle.end_ms, tuple(c.text for c in partial.cues))
        return partial

    def _complete(self, track: _Track, cycle: Cycle | Pass) -> Rep | None:
        start_ms, turn_ms, end_ms = (
            (cycle.start_ms, cycle.bottom_ms, cycle.end_ms)
            if isinstance(cycle, Cycle)
            else (cycle.start_ms, cycle.middle_ms, cycle.end_ms)
        )
        samples = list(track.samples)
        rep_s = [s for s in samples if start_ms <= s.t_ms <= end_ms]
        start_s = [s for s in samples if s.t_ms < start_ms and s.phase is Phase.EXTENDED]
        track.samples.clear()
        if rep_s and float(np.mean([s.confidence for s in rep_s])) < self.config.rep_min_score:
            self.stats.unsure += 1  # the limb was guessed more than seen: not a rep to trust
            return None
        view = _mode([s.view for s in rep_s])
        cues = self._cues(rep_s, start_s, view, turn_ms) + self._baseline.judge(rep_s, start_s, track.side, turn_ms)
        rep_angles = [s.angle for s in rep_s if not math.isnan(s.angle)]
        all_angles = rep_angles + [s.angle for s in start_s if not math.isnan(s.angle)]
        lo = min(rep_angles) if rep_angles else 0.0
        hi = max(all_angles) if all_angles else 0.0
        first, second = round(turn_ms - start_ms), round(end_ms - turn_ms)
        # The first half is flexion for reps that start extended, extension for the others.
        first_is_flexion = self.spec.start == "extended"
        ecc, conc = (first, second) if first_is_flexion == self.spec.flexion_is_eccentric else (second, first)
        side = Counter(s.side for s in rep_s).most_common(1)[0][0] if rep_s else track.side
        rep = Rep(
            index=len(self._reps) + 1,
            start_ms=round(start_ms),
            bottom_ms=round(turn_ms),
            end_ms=round(end_ms),
            min_angle=round(lo, 1 if abs(hi) > 10 else 3),
            max_angle=round(hi, 1 if abs(hi) > 10 else 3),
            rom_deg=round(max(0.0, hi - lo), 1 if abs(hi) > 10 else 3),
            eccentric_ms=ecc,
            concentric_ms=conc,
            verdict="needs_work" if cues else "good",
            cues=cues,
            side=side,
        )
        track.count += 1
        self._last_rep_cues = (end_ms, tuple(c.text for c in cues))
        if self._merge(rep):
            return None
        self._reps.append(rep)
        return rep

    def _merge(self, rep: Rep) -> bool:
        """Both arms curling together are one rep: fold ``rep`` into an overlapping one."""
        if self.spec.sides != "both":
            return False
        for i in range(len(self._reps) - 1, -1, -1):
            other = self._reps[i]
            if other.side == rep.side or other.end_ms < rep.start_ms:
                continue
            overlap = min(other.end_ms, rep.end_ms) - max(other.start_ms, rep.start_ms)
            shorter = max(1, min(other.duration_ms, rep.duration_ms))
            if overlap / shorter >= self.config.merge_overlap:
                # One cue per rule: the first arm's (the two arms were judged alike).
                by_id: dict[str, Cue] = {}
                for cue in other.cues + rep.cues:
                    by_id.setdefault(cue.id, cue)
                cues = tuple(by_id.values())
                self._reps[i] = Rep(
                    **{
                        **other.to_dict(),
                        "side": "both",
                        "cues": cues,
                        "verdict": "needs_work" if cues else "good",
                        "min_angle": min(other.min_angle, rep.min_angle),
                        "max_angle": max(other.max_angle, rep.max_angle),
                        "rom_deg": max(other.rom_deg, rep.rom_deg),
                    }
                )
                return True
        return False

    def _cues(self, rep_s: list[Sample], start_s: list[Sample], view: View | None, turn_ms: float) -> tuple[Cue, ...]:
        for note in self._view_notes(view):
            self.stats.quiet[note] = None
        return rep_cues(self.spec, rep_s, start_s, view, turn_ms)

    # -- holds ------------------------------------------------------------------------------
    def _best_side(self, ctx: FrameContext, readings: dict[Side, Reading]) -> Side:
        track = self._tracks[0]
        if readings[track.side].visibility + self.config.side_margin < readings[self._other(track.side)].visibility:
            track.side = self._other(track.side)
            self._steadiness.reset()  # the two sides read a little differently: compare like with like
        return track.side

    @staticmethod
    def _other(side: Side) -> Side:
        return "right" if side == "left" else "left"

    def _step_hold(self, ctx: FrameContext) -> FrameResult:
        assert self._hold is not None
        readings = {s: sig.read(ctx, False) for s, sig in self._signals.items()}
        side = self._best_side(ctx, readings)
        self._tracks[0].last = readings[side]
        angle = readings[side].angle
        wander = self._steadiness.update(ctx.t_ms, angle if angle is not None else math.nan)
        steady = None if angle is None else wander <= self.config.hold_steady_deg
        state, reason, reason_id = hold_state(self.spec, ctx, side, steady)
        if state == "out" and reason_id == "position":
            self.stats.unmet[reason] += 1
        self._hold.step(ctx.t_ms, state, reason, reason_id)
        if self._hold.holding:
            self.stats.in_position += 1
            self.stats.counted += 1
        notes: tuple[str, ...] = ()
        cues: tuple[str, ...] = ()
        if state == "out" and reason_id in {r.id for r in self.spec.rules}:
            cues = (reason,)
        elif state == "out":
            notes = self._trouble_notes(ctx.t_ms, [reason])
        else:
            self._trouble_since = None
        return self._result(ctx, notes, None, cues=cues)

    # -- sequences --------------------------------------------------------------------------
    def _step_sequence(self, ctx: FrameContext) -> FrameResult:
        assert self._sequence is not None
        readings = {s: sig.read(ctx, False) for s, sig in self._signals.items()}
        side = self._best_side(ctx, readings)
        track = self._tracks[0]
        track.last = readings[side]
        self.stats.in_position += 1
        done = self._sequence.step(ctx.t_ms, position_matches(self.spec, ctx, side))
        if self._sequence.reached >= 0:
            self.stats.counted += 1
        track.machine.phase = Phase.EXTENDED if self._sequence.reached <= 0 else Phase.FLEXING
        self._sample(track, ctx, track.last)
        rep = self._complete(track, done) if done is not None else None
        return self._result(ctx, (), rep)

    # -- results ----------------------------------------------------------------------------
    def _no_person(self, ctx: FrameContext) -> FrameResult:
        for track in self._tracks:
            track.machine.step(ctx.t_ms, None)
        if self._hold is not None:
            self._hold.step(ctx.t_ms, "out", "No one in view", "away")
        if self._sequence is not None:
            self._sequence.step(ctx.t_ms, None)
        if self._absent_since is None:
            self._absent_since = ctx.t_ms
        late = ctx.t_ms - self._absent_since >= self.config.note_after_ms
        notes = ("No one in view",) if late else ()
        return self._result(ctx, notes, None)

    def _live_cues(self, t_ms: float, view: View | None) -> tuple[str, ...]:
        live: list[str] = []
        for track in self._tracks:
            if track.machine.phase not in ACTIVE_PHASES or not track.samples:
                continue
            last = track.samples[-1]
            for i, rule in enumerate(self.spec.rules):
                if (view is None or view in rule.views) and rule.violated_now(last.values[i], last.phase):
                    live.append(rule.cue)
        end, cues = self._last_rep_cues
        if t_ms - end <= self.config.cue_hold_ms:
            live.extend(cues)
        return tuple(dict.fromkeys(live))

    def _trouble_notes(self, t_ms: float, trouble: list[str]) -> tuple[str, ...]:
        # One bad frame is noise; say something only when the trouble lasts.
        if not trouble or len(trouble) < len(self._tracks):
            self._trouble_since = None
            return ()
        if self._trouble_since is None:
            self._trouble_since = t_ms
        if t_ms - self._trouble_since < self.config.note_after_ms:
            return ()
        return tuple(dict.fromkeys(trouble))

    def _view_notes(self, view: View | None) -> tuple[str, ...]:
        """Why cues are quiet, but only when most of them are: a side-on squat that cannot show
        knee tracking still gets its depth and chest cues, and nagging would help nobody."""
        if view is None:
            return ()
        quiet = [r for r in self.spec.rules if view not in r.views]
        if 2 * len(quiet) < len(self.spec.rules):
            return ()
        return tuple(dict.fromkeys(r.quiet_note for r in quiet if r.quiet_note))

    def _display_track(self) -> _Track:
        active = [t for t in self._tracks if t.machine.phase in ACTIVE_PHASES]
        pool = active or self._tracks
        return min(pool, key=lambda t: (t.last.e is None, t.last.e if t.last.e is not None else 0.0))

    def _result(
        self,
        ctx: FrameContext,
        notes: tuple[str, ...],
        rep: Rep | None,
        *,
        cues: tuple[str, ...] | None = None,
        seen: bool = True,
        partial: PartialRep | None = None,
    ) -> FrameResult:
        track = self._display_track()
        seen = seen and ctx.pose is not None
        reading = track.last if seen else Reading()
        if cues is None:
            cues = self._live_cues(ctx.t_ms, ctx.view) if seen else ()
        hold = self._hold
        phase = track.machine.phase
        if hold is not None:
            phase = Phase.EXTENDED if hold.holding else Phase.SETUP
        position = None
        if self._sequence is not None and self._sequence.reached >= 0:
            position = self.spec.positions[self._sequence.reached].name
        return FrameResult(
            t_ms=round(ctx.t_ms),
            angle=reading.angle,
            extension=reading.e,
            phase=phase,
            reps=self.count,
            per_side=self.per_side(),
            side=track.side if seen else None,
            view=ctx.view,
            signal=reading.signal,
            cues=cues,
            notes=notes + self._view_notes(ctx.view),
            rep=rep,
            kind=self.spec.kind,
            hold_ms=None if hold is None else round(hold.held_ms),
            holding=hold is not None and hold.holding,
            position=position,
            partial=partial,
        )
