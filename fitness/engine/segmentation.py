"""A workout's sets: where each starts and ends, and which exercise it is.

A set starts with its first movement and ends after a rest, or when another exercise starts.
:class:`Segmenter` finds them frame by frame, so a live page and a video analysis share it:
each frame it is told the movements that completed on that frame and whether the person is
out of the set's position (or out of view), and it returns the sets that closed.

A *movement* is a stretch some exercise explains: a cycle one of the recogniser's spec
signatures saw (:class:`fitness.engine.recognition.Evidence`, ``kind="evidence"``) or a rep a
full counter counted (``kind="rep"``). Evidence decides which exercise a set is (the same
overlap rule as recognition: where two specs explain the same stretch, the one that pins the
movement down more wins); counted reps only keep a set alive, since a counter may count a rep
its cheaper signature turned down.

Three things end a set (each threshold explained in :class:`SegmentConfig`):

- **rest**: no movement of the set's exercise for ``rest_s`` (a rep in progress is movement: a
  slow squat that takes 7 s is reported when it ends, and is no rest);
- **away**: out of the set's position (a push-up's body no longer horizontal: kneeling,
  standing up) or nobody in view, for ``away_s`` after its last movement. Walking off,
  drinking, a title card or a talking head between sets end the set this way long before
  ``rest_s``;
- **switch**: ``switch_moves`` movements in a row of another exercise, none of the set's own
  among them: that exercise has started, and its movements open the next set. The set's own
  exercise is the one its movements showed before that run, even when the newcomer's first
  cycles already outweigh a short set over the whole stretch. A movement of the set's own
  exercise within the run that the newcomer's cycles explain better (:func:`overruled`: a
  curl "rep" of arms swinging through a walk into lunges, a squat "rep" of the hops of the
  jumping jacks that follow) does not keep the set open: the body does one thing at a time.

A segment's exercise is decided over its own movements only, never over a sliding window of
the stream: the third set of a workout is recognised from the third set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from fitness.engine.recognition import Evidence, covered, decide, explained, take
from fitness.engine.spec import ExerciseSpec, Orientation

MoveKind = Literal["evidence", "rep"]
CloseReason = Literal["rest", "away", "switch", "end"]
# A movement more than this share of which another exercise's cycles explain better is theirs.
OVERRULED: Final = 0.5


@dataclass(frozen=True, slots=True)
class Movement:
    """A stretch of the stream that exercise ``exercise`` explains (ms from the stream start)."""

    exercise: str
    start_ms: float
    end_ms: float
    kind: MoveKind = "evidence"
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.end_ms < self.start_ms:
            raise ValueError(f"a movement ends before it starts: {self.start_ms} > {self.end_ms}")


@dataclass(frozen=True, slots=True)
class SegmentConfig:
    """When a set ends, and what counts as a set.

    - ``rest_s``: a pause within a set is a breath or two in the start position (1-4 s; the
      labelled two-set push-up clip pauses 3 s at the top mid-set), while rest between sets is
      30 s or more in any programme (NSCA: 30 s for muscular endurance up to 2-5 min for
      strength). 8 s sits well between the two, and the person who stands still that long has
      stopped the set.
    - ``away_s``: out of position or out of view this long: long enough that a keypoint glitch
      or a vote of the body's orientation flickering does not split a set (the counter forgets
      a rep in progress after the same 2 s gap), short enough that kneeling up between push-up
      sets is a rest at once.
    - ``switch_moves``: one or two cycles of another exercise are a transition (getting down to
      the floor passes through a squat); three in a row, with none of the set's own, are a new
      exercise.
    - ``min_reps`` / ``min_hold_s``: less than this between rests is not a set: a single dip
      while talking, a moment still in a plank-like position. Two reps are the least any
      programme prescribes; a hold shorter than 5 s is a pause, not a plank or a wall sit.
    """

    rest_s: float = 8.0
    away_s: float = 2.0
    switch_moves: int = 3
    min_reps: int = 2
    min_hold_s: float = 5.0

    def __post_init__(self) -> None:
        if self.rest_s <= 0 or self.away_s <= 0:
            raise ValueError(f"rest_s and away_s must be positive, got {self.rest_s}, {self.away_s}")
        if self.switch_moves < 1 or self.min_reps < 1 or self.min_hold_s < 0:
            raise ValueError(
                "switch_moves and min_reps must be at least 1 and min_hold_s at least 0, got "
                f"{self.switch_moves}, {self.min_reps}, {self.min_hold_s}"
            )


@dataclass(frozen=True, slots=True)
class Segment:
    """A closed stretch of one exercise: from its first movement to its last, and why it ended.
    ``scores``: seconds of evidence per exercise within it (what decided ``exercise``)."""

    exercise: str
    start_ms: float
    end_ms: float
    closed_by: CloseReason
    scores: Mapping[str, float] = field(default_factory=dict)
    # From the first to the last movement of any exercise in it: where a runner-up's reps lie.
    extent: tuple[float, float] = (0.0, 0.0)

    def ranked(self) -> list[str]:
        """The exercises its evidence speaks for, most first (``exercise`` among them)."""
        others = sorted(
            (k for k, v in self.scores.items() if v > 0 and k != self.exercise), key=lambda k: -self.scores[k]
        )
        return [self.exercise, *others]


def out_of_position(spec: ExerciseSpec, seen: bool, orientation: Orientation | None) -> bool:
    """Whether a frame is away from a set of ``spec``: nobody seen, or the body clearly lying
    or standing the wrong way for it (an unknown orientation is not held against it)."""
    if not seen:
        return True
    return spec.orientation is not None and orientation is not None and orientation != spec.orientation


def _scores(moves: Sequence[Movement]) -> dict[str, float]:
    evidence: dict[str, list[Evidence]] = {}
    for m in moves:
        if m.kind == "evidence":
            evidence.setdefault(m.exercise, []).append(Evidence(m.start_ms, m.end_ms, m.weight))
    return explained(evidence)


def _evidence(moves: Sequence[Movement], exercise: str) -> int:
    """How many of ``moves`` are ``exercise``'s evidence (cycles its signature saw)."""
    return sum(m.exercise == exercise and m.kind == "evidence" for m in moves)


