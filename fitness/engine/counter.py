"""The one generic rep counter: a hysteresis state machine over a smoothed, normalised signal.

Every exercise is counted the same way. The spec's signal (a joint angle, or a height ratio when
the camera view flattens the angle) is smoothed with a One-Euro filter and normalised to an
*extension* ``e``: 1 at the spec's extended threshold, 0 at its flexed threshold. A rep is
``e >= 1 -> e <= 0 -> e >= 1``, no faster than the spec's minimum duration. Everything that
makes real footage hard is handled before the machine sees a value:

- keypoints scoring under ``min_score``, a body lying the wrong way (not in a plank for push-ups)
  or a failed spec requirement hold the state (``None``) and raise a note;
- holes longer than ``max_gap_ms`` (a person walking out, a title card) abandon the rep in
  progress, and a scene cut (all keypoints jumping at once) starts afresh;
- the better-seen body side is followed (``sides="auto"``), or each side is counted on its own
  and simultaneous reps are merged (``sides="both"``: two-arm and alternating curls).

A rep starts when the signal leaves the extended zone and ends (and is counted) when it
re-enters it; its bottom is the most flexed frame between. Eccentric and concentric durations
are measured between those three moments.

A stream that starts mid-movement (the first trusted value is between the thresholds) is taken
to have started from the extended position, because a person who presses record and starts at
once is mid-descent, not mid-ascent, far more often; a stream that starts flexed must first
reach the extended position before anything counts.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from fitness.engine.spec import SIDES, ExerciseSpec, FormRule, HeightSignal, Phase, Side, View
from fitness.engine.values import Rep
from fitness.engine.view import BodyView, ViewTracker, classify
from fitness.pose.smoothing import OneEuroConfig, OneEuroFilter
from fitness.pose.types import Pose

ACTIVE_PHASES: Final = frozenset({Phase.FLEXING, Phase.FLEXED, Phase.EXTENDING})
CUT_STEP_MS: Final = 50.0  # the frame interval cut_jump is stated for; slower streams scale it
# A turn-back counts as a partial rep only if it went at least this far (a real attempt, not a sway).
PARTIAL_DEPTH: Final = 0.5
# Visibility is a moving average of the counted joints' scores: ~5 frames to follow a change.
VISIBILITY_RATE: Final = 0.2
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
    # A scene cut: the median keypoint jump per CUT_STEP_MS (50 ms, a 20 fps frame interval), as a
    # share of the body's extent. Real motion of one frame interval moves a few joints, not all.
    cut_jump: float = 0.2
    smoothing_min_cutoff: float = 1.5  # Hz
    smoothing_beta: float = 0.5  # per unit of normalised extension per second
    side_margin: float = 0.1  # how much better-seen the other side must be to switch to it
    merge_overlap: float = 0.5  # two sides' reps overlapping this much are one rep
    ref_decay_per_s: float = 0.03  # how fast a height signal's reference length forgets
    cue_hold_ms: int = 3000  # how long a finished rep's cues stay on screen

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


def keypoint_jump(prev: Pose, pose: Pose, min_score: float) -> float:
    """Median keypoint displacement between two poses, as a share of the body's extent.

    A scene cut moves every keypoint at once; real motion moves a few (plain Python: for 17
    points it is several times faster than the numpy equivalent).
    """
    a, b = prev.keypoints.tolist(), pose.keypoints.tolist()
    pts = [(p, q) for p, q in zip(a, b, strict=True) if p[2] >= min_score and q[2] >= min_score]
    if len(pts) < 4:
        return 0.0
    xs = [q[0] for _, q in pts]
    ys = [q[1] for _, q in pts]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    moves = sorted(math.hypot(p[0] - q[0], p[1] - q[1]) for p, q in pts)
    mid = len(moves) // 2
    median = moves[mid] if len(moves) % 2 else (moves[mid - 1] + moves[mid]) / 2.0
    # Real motion scales with the frame interval (the caller divides by it); a cut does not.
    return float(median / extent)


@dataclass(frozen=True, slots=True)
class Cycle:
    """One completed extended -> flexed -> extended cycle, as the machine saw it."""

    start_ms: float
    bottom_ms: float
    end_ms: float


class PhaseMachine:
    """Hysteresis over a normalised extension ``e`` (1 = extended, 0 = flexed); pure logic.

    ``step(t, None)`` means "no trustworthy value": the phase holds, and after ``max_gap_ms``
    without one the rep in progress is abandoned.
    """

    def __init__(self, min_rep_ms: float, max_gap_ms: float) -> None:
        if min_rep_ms < 0 or max_gap_ms <= 0:
            raise ValueError(f"need min_rep_ms >= 0 and max_gap_ms > 0, got {min_rep_ms}, {max_gap_ms}")
        self.min_rep_ms = min_rep_ms
        self.max_gap_ms = max_gap_ms
        self.partial = 0  # went more than halfway down, then turned back before the flexed threshold
        self.too_fast = 0  # full cycles quicker than the minimum rep duration
        self.reset()

    def reset(self) -> None:
        """Forget the rep in progress: a new stream segment (scene cut, long gap)."""
        self.phase = Phase.SETUP
        self._fresh = True
        self._last_t: float | None = None
        self._top_t = 0.0
        self._start = 0.0
        self._bottom = (math.inf, 0.0)

    def _begin(self, start: float, t: float, e: float) -> None:
        self.phase = Phase.FLEXING
        self._start = start
        self._bottom = (e, t)

    def step(self, t_ms: float, e: float | None, confident: bool = True) -> Cycle | None:
        """Advance with extension ``e`` (``None``: nothing trustworthy on this frame).

        ``confident`` says the joints are clearly seen; only then may a fresh stream that
        starts between the thresholds be taken to have started from the extended position.
        """
        if e is None or math.isnan(e):
            if self._last_t is not None and t_ms - self._last_t > self.max_gap_ms:
                self.reset()
            return None
        self._last_t = t_ms
        fresh, self._fresh = self._fresh, False
        if self.phase is Phase.SETUP:
            if e >= 1.0:
                self.phase, self._top_t = Phase.EXTENDED, t_ms
            elif fresh and confident and e > 0.0:
                self._begin(t_ms, t_ms, e)  # joined mid-descent
            return None
        if self.phase is Phase.EXTENDED:
            if e >= 1.0:
                self._top_t = t_ms
                return None
            self._begin(self._top_t, t_ms, e)
        if e < self._bottom[0]:
            self._bottom = (e, t_ms)
        # One sample may cross several zones (low frame rates, fast moves): fall through.
        if self.phase is Phase.FLEXING:
            if e >= 1.0:
                # Back up without reaching the turning point; only a real attempt is worth a note.
                self.partial += self._bottom[0] < PARTIAL_DEPTH
                self.phase, self._top_t = Phase.EXTENDED, t_ms
                return None
            if e > 0.0:
                return None
            self.phase = Phase.FLEXED
        if self.phase is Phase.FLEXED:
            if e <= 0.0:
                return None
            self.phase = Phase.EXTENDING
        if e <= 0.0:  # EXTENDING, back down again: a bounce at the bottom
            self.phase = Phase.FLEXED
        elif e >= 1.0:
            self.phase, self._top_t = Phase.EXTENDED, t_ms
            if t_ms - self._start >= self.min_rep_ms:
                return Cycle(self._start, self._bottom[1], t_ms)
            self.too_fast += 1
        return None


@dataclass(frozen=True)
class FrameResult:
    """What the counter concluded from one frame; ``rep`` is set on the frame a rep completes."""

    t_ms: int
    angle: float | None  # the counted joint angle (degrees, smoothed) of the side followed
    extension: float | None  # normalised signal: 1 = extended threshold, 0 = flexed threshold
    phase: Phase
    reps: int
    per_side: dict[str, int]
    side: str | None
    view: View | None
    signal: str  # "angle" or "height": which signal is being counted
    cues: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rep: Rep | None = None

    @property
    def note(self) -> str | None:
        return self.notes[0] if self.notes else None

    def to_dict(self) -> dict[str, object]:
        return {
            "t_ms": self.t_ms,
            "angle": None if self.angle is None else round(self.angle, 1),
            "extension": None if self.extension is None else round(self.extension, 3),
            "phase": self.phase.value,
            "reps": self.reps,
            "side": self.side,
            "view": self.view,
            "signal": self.signal,
            "cues": list(self.cues),
            "notes": list(self.notes),
        }


@dataclass(slots=True)
class _Sample:
    t_ms: float
    phase: Phase
    angle: float
    confidence: float  # lowest score of the counted joints on this frame
    view: View | None
    side: Side
    values: tuple[float, ...]


@dataclass(slots=True)
class _Reading:
    """One side's signal on one frame."""

    e: float | None = None
    angle: float | None = None
    signal: str = "angle"
    missing: tuple[str, ...] = ()
    unmet: str | None = None
    visibility: float = 0.0
    confidence: float = 0.0


