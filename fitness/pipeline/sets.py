"""A stream's sets, frame by frame: the segmenter fed from a :class:`StreamAnalyzer`.

:class:`SetTracker` belongs to one analyzer and is stepped by it after every frame. It hands
the :class:`~fitness.engine.segmentation.Segmenter` what completed on that frame (the cycles
every spec signature saw, the reps of the counters that run, a hold in progress) and whether
the person is out of the current set's position; when a segment closes it becomes a
:class:`~fitness.engine.values.SetResult` from the full counter of its exercise (its reps, or
the time it held). A video analysis and the live page get the same sets from the same frames.

With a named exercise only that exercise's movements are fed: its sets are still split by
rests. The full counters confirm what the signatures' evidence says, as they do for
recognition: a segment is the first of its exercises (most evidence first) whose counter found
at least ``min_reps`` reps (or a hold of ``min_hold_s``) in it. A segment where none did was
not a set: a gesture, a stretch, someone walking past.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from fitness.engine.counter import ACTIVE_PHASES, FrameResult, RepCounter
from fitness.engine.machines import MAX_REP_MS
from fitness.engine.registry import REGISTRY
from fitness.engine.segmentation import MoveKind, Movement, Segment, SegmentConfig, Segmenter, out_of_position
from fitness.engine.values import Rep, SetResult

if TYPE_CHECKING:
    from fitness.engine.context import FrameContext
    from fitness.pipeline.stream import StreamAnalyzer

log = logging.getLogger(__name__)

# A hold in progress is reported to the segmenter in pieces this long, so that a long plank
# keeps its set alive without one movement per frame.
HOLD_PIECE_MS: Final = 1000.0
# A rep of the set's exercise may start this long before the segment's first movement (its
# signature turned the first rep down, the counter did not) and still belong to it.
EDGE_MS: Final = 1500.0
# The full counters of this many of a segment's exercises (most evidence first) may confirm it.
CONFIRM: Final = 2
# Hold samples kept per exercise in a live stream (60 s at 60 fps), enough for any set's window.
LIVE_SAMPLES: Final = 3600


class SetTracker:
    """Sets of one :class:`~fitness.pipeline.stream.StreamAnalyzer`'s stream (see the module).

    ``sets`` are the sets found so far, ``new_sets`` those that closed on the last frame.
    """

    def __init__(self, config: SegmentConfig | None = None, *, keep_all: bool = True) -> None:
        self.config = config or SegmentConfig()
        self.segmenter = Segmenter(self.config)
        self.sets: list[SetResult] = []
        self.new_sets: tuple[SetResult, ...] = ()
        self._evidence_seen: dict[str, int] = {}
        self._reps_seen: dict[str, set[int]] = {}
        self._holding_since: dict[str, float] = {}
        self._samples: dict[str, deque[tuple[float, int, bool]]] = {}
        self._cap = None if keep_all else LIVE_SAMPLES
        self._last_t = 0.0
        self._lone: SetResult | None = None  # a first segment too short to be a set, kept in case it is all there is

    @property
    def exercise(self) -> str | None:
        """The exercise of the set in progress, as the segmenter sees it so far."""
        return self.segmenter.exercise

    def step(self, analyzer: StreamAnalyzer, ctx: FrameContext, results: dict[str, FrameResult]) -> None:
        """After ``analyzer`` took the frame ``ctx`` (``results``: each counter's verdict on it)."""
        self._last_t = ctx.t_ms
        for key, res in results.items():
            if res.hold_ms is not None and not analyzer.keep_frames:
                self._samples.setdefault(key, deque(maxlen=self._cap)).append((ctx.t_ms, res.hold_ms, res.holding))
        moves = self._moves(analyzer, ctx.t_ms, results)
        current = self.segmenter.exercise
        away = current is not None and out_of_position(REGISTRY[current], ctx.pose is not None, ctx.orientation)
        shown = results.get(current) if current is not None else None
        busy = shown is not None and shown.phase in ACTIVE_PHASES and shown.hold_ms is None
        closed = self.segmenter.update(ctx.t_ms, moves, away, busy)
        self.new_sets = self._add(analyzer, closed)

    def replayed(self, key: str, results: Sequence[FrameResult]) -> None:
        """A counter that joined a live stream late caught up on its history (``results``, frame
        by frame): its hold samples start over from them, so a hold recognised only once it
        ended (its evidence is the time held) is measured over all of it. (A video's analyzer
        keeps every frame's result and reads those instead.)"""
        if self._cap is None:
            return
        held = [(float(r.t_ms), r.hold_ms, r.holding) for r in results if r.hold_ms is not None]
        self._samples[key] = deque(held, maxlen=self._cap)

    def finish(self, analyzer: StreamAnalyzer) -> None:
        """The stream ended (the analyzer's counters and recogniser finished): what completed
        at the end is fed, then the set in progress closes."""
        moves = self._moves(analyzer, self._last_t, {})
        moves += [Movement(key, since, self._last_t, "rep") for key, since in self._holding_since.items()]
        self._holding_since.clear()
        closed = self.segmenter.update(self._last_t, moves) + self.segmenter.finish()
        self.new_sets = self._add(analyzer, closed)
        if not self.sets and self._lone is not None:
            # A whole stream of one lone rep (a single-rep clip) is that one set, not nothing.
            self.sets.append(self._lone)
            self.new_sets = (self._lone,)

    # -- movements ----------------------------------------------------------------------------
    def _wanted(self, analyzer: StreamAnalyzer, key: str) -> bool:
        return analyzer.requested in ("auto", key)

    def _moves(self, analyzer: StreamAnalyzer, t_ms: float, results: dict[str, FrameResult]) -> list[Movement]:
        moves: list[Movement] = []
        for key, sig in analyzer.recognizer.signatures.items():
            seen = self._evidence_seen.get(key, 0)
            if len(sig.evidence) > seen and self._wanted(analyzer, key):
                moves.extend(
                    Movement(key, e.start_ms, e.end_ms, "evidence", e.weight)
                    for e in sig.evidence[seen:]
                    # A "rep" that took longer than any rep does is someone standing about (its
                    # evidence is cut short to weigh little in recognition), and would stretch
                    # a set over a rest. A hold's evidence is as long as the hold.
                    if sig.spec.kind == "hold" or t_ms - e.start_ms <= MAX_REP_MS
                )
            self._evidence_seen[key] = len(sig.evidence)
        for key, counter in analyzer.counters.items():
            if not self._wanted(analyzer, key):
                continue
            seen_reps = self._reps_seen.setdefault(key, set())
            # With a named exercise its own counted reps are its evidence too: the set is that
            # exercise whatever the signature made of it.
            kind: MoveKind = "rep" if analyzer.requested == "auto" else "evidence"
            for rep in counter.reps:
                if rep.start_ms not in seen_reps:
                    seen_reps.add(rep.start_ms)
                    moves.append(Movement(key, rep.start_ms, rep.end_ms, kind))
            res = results.get(key)
            if res is not None and res.hold_ms is not None:
                moves.extend(self._hold_piece(key, t_ms, res.holding))
        return moves

    def _hold_piece(self, key: str, t_ms: float, holding: bool) -> list[Movement]:
        since = self._holding_since.get(key)
        if holding and since is None:
            self._holding_since[key] = t_ms
        elif since is not None and (not holding or t_ms - since >= HOLD_PIECE_MS):
            if holding:
                self._holding_since[key] = t_ms
            else:
                del self._holding_since[key]
            return [Movement(key, since, t_ms, "rep")]
        return []

    # -- sets -----------------------------------------------------------------------------------
    def _add(self, analyzer: StreamAnalyzer, closed: Sequence[Segment]) -> tuple[SetResult, ...]:
        made: list[SetResult] = []
        for segment in closed:
            found = self._set_of(analyzer, segment)
            if found is None:
                log.debug("segment %s %.1f-%.1f s is not a set", segment.exercise, segment.start_ms / 1e3,
                          segment.end_ms / 1e3)  # fmt: skip
                continue
            self.sets.append(found)
            made.append(found)
        return tuple(made)

    def _set_of(self, analyzer: StreamAnalyzer, segment: Segment) -> SetResult | None:
        previous = self.sets[-1] if self.sets else None
        after = previous.end_ms if previous is not None else -EDGE_MS
        for rank, key in enumerate(segment.ranked()[:CONFIRM]):
            # The winner's set lies within its own movements; a runner-up's anywhere in the segment.
            start, end = (segment.start_ms, segment.end_ms) if rank == 0 else segment.extent
            found = self._set_for(analyzer, analyzer.counter_for(key), (max(start - EDGE_MS, after), end), previous)
            if found is not None:
                return found
        return None

    def _set_for(
        self, analyzer: StreamAnalyzer, counter: RepCounter, span: tuple[float, float], previous: SetResult | None
    ) -> SetResult | None:
        """``counter``'s set within ``span`` (a rep may end a little after it), or None."""
        if counter.spec.kind == "hold":
            return self._hold_set(analyzer, counter, span, previous)
        lo, hi = span
        reps = [r for r in counter.reps if lo <= r.start_ms and r.end_ms <= hi + EDGE_MS and r.bottom_ms <= hi]
        if not reps:
            return None
        if len(reps) < self.config.min_reps:
            if self._lone is None and not self.sets:
                self._lone = SetResult(1, counter.spec.key, reps[0].start_ms, reps[-1].end_ms, reps=tuple(reps))
            return None
        # Numbered through the workout: a session's reps are numbered once, whatever their set.
        first = sum(len(s.reps) for s in self.sets) + 1
        numbered = tuple(dataclasses.replace(r, index=first + i) for i, r in enumerate(reps))
        return SetResult(
            index=len(self.sets) + 1,
            exercise=counter.spec.key,
            start_ms=numbered[0].start_ms,
            end_ms=numbered[-1].end_ms,
            rest_before_ms=None if previous is None else max(0, numbered[0].start_ms - previous.end_ms),
            reps=numbered,
        )

    def _hold_samples(self, analyzer: StreamAnalyzer, key: str) -> Sequence[tuple[float, int, bool]]:
        """``(t_ms, held so far, holding)`` per frame of hold exercise ``key``: from every frame
        of a video (a counter that joined late replayed them), from those seen live otherwise."""
        if analyzer.keep_frames:
            return [(f.t_ms, f.hold_ms or 0, f.holding) for f in analyzer.frames.get(key, ())]
        return list(self._samples.get(key, ()))

    def _hold_set(
        self, analyzer: StreamAnalyzer, counter: RepCounter, span: tuple[float, float], previous: SetResult | None
    ) -> SetResult | None:
        key = counter.spec.key
        lo, hi = span
        every = self._hold_samples(analyzer, key)
        samples = [s for s in every if lo <= s[0] <= hi]
        held = [t for t, _, holding in samples if holding]
        if not held:
            return None
        before = [h for t, h, _ in every if t < lo]
        hold_ms = samples[-1][1] - (before[-1] if before else 0)
        if hold_ms < self.config.min_hold_s * 1000.0:
            return None
        start, end = round(held[0]), round(held[-1])
        breaks = tuple(b for b in counter.breaks if start <= b.start_ms and b.end_ms <= end)
        return SetResult(
            index=len(self.sets) + 1,
            exercise=key,
            start_ms=start,
            end_ms=end,
            rest_before_ms=None if previous is None else max(0, start - previous.end_ms),
            hold_ms=round(hold_ms),
            breaks=breaks,
        )


def total_reps(sets: Sequence[SetResult]) -> tuple[Rep, ...]:
    """Every rep of a workout, in order."""
    return tuple(r for s in sets for r in s.reps)