def _spans(moves: Sequence[Movement]) -> int:
    """How many separate stretches ``moves`` cover (a cycle its signature saw and the rep its
    counter counted over the same stretch are one)."""
    merged: list[tuple[float, float]] = []
    for m in moves:
        merged = take((m.start_ms, m.end_ms), merged)
    return len(merged)


def overruled(move: Movement, moves: Sequence[Movement], by: str | None = None) -> bool:
    """Whether cycles of another exercise (``by``, or any) among ``moves`` explain more than
    half of ``move``'s stretch better than it does. Recognition's overlap rule: the heavier
    description wins; a counted rep yields to any cycle a signature saw (a counter may count
    what its signature turned down, but a stretch another spec's description fits is that
    spec's)."""
    if move.end_ms <= move.start_ms:
        return False
    taken: list[tuple[float, float]] = []
    for m in moves:
        if m.kind != "evidence" or m.exercise == move.exercise or (by is not None and m.exercise != by):
            continue
        if m.weight > move.weight or move.kind == "rep":
            taken = take((m.start_ms, m.end_ms), taken)
    return covered(move.start_ms, move.end_ms, taken) > OVERRULED * (move.end_ms - move.start_ms)


def exercise_of(moves: Sequence[Movement]) -> str | None:
    """The exercise these movements show (recognition's rule), or ``None`` when too little."""
    return decide(_scores(moves)).exercise