class _SideSignal:
    """Filters, reference length and visibility of one body side's count signals."""

    def __init__(self, spec: ExerciseSpec, side: Side, cfg: CounterConfig) -> None:
        self.spec, self.side, self.cfg = spec, side, cfg
        self._angle_span = spec.extended_deg - spec.flexed_deg
        self._angle_filter = self._filter(self._angle_span)
        fb = spec.fallback
        self._height_filter = self._filter(fb.extended - fb.flexed) if fb is not None else None
        self._ref_len = 0.0
        self._ref_t = 0.0
        self.visibility = 0.0

    def _filter(self, span: float) -> OneEuroFilter:
        return OneEuroFilter(
            OneEuroConfig(
                min_cutoff=self.cfg.smoothing_min_cutoff,
                beta=self.cfg.smoothing_beta / span,
                derivate_cutoff=1.0,
            )
        )

    def reset(self) -> None:
        self._angle_filter.reset()
        if self._height_filter is not None:
            self._height_filter.reset()
        self._ref_len = 0.0
        self.visibility = 0.0

    def _missing(self, pose: Pose, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(n for n in names if pose.score_of(n) < self.cfg.min_score)

    def _height(self, pose: Pose, fb: HeightSignal, t_s: float) -> float | None:
        length = fb.length(pose, self.side)
        # Foreshortening only ever shortens a limb: the longest length seen lately is the true one.
        decay = math.exp(-self.cfg.ref_decay_per_s * max(0.0, t_s - self._ref_t))
        self._ref_len = max(length, self._ref_len * decay)
        self._ref_t = t_s
        if self._ref_len <= 1e-6 or self._height_filter is None:
            return None
        return float(self._height_filter(fb.gap(pose, self.side) / self._ref_len, t_s))

    def read(self, pose: Pose, t_ms: float, use_fallback: bool) -> _Reading:
        spec, t_s = self.spec, t_ms / 1000.0
        primary_names = spec.primary.names(self.side)
        scores = [pose.score_of(n) for n in primary_names]
        self.visibility += VISIBILITY_RATE * (float(np.mean(scores)) - self.visibility)
        reading = _Reading(visibility=self.visibility, confidence=min(scores))
        missing = self._missing(pose, primary_names)
        if not missing:
            raw = spec.primary.value(pose, self.side)
            if not math.isnan(raw):
                reading.angle = float(self._angle_filter(raw, t_s))
        fb = spec.fallback
        if use_fallback and fb is not None and not self._missing(pose, fb.names(self.side)):
            height = self._height(pose, fb, t_s)
            if height is not None:
                reading.e = (height - fb.flexed) / (fb.extended - fb.flexed)
                reading.signal = "height"
        elif reading.angle is not None:
            reading.e = (reading.angle - spec.flexed_deg) / self._angle_span
        elif missing:
            reading.missing = missing
        for req in spec.requirements:
            if self._missing(pose, req.measure.names(self.side)):
                continue
            if not req.holds(req.measure.value(pose, self.side)):
                reading.unmet, reading.e = req.message, None
                break
        return reading


class _Track:
    """A phase machine with the samples of the cycle in progress (one per counted side)."""

    def __init__(self, spec: ExerciseSpec, cfg: CounterConfig, side: Side | None) -> None:
        self.fixed_side = side
        self.side: Side = side or "left"
        self.machine = PhaseMachine(spec.min_rep_s * 1000.0, cfg.max_gap_ms)
        self.samples: deque[_Sample] = deque(maxlen=MAX_REP_SAMPLES)
        self.count = 0
        self.last: _Reading = _Reading()

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
    missing: Counter[str] = field(default_factory=Counter)
    unmet: Counter[str] = field(default_factory=Counter)
    views: Counter[str] = field(default_factory=Counter)
    quiet: dict[str, None] = field(default_factory=dict)


def _mode(values: list[View | None]) -> View | None:
    seen = Counter(v for v in values if v is not None)
    return seen.most_common(1)[0][0] if seen else None


def _human(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(n.replace("_", " ") for n in names)


class RepCounter:
    """Counts reps of one exercise from a stream of poses (one counter per stream)."""

    def __init__(self, spec: ExerciseSpec, config: CounterConfig | None = None) -> None:
        self.spec = spec
        self.config = config or CounterConfig()
        self._signals = {s: _SideSignal(spec, s, self.config) for s in SIDES}
        sides: tuple[Side | None, ...] = SIDES if spec.sides == "both" else (None,)
        self._tracks = [_Track(spec, self.config, s) for s in sides]
        self._views = ViewTracker()
        self._reps: list[Rep] = []
        self._last_t: float | None = None
        self._prev_pose: tuple[float, Pose] | None = None
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
        """Attempts that went more than halfway and turned back (not counted)."""
        return sum(t.machine.partial for t in self._tracks)

    def per_side(self) -> dict[str, int]:
        if self.spec.sides == "both":
            return {t.side: t.count for t in self._tracks}
        return dict(Counter(r.side for r in self._reps))

    def reset(self) -> None:
        """Start a new segment (keeps the reps counted so far)."""
        for t in self._tracks:
            t.reset()
        for s in self._signals.values():
            s.reset()
        self._views.reset()
        self._prev_pose = None

    def update(self, pose: Pose | None, t_ms: float) -> FrameResult:
        if self._last_t is not None and t_ms <= self._last_t:
            raise ValueError(f"timestamps must increase: got {t_ms} ms after {self._last_t} ms")
        self._last_t = t_ms
        self.stats.frames += 1
        if pose is None:
            return self._no_person(t_ms)
        self._absent_since = None
        self.stats.with_person += 1
        if self._is_cut(pose, t_ms):
            self.stats.cuts += 1
            self.reset()
        self._prev_pose = (t_ms, pose)
        body: BodyView = classify(pose, self.config.min_score)
        orientation, view = self._views.update(int(t_ms), body)
        if view is not None:
            self.stats.views[view] += 1
        if orientation is not None and orientation != self.spec.orientation:
            for track in self._tracks:
                track.machine.step(t_ms, None)
            return self._result(t_ms, view, (self.spec.setup_message,), None)
        self.stats.in_position += 1
        use_fallback = view is not None and view not in self.spec.primary_views
        readings = {s: sig.read(pose, t_ms, use_fallback) for s, sig in self._signals.items()}
        completed: Rep | None = None
        trouble: list[str] = []
        for track in self._tracks:
            rep, problem = self._step_track(track, pose, t_ms, view, readings)
            completed = completed or rep
            if problem:
                trouble.append(problem)
        return self._result(t_ms, view, self._trouble_notes(t_ms, trouble), completed, pose)

    # -- internals ------------------------------------------------------------------------
    def _no_person(self, t_ms: float) -> FrameResult:
        for track in self._tracks:
            track.machine.step(t_ms, None)
        self._prev_pose = None
        if self._absent_since is None:
            self._absent_since = t_ms
        late = t_ms - self._absent_since >= self.config.note_after_ms
        notes = ("No one in view",) if late else ()
        return self._result(t_ms, self._views.view, notes, None)

    def _is_cut(self, pose: Pose, t_ms: float) -> bool:
        if self._prev_pose is None:
            return False
        t0, prev = self._prev_pose
        steps = max(1.0, (t_ms - t0) / CUT_STEP_MS)
        return keypoint_jump(prev, pose, self.config.min_score) / steps > self.config.cut_jump

    def _choose_side(self, track: _Track, readings: dict[Side, _Reading]) -> Side:
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

    def _step_track(
        self, track: _Track, pose: Pose, t_ms: float, view: View | None, readings: dict[Side, _Reading]
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
        cycle = track.machine.step(t_ms, reading.e, reading.confidence >= self.config.arm_score)
        values = tuple(self._rule_value(r, pose, track.side) for r in self.spec.rules)
        angle = reading.angle if reading.angle is not None else math.nan
        track.samples.append(_Sample(t_ms, track.machine.phase, angle, reading.confidence, view, track.side, values))
        rep = self._complete(track, cycle) if cycle is not None else None
        return rep, problem

    def _rule_value(self, rule: FormRule, pose: Pose, side: Side) -> float:
        names = rule.measure.names(side)
        if any(pose.score_of(n) < self.config.min_score for n in names):
            return math.nan
        return rule.measure.value(pose, side)

    def _complete(self, track: _Track, cycle: Cycle) -> Rep | None:
        samples = list(track.samples)
        rep_s = [s for s in samples if cycle.start_ms <= s.t_ms <= cycle.end_ms]
        start_s = [s for s in samples if s.t_ms < cycle.start_ms and s.phase is Phase.EXTENDED]
        track.samples.clear()
        if rep_s and float(np.mean([s.confidence for s in rep_s])) < self.config.rep_min_score:
            self.stats.unsure += 1  # the limb was guessed more than seen: not a rep to trust
            return None
        view = _mode([s.view for s in rep_s])
        cues = self._cues(rep_s, start_s, view)
        rep_angles = [s.angle for s in rep_s if not math.isnan(s.angle)]
        all_angles = rep_angles + [s.angle for s in start_s if not math.isnan(s.angle)]
        lo = min(rep_angles) if rep_angles else 0.0
        hi = max(all_angles) if all_angles else 0.0
        down = round(cycle.bottom_ms - cycle.start_ms)
        up = round(cycle.end_ms - cycle.bottom_ms)
        ecc, conc = (down, up) if self.spec.flexion_is_eccentric else (up, down)
        side = Counter(s.side for s in rep_s).most_common(1)[0][0] if rep_s else track.side
        rep = Rep(
            index=len(self._reps) + 1,
            start_ms=round(cycle.start_ms),
            bottom_ms=round(cycle.bottom_ms),
            end_ms=round(cycle.end_ms),
            min_angle=round(lo, 1),
            max_angle=round(hi, 1),
            rom_deg=round(max(0.0, hi - lo), 1),
            eccentric_ms=ecc,
            concentric_ms=conc,
            verdict="needs_work" if cues else "good",
            cues=cues,
            side=side,
        )
        track.count += 1
        self._last_rep_cues = (cycle.end_ms, cues)
        merged = self._merge(rep)
        if merged:
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
                cues = tuple(dict.fromkeys(other.cues + rep.cues))
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

    def _cues(self, rep_s: list[_Sample], start_s: list[_Sample], view: View | None) -> tuple[str, ...]:
        cues: list[str] = []
        for note in self._view_notes(view):
            self.stats.quiet[note] = None
        for i, rule in enumerate(self.spec.rules):
            if view is not None and view not in rule.views:
                continue
            window = rep_s if rule.window == "rep" else start_s
            if rule.violated([s.values[i] for s in window]) and rule.cue not in cues:
                cues.append(rule.cue)
        return tuple(cues)

    def _live_cues(self, t_ms: float, view: View | None) -> tuple[str, ...]:
        live: list[str] = []
        for track in self._tracks:
            if track.machine.phase not in ACTIVE_PHASES or not track.samples:
                continue
            last = track.samples[-1]
            for i, rule in enumerate(self.spec.rules):
                if (view is None or view in rule.views) and rule.violated_now(last.values[i]):
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
        t_ms: float,
        view: View | None,
        notes: tuple[str, ...],
        rep: Rep | None,
        pose: Pose | None = None,
    ) -> FrameResult:
        track = self._display_track()
        reading = track.last if pose is not None else _Reading()
        cues = self._live_cues(t_ms, view) if pose is not None else ()
        return FrameResult(
            t_ms=round(t_ms),
            angle=reading.angle,
            extension=reading.e,
            phase=track.machine.phase,
            reps=self.count,
            per_side=self.per_side(),
            side=track.side if pose is not None else None,
            view=view,
            signal=reading.signal,
            cues=cues,
            notes=notes + self._view_notes(view),
            rep=rep,
        )
