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
  among them: that exercise has started, and its movements open the next set.

A segment's exercise is decided over its own movements only, never over a sliding window of
the stream: the third set of a workout is recognised from the third set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from fitness.engine.recognition import Evidence, decide, explained
from fitness.engine.spec import ExerciseSpec, Orientation

MoveKind = Literal["evidence", "rep"]
CloseReason = Literal["rest", "away", "switch", "end"]


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
        ended = self._ended(t_ms)
        if ended is not None:
            closed.append(ended)
        return closed

    def finish(self) -> list[Segment]:
        """The stream ended: the set in progress (and any begun after it) is closed."""
        closed = []
        while (key := self.exercise) is not None:
            closed.append(self._close(key, "end"))
        self._moves.clear()
        self._known = (-1, None)
        return closed

    # -- rules --------------------------------------------------------------------------------
    def _last_end(self, key: str) -> float:
        return max((m.end_ms for m in self._moves if m.exercise == key), default=-math.inf)

    def _ended(self, t_ms: float) -> Segment | None:
        cfg = self.config
        key = self.exercise
        if key is None:
            # Movements that never added up to an exercise (a gesture): forgotten after a rest.
            if self._moves and t_ms - max(m.end_ms for m in self._moves) >= cfg.rest_s * 1000.0:
                self._moves.clear()
                self._known = (-1, None)
            return None
        last = max(self._last_end(key), self._busy_at)
        if t_ms - last >= cfg.rest_s * 1000.0:
            return self._close(key, "rest")
        if self._away_since is not None and t_ms - max(self._away_since, last) >= cfg.away_s * 1000.0:
            return self._close(key, "away")
        return None

    def _switch(self) -> Segment | None:
        key = self.exercise
        if key is None:
            return None
        last = max(i for i, m in enumerate(self._moves) if m.exercise == key) if self._moves else -1
        run = self._moves[last + 1 :]
        other = exercise_of(run)
        if other is None or other == key:
            return None
        if sum(m.exercise == other and m.kind == "evidence" for m in run) < self.config.switch_moves:
            return None
        return self._close(key, "switch")

    def _close(self, key: str, reason: CloseReason) -> Segment:
        own = [m for m in self._moves if m.exercise == key]
        end = max(m.end_ms for m in own)
        # What began after the set's last movement may be the next set's start.
        carried = [m for m in self._moves if m.exercise != key and m.start_ms >= end]
        kept = [m for m in self._moves if m not in carried]
        extent = (min(m.start_ms for m in kept), max(m.end_ms for m in kept))
        segment = Segment(key, min(m.start_ms for m in own), end, reason, _scores(kept), extent)
        self.segments.append(segment)
        self._moves = carried
        self._known = (-1, None)
        self._closed_until = end
        return segment