class Segmenter:
    """Sets found as the stream goes (see the module's docstring). Feed every frame to
    :meth:`update`; :meth:`finish` at the end of the stream closes the set in progress."""

    def __init__(self, config: SegmentConfig | None = None) -> None:
        self.config = config or SegmentConfig()
        self.segments: list[Segment] = []
        self._moves: list[Movement] = []  # the open segment's movements, in the order they came
        self._away_since: float | None = None
        self._closed_until = -math.inf  # nothing before this belongs to an open segment any more
        self._busy_at = -math.inf  # the last frame the set's exercise had a rep in progress
        self._known: tuple[int, str | None] = (0, None)  # (movements seen, their exercise): asked every frame

    @property
    def exercise(self) -> str | None:
        """The exercise of the set in progress (``None``: no set, or not known yet)."""
        if self._known[0] != len(self._moves):
            self._known = (len(self._moves), exercise_of(self._moves))
        return self._known[1]

    def candidates(self) -> list[str]:
        """The exercises the set in progress may be, most evidence first."""
        scores = _scores(self._moves)
        return sorted((k for k, v in scores.items() if v > 0), key=lambda k: -scores[k])

    @property
    def started_ms(self) -> float | None:
        """When the set in progress began (its exercise's first movement)."""
        key = self.exercise
        own = [m.start_ms for m in self._moves if m.exercise == key]
        return min(own) if own else None

    def update(
        self, t_ms: float, moves: Sequence[Movement] = (), away: bool = False, busy: bool = False
    ) -> list[Segment]:
        """One frame at ``t_ms``: ``moves`` completed on it; ``away``: out of the current set's
        position or out of view (:func:`out_of_position`); ``busy``: the current set's exercise
        has a rep in progress. Returns the segments it closed."""
        closed: list[Segment] = []
        if busy:
            self._busy_at = t_ms
        for move in sorted(moves, key=lambda m: m.end_ms):
            if move.end_ms <= self._closed_until:
                continue  # a late report of something before the last set's end (a counter catching up)
            self._moves.append(move)
            switched = self._switch()
            if switched is not None:
                closed.append(switched)
        self._away_since = (t_ms if self._away_since is None else self._away_since) if away else None
        closed.extend(self._ended(t_ms))
        return closed

    def finish(self) -> list[Segment]:
        """The stream ended: the set in progress (and any begun after it) is closed."""
        closed = []
        while self.exercise is not None:
            closed.extend(self._closing("end"))
        self._moves.clear()
        self._known = (-1, None)
        return closed

    # -- rules --------------------------------------------------------------------------------
    def _last_end(self, key: str) -> float:
        return max((m.end_ms for m in self._moves if m.exercise == key), default=-math.inf)

    def _ended(self, t_ms: float) -> list[Segment]:
        cfg = self.config
        key = self.exercise
        if key is None:
            # Movements that never added up to an exercise (a gesture): forgotten after a rest.
            if self._moves and t_ms - max(m.end_ms for m in self._moves) >= cfg.rest_s * 1000.0:
                self._moves.clear()
                self._known = (-1, None)
            return []
        last = max(self._last_end(key), self._busy_at)
        if t_ms - last >= cfg.rest_s * 1000.0:
            return self._closing("rest")
        if self._away_since is not None and t_ms - max(self._away_since, last) >= cfg.away_s * 1000.0:
            return self._closing("away")
        return []

    def _closing(self, reason: CloseReason) -> list[Segment]:
        """The segment in progress ends: if it ends with a run of another exercise (at least
        ``min_reps`` cycles: nothing follows for it to be a transition into), that run is a
        set of its own after the one before it."""
        current = self.exercise
        first = self._switch(self.config.min_reps)
        if first is not None and first.exercise == current:
            return [first]  # the run after it stays open, as what begins after a set always does
        key = self.exercise
        rest = [self._close(key, reason)] if key is not None else []
        return ([first] if first is not None else []) + rest

    def _switch(self, need: int | None = None) -> Segment | None:
        """The set that another exercise's run of movements has ended, if any.

        Usually the set's exercise is the one the segment shows. But a short set (five curls)
        followed at once by a new exercise's first cycles (lunges) may already be outweighed
        by them; it is still a set of its own when, before the run, it showed a set's worth of
        its own (``need`` movements: the bar the newcomer meets) and the newcomer's cycles all
        came after it.
        Where the newcomer explained some of the same cycles before (a jumping jack's arms are
        a lateral raise), recognition was only firming up, and there is one set.
        """
        current = self.exercise
        if current is None:
            return None
        need = self.config.switch_moves if need is None else need
        # The current exercise first, then any the segment showed before it was overtaken.
        for key in dict.fromkeys([current, *(m.exercise for m in self._moves if m.kind == "evidence")]):
            found = self._run_after(key, need)
            if found is None:
                continue
            last, other = found
            if key == current:
                return self._close(key, "switch", last)
            # Overtaken: a set's worth of its own, and the newcomer's cycles all after its last.
            before = self._moves[: last + 1]
            if self._all_after(other, last) and _evidence(before, key) >= need and exercise_of(before) == key:
                return self._close(key, "switch", last)
        return None

    def _all_after(self, other: str, last: int) -> bool:
        """Whether every cycle of ``other`` began after movement ``last`` ended: it is new, not
        a description of the same movements (in time: a hold's evidence is reported when the
        hold ends, long after it began)."""
        end = self._moves[last].end_ms
        return all(m.start_ms >= end for m in self._moves if m.exercise == other and m.kind == "evidence")

    def _run_after(self, key: str, need: int) -> tuple[int, str] | None:
        """Where a set of ``key`` would end because another exercise's run began after it: the
        index of its last movement and the newcomer, or None.

        The run is what follows the set's last movement. When that run is too short, the
        set's last movements may be the newcomer's: each one the newcomer's cycles overrule
        (:func:`overruled`) is passed over, provided the newcomer is new (none of its cycles
        before the set's last movement of its own) and what is passed over is a glimpse (at
        most one of the set's exercise for every two of the newcomer's cycles). A set's
        exercise that keeps pace with the newcomer cycle for cycle is the same movement seen
        twice: recognition firming up (a jumping jack's arms are a lateral raise), one set.
        """
        own = [i for i, m in enumerate(self._moves) if m.exercise == key]
        for n, last in enumerate(reversed(own)):
            if n and not overruled(self._moves[own[-n]], self._moves):
                return None  # a movement of the set's own that nothing explains better
            run = self._moves[last + 1 :]
            other = exercise_of(run)
            if other is None or other == key or _evidence(run, other) < need:
                continue
            if n == 0:
                return last, other
            passed = [m for m in run if m.exercise == key]
            glimpses = 2 * _spans(passed) <= _evidence(run, other)
            if self._all_after(other, last) and glimpses and all(overruled(m, self._moves, other) for m in passed):
                return last, other
        return None

    def _close(self, key: str, reason: CloseReason, last: int | None = None) -> Segment:
        """The set of ``key`` ends; with ``last``, at that movement (its movements after it
        were another exercise's and belong to neither set)."""
        dropped = {i for i, m in enumerate(self._moves) if m.exercise == key and last is not None and i > last}
        own = [m for i, m in enumerate(self._moves) if m.exercise == key and i not in dropped]
        end = max(m.end_ms for m in own)
        # What began after the set's last movement may be the next set's start.
        carried = [m for m in self._moves if m.exercise != key and m.start_ms >= end]
        kept = [m for i, m in enumerate(self._moves) if m not in carried and i not in dropped]
        extent = (min(m.start_ms for m in kept), max(m.end_ms for m in kept))
        segment = Segment(key, min(m.start_ms for m in own), end, reason, _scores(kept), extent)
        self.segments.append(segment)
        self._moves = carried
        self._known = (-1, None)
        self._closed_until = end
        return segment
