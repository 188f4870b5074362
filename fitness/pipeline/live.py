"""Webcam coaching one frame at a time: ``LiveCoach.process(frame_rgb, t_ms)`` returns the
annotated frame and that frame's result. One coach per stream: it holds a stateful pose
estimator, and a LiteRT interpreter must not be shared between threads.

A workout on the webcam is a stream of sets. With ``on_set_end`` the coach finds them as they
happen, with the same :class:`~fitness.pipeline.sets.SetTracker` a video analysis uses (the
segmenter fed from the stream analyzer's movements). Each set is counted by an analyzer of its
own: when a set ends, the next one starts from a fresh analyzer fed the poses seen after the
set's last rep, so the next exercise is recognised from its own movements (a live analyzer's
recognition weighs a minute of evidence, which would still be the last set's for a while).

With ``auto`` a hold's evidence is its time held, which the recogniser weighs once the hold
ends: until then the coach's :attr:`LiveCoach.provisional` is the hold the recogniser would
name were it to end now, timed from its start, so the person sees it timed while holding. It
is only shown: the set is still found, measured and reported as it ends.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

import numpy as np

from fitness.engine.counter import CounterConfig, FrameResult
from fitness.engine.registry import REGISTRY
from fitness.engine.segmentation import CloseReason
from fitness.engine.spec import Phase
from fitness.engine.values import Rep
from fitness.pipeline.stream import AUTO, LOOKING_NOTE, RepFn, StreamAnalyzer, check_exercise
from fitness.pipeline.video_analysis import annotate
from fitness.pose.estimator import Estimator
from fitness.pose.types import Pose

log = logging.getLogger(__name__)

# Poses kept for the next set's analyzer. A set is found to have ended at most the segmenter's
# rest (8 s) after its last movement, or a slow rep's time later still (a rep in progress is no
# rest): 30 s covers both with room to spare, at ~17 bytes of keypoints x 17 per frame.
REPLAY_S: Final = 30.0

EndReason = CloseReason | Literal["exercise"]


@dataclass(frozen=True, slots=True)
class SetEnd:
    """A set of a live stream has ended.

    ``reps`` are the reps reported for it as they completed (``on_rep``), ``hold_ms`` the time
    held for a hold. ``end_ms`` (stream ms) is where it ended: its last rep's end or the last
    moment held, where the rest begins. ``reason``: what ended it (``"rest"``, ``"away"``,
    ``"switch"`` from the segmenter; ``"exercise"`` when the reps started to be another
    exercise's). ``confirmed``: the set tracker (segmenter and full counter) found it a set,
    as a video analysis would; an unconfirmed one (a single rep between rests) is still what
    the person was shown.
    """

    exercise: str
    start_ms: float
    end_ms: float
    reason: EndReason
    reps: tuple[Rep, ...] = ()
    hold_ms: int | None = None
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class ProvisionalHold:
    """With ``auto``, a hold being held that the recogniser names only once it ends: the
    exercise it would name were the hold to end now, where the hold began (stream ms) and the
    time held so far. Shown, never recorded: the set is reported as it ends (:class:`SetEnd`)."""

    exercise: str
    start_ms: float
    held_ms: int

    def shown(self, result: FrameResult) -> FrameResult:
        """``result`` as the picture shows it: the hold being timed, as a chosen hold's counter
        shows one held (its phase; not recognition's "looking for an exercise" note)."""
        return replace(result, kind="hold", hold_ms=self.held_ms, holding=True, phase=Phase.EXTENDED, notes=())


# Told a set ended; answers the exercise to count in the next set ("auto" or an exercise key).
SetEndFn = Callable[[SetEnd], str]


class LiveCoach:
    """Webcam coaching, one frame at a time: ``process(frame_rgb, t_ms) -> (annotated, result)``.

    Not thread-safe and not shareable: create one per video stream (each holds its own pose
    estimator). ``on_rep`` is called (in the caller's thread) with every completed rep;
    ``on_set_end`` (see :meth:`follow_sets`) when a set ends, before any rep of the next set.
    """

    def __init__(
        self,
        exercise: str = AUTO,
        estimator: Estimator | None = None,
        *,
        variant: str = "lightning",
        runtime: str = "litert",
        threads: int = 1,
        draw: bool = True,
        on_rep: RepFn | None = None,
        on_set_end: SetEndFn | None = None,
        config: CounterConfig | None = None,
    ) -> None:
        from fitness.pose.estimator import load_estimator

        self._config = config
        self._exercise = check_exercise(exercise)
        self.estimator = estimator if estimator is not None else load_estimator(variant, runtime, threads=threads)
        self.draw = draw
        self.on_rep = on_rep
        self.on_set_end = on_set_end
        self._analyzer = StreamAnalyzer(exercise, config, keep_frames=False)
        self._last_t = -1.0
        self.last_result: FrameResult | None = None
        self.last_pose: Pose | None = None
        self.provisional: ProvisionalHold | None = None
        self._poses: deque[tuple[Pose | None, float]] = deque()
        self._generation = 0  # bumped with every new analyzer: a replay stops when it changes
        self._sets_ended = 0
        self._new_set()

    def follow_sets(self, on_set_end: SetEndFn) -> None:
        """Find sets as the stream goes, calling ``on_set_end`` as each ends."""
        self.on_set_end = on_set_end

    @property
    def exercise(self) -> str | None:
        """The exercise being counted: the one asked for, or the one recognised (``None``: none yet)."""
        return self._analyzer.exercise

    @property
    def between_sets(self) -> bool:
        """A set has ended and the next has not begun (nothing of it counted yet): a rest."""
        return self._sets_ended > 0 and self._set_exercise is None

    @property
    def reps(self) -> list[Rep]:
        counter = self._analyzer.counter
        return [] if counter is None else counter.reps

    def reset(self, exercise: str | None = None) -> None:
        """Start over (new set, or a different exercise)."""
        if exercise is not None:
            self._exercise = check_exercise(exercise)
        self.estimator.reset()
        self._analyzer = StreamAnalyzer(self._exercise, self._config, keep_frames=False)
        self._last_t = -1.0
        self._new_set()

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, FrameResult]:
        # Browsers occasionally repeat a timestamp; the pipeline needs them strictly increasing.
        t = max(float(t_ms), self._last_t + 1.0)
        self._last_t = t
        pose = self.estimator.estimate(frame_rgb, t)
        if self.on_set_end is not None:
            self._poses.append((pose, t))
            while self._poses and t - self._poses[0][1] > REPLAY_S * 1000.0:
                self._poses.popleft()
        result = self._step(pose, t)
        self.provisional = self._guess_hold()
        result = self._quiet(result)
        self.last_result, self.last_pose = result, pose
        if not self.draw:
            return frame_rgb, result
        key, shown = self.shown(result)
        return annotate(frame_rgb, pose, shown, None if key is None else REGISTRY[key]), result

    def shown(self, result: FrameResult) -> tuple[str | None, FrameResult]:
        """What the picture shows for ``result``: the exercise named (None: none) and the result
        as drawn. With auto, the hold being timed (:attr:`provisional`: the next set's start).
        Between sets, no exercise: the count is the last set's (the page says so), and the
        picture shows the rest along its bottom, not the next exercise's name over that count."""
        if self.provisional is not None:
            return self.provisional.exercise, self.provisional.shown(result)
        return (None if self.between_sets else self.exercise), result

    def _quiet(self, result: FrameResult) -> FrameResult:
        """``result`` without recognition's "looking for an exercise" note once an exercise is
        named: a hold being timed, or a set under way whose recogniser looks again (a pause in
        a hold is not news). The one place this is decided, for the picture and the page alike."""
        named = self.provisional is not None or self._set_exercise is not None
        if self.exercise is not None or not named or LOOKING_NOTE not in result.notes:
            return result
        return replace(result, notes=tuple(n for n in result.notes if n != LOOKING_NOTE))

    def _guess_hold(self) -> ProvisionalHold | None:
        """The hold in progress, while ``auto`` has recognised nothing yet (see the module)."""
        analyzer = self._analyzer
        signatures = analyzer.recognizer.signatures
        if analyzer.requested != AUTO or not any(s.holding for s in signatures.values()):
            return None
        if analyzer.exercise is not None:
            return None  # recognised: its counter times the hold, as with a chosen exercise
        key = analyzer.recognizer.provisional().exercise
        held = None if key is None else signatures[key].holding
        if key is None or held is None:
            return None
        return ProvisionalHold(key, held.start_ms, round(held.end_ms - held.start_ms))

    # -- sets -------------------------------------------------------------------------------
    def _new_set(self) -> None:
        """The current analyzer begins a set: nothing of it reported yet."""
        self._set_exercise: str | None = None  # the exercise its reps were reported as
        self._set_reps: list[Rep] = []
        self._held_ms: int | None = None  # a hold's time, once it has started
        self._held_from: float | None = None
        self._held_to = 0.0
        self._segments_seen = 0

    def _step(self, pose: Pose | None, t: float) -> FrameResult:
        result = self._analyzer.update(pose, t)
        shown = self._analyzer.exercise
        fresh = list(self._analyzer.new_reps)
        if self.on_set_end is None:
            self._report(fresh)
            return result
        own, other = self._split(shown, fresh)
        self._report(own)
        self._note_hold(result, t)
        ended = self._ended(other)
        if ended is None:
            return result
        log.info(
            "set ended (%s): %s, %d reps%s, %.1f-%.1f s", ended.reason, ended.exercise, len(ended.reps),
            "" if ended.hold_ms is None else f", held {ended.hold_ms / 1000:.1f} s", ended.start_ms / 1000,
            ended.end_ms / 1000,
        )  # fmt: skip
        following = self.on_set_end(ended)
        self._sets_ended += 1
        self._renew(following, after=ended.end_ms)
        return result

    def _split(self, shown: str | None, fresh: Sequence[Rep]) -> tuple[list[Rep], list[Rep]]:
        """The reps completed on this frame that belong to the set, and those of another
        exercise (recognition has moved on: those start the next set)."""
        if not fresh or shown is None:
            return list(fresh), []
        if self._set_exercise is None:
            self._set_exercise = shown
        if shown == self._set_exercise:
            return list(fresh), []
        return [], list(fresh)

    def _report(self, reps: Sequence[Rep]) -> None:
        for rep in reps:
            if self.on_set_end is not None:
                self._set_reps.append(rep)
            if self.on_rep is not None:
                self.on_rep(rep)

    def _note_hold(self, result: FrameResult, t: float) -> None:
        if result.hold_ms is None or not (result.holding or self._held_ms):
            return
        if self._set_exercise is None:
            self._set_exercise = self._analyzer.exercise
        if result.holding:
            self._held_from = t if self._held_from is None else self._held_from
            self._held_to = t
        self._held_ms = result.hold_ms

    def _ended(self, other: Sequence[Rep]) -> SetEnd | None:
        """The set that ended on this frame, if one did."""
        tracker = self._analyzer.set_tracker
        segments = tracker.segmenter.segments
        closed = len(segments) > self._segments_seen
        self._segments_seen = len(segments)
        started = self._set_exercise is not None and (self._set_reps or self._held_ms)
        if other and started:
            return self._set_end("exercise", confirmed=False)
        if not closed:
            return None
        if tracker.new_sets and not started:
            # A set found only as it closed: with auto a hold is recognised once it ends (its
            # evidence is the time held), and a counter may confirm reps recognition never
            # showed. Reported now, so it is shown and recorded all the same.
            found = tracker.new_sets[-1]
            self._set_exercise = found.exercise
            self._report(found.reps)
            if found.hold_ms is not None:
                self._held_ms, self._held_from, self._held_to = found.hold_ms, found.start_ms, found.end_ms
            started = bool(self._set_reps or self._held_ms)
        if tracker.new_sets and started:
            found = tracker.new_sets[-1]
            return self._set_end(segments[-1].closed_by, confirmed=True, hold_ms=found.hold_ms)
        if started:
            return self._set_end(segments[-1].closed_by, confirmed=False)
        # A stretch that was no set (a gesture, someone walking past): the next set is looked
        # for afresh from what came after it, so this weighs nothing in its recognition.
        self._renew(self._analyzer.requested, after=segments[-1].end_ms)
        return None

    def _set_end(self, reason: EndReason, *, confirmed: bool, hold_ms: int | None = None) -> SetEnd:
        assert self._set_exercise is not None
        reps = tuple(self._set_reps)
        held = hold_ms if hold_ms is not None else self._held_ms
        if reps:
            start, end = float(reps[0].start_ms), float(reps[-1].end_ms)
        else:
            start = self._held_from if self._held_from is not None else self._held_to
            end = self._held_to
        return SetEnd(self._set_exercise, start, end, reason, reps, held if not reps else None, confirmed)

    def _renew(self, exercise: str, *, after: float) -> None:
        """A fresh analyzer for the next set, fed the poses seen after ``after`` (stream ms)."""
        self._analyzer = StreamAnalyzer(check_exercise(exercise), self._config, keep_frames=False)
        self._new_set()
        self._generation += 1
        generation = self._generation
        replay = [(pose, t) for pose, t in self._poses if t > after]
        log.debug("next set: %s, from %.2f s (%d frames replayed)", exercise, after / 1000, len(replay))
        for pose, t in replay:
            self._step(pose, t)
            if self._generation != generation:
                return  # a set ended within the replay: the newer analyzer has had the rest
