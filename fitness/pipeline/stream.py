"""A pose stream through the engine: recognition, counters, notes, per-frame results.

:class:`StreamAnalyzer` is the one place a stream of poses meets the engine, whatever it came
from: a video file (:mod:`fitness.pipeline.video_analysis`), the webcam
(:mod:`fitness.pipeline.live`) or poses already estimated (:func:`analyze_poses`: tests,
tuning, replays). Every frame goes once through the shared
:class:`~fitness.engine.context.ContextTracker` and the recogniser's spec signatures (cheap);
full counters run only for the requested exercise, or with ``exercise="auto"`` for the short
list of exercises with the most evidence so far. A counter that joins the short list late
replays the frames it missed, so its count is the same as if it had run from the start.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from fitness.engine.context import ContextTracker, FrameContext
from fitness.engine.counter import CounterConfig, FrameResult, RepCounter
from fitness.engine.machines import Break
from fitness.engine.recognition import ExerciseRecognizer, Recognition
from fitness.engine.registry import REGISTRY
from fitness.engine.segmentation import SegmentConfig
from fitness.engine.spec import ExerciseSpec, Phase
from fitness.engine.values import PartialRep, Rep, SetResult
from fitness.errors import FitnessError
from fitness.pose.types import Pose
from fitness.text import plural

log = logging.getLogger(__name__)

AUTO: Final = "auto"
# Said while auto has not named an exercise: not while a set of a named one is under way.
LOOKING_NOTE: Final = "Looking for an exercise I know"
NONE: Final = "none"  # the exercise reported when no exercise was found (no person, no movement, no rep)
NOT_KNOWN: Final = "No exercise found"
# A rep needs at least a start, a turning point and an end: with a person in fewer frames than
# this (a photo, a one-frame clip, a figure glimpsed twice) no movement can be seen at all.
MIN_PERSON_FRAMES: Final = 3
# With "auto", full counters run for this many leading candidates at most.
SHORTLIST: Final = 2
MAX_COUNTERS: Final = 3
# A live stream keeps this much history for a counter that joins late, and weighs the
# recogniser's evidence over this window (a person may move on to another exercise).
LIVE_HISTORY_S: Final = 60.0
LIVE_FPS_CAP: Final = 60

ProgressFn = Callable[[int, int], None]  # (frames done, frames expected or 0 when unknown)
RepFn = Callable[[Rep], None]


def exercise_choices() -> tuple[str, ...]:
    return (AUTO, *sorted(REGISTRY))


def check_exercise(exercise: str) -> str:
    """``exercise`` if it is known, else a one-line :class:`FitnessError` listing the valid ones."""
    if exercise != AUTO and exercise not in REGISTRY:
        raise FitnessError(f"unknown exercise {exercise!r}; valid exercises: {', '.join(exercise_choices())}")
    return exercise


@dataclass(frozen=True, slots=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frames: int
    duration_ms: int
    expected_frames: int = 0  # what the file's header announced (0: unknown); not in the JSON

    @property
    def cut_short(self) -> bool:
        from fitness.pipeline.video_io import cut_short

        return cut_short(self.frames, self.expected_frames)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "width": self.width,
            "height": self.height,
            "fps": round(self.fps, 3),
            "frames": self.frames,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis produced. ``frames`` has one entry per video frame.

    ``exercise`` is :data:`NONE` when nothing was found to count (no person in enough frames,
    or recognition found no exercise it knows): then ``found`` is False and nothing should be
    saved. ``kind`` is the exercise's movement kind: for a ``"hold"``, ``hold_ms`` is the
    time held (breaks excluded) and ``breaks`` when and why the position or form was lost;
    ``per_side`` has each side's reps where sides are counted on their own.
    """

    exercise: str
    video: VideoInfo
    reps: tuple[Rep, ...]
    per_side: dict[str, int]
    notes: tuple[str, ...]
    frames: tuple[FrameResult, ...] = ()
    recognition: Recognition | None = None
    requested: str = AUTO
    kind: str = "reps"
    hold_ms: int | None = None
    breaks: tuple[Break, ...] = ()
    # Movements that turned back before the turning point, each with the cue that explains it.
    partial_reps: tuple[PartialRep, ...] = ()
    # False when there was nothing to count: no person in enough frames, or (auto) no exercise.
    # Then ``exercise`` is :data:`NONE` unless one was named, and nothing should be saved.
    found: bool = True
    # The workout's sets, in order (:mod:`fitness.pipeline.sets`): one for a single set, several
    # for a workout; with a named exercise, that exercise's sets split by rests.
    sets: tuple[SetResult, ...] = ()
    frames_with_person: int = 0  # frames in which the model found a person

    @property
    def person_seen(self) -> bool:
        """False when no frame showed a person: nothing here could have been counted."""
        return self.frames_with_person > 0

    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def spec(self) -> ExerciseSpec | None:
        """The exercise counted; None when no exercise was found."""
        return REGISTRY.get(self.exercise)

    @property
    def exercise_name(self) -> str:
        """The exercise's name for people ("No exercise found" when none was)."""
        spec = self.spec
        return NOT_KNOWN if spec is None else spec.name

    @property
    def measure_label(self) -> str:
        """What ``frames[i].angle`` measures ("knee angle", "wrist height")."""
        spec = self.spec
        return "angle" if spec is None else spec.primary.label()

    @property
    def hold_s(self) -> float | None:
        return None if self.hold_ms is None else self.hold_ms / 1000.0

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document: ``exercise``, ``kind``, ``reps`` (the total), ``rep_list``,
        ``per_side``, ``notes``, ``video``, ``recognition``, ``partial_reps`` (each with its time
        range, how far it went and its cues); for holds ``hold_s`` and ``breaks`` (each ``t_s``,
        ``duration_s``, ``reason``, ``id``); ``sets`` (each ``index``, ``exercise``, ``start_s``,
        ``end_s``, ``reps`` or ``hold_s``, ``rest_before_s``, ``rep_list``:
        :meth:`SetResult.to_dict`). Each cue is ``{"id", "text", "measured", "unit", "target",
        "t_ms"}``."""
        doc: dict[str, Any] = {
            "exercise": self.exercise,
            "kind": self.kind,
            "reps": self.count,
            "video": self.video.to_dict(),
            "rep_list": [r.to_dict() for r in self.reps],
            "per_side": dict(self.per_side),
            "notes": list(self.notes),
            "partial_reps": [p.to_dict() for p in self.partial_reps],
        }
        if self.kind == "hold":
            doc["hold_s"] = round((self.hold_ms or 0) / 1000.0, 2)
            doc["breaks"] = [b.to_dict() for b in self.breaks]
        if self.recognition is not None:
            doc["recognition"] = self.recognition.to_dict()
        doc["sets"] = [s.to_dict() for s in self.sets]
        return doc

    def angle_series(self) -> tuple[np.ndarray, np.ndarray]:
        """``(t_ms, angle)`` arrays for a chart; NaN where the angle was not measured."""
        t = np.array([f.t_ms for f in self.frames], dtype=np.float64)
        a = np.array([np.nan if f.angle is None else f.angle for f in self.frames], dtype=np.float64)
        return t, a


def idle_result(t_ms: float, notes: tuple[str, ...] = ()) -> FrameResult:
    """A frame's result while no exercise is being counted (auto, nothing recognised yet)."""
    return FrameResult(
        t_ms=round(t_ms),
        angle=None,
        extension=None,
        phase=Phase.SETUP,
        reps=0,
        per_side={},
        side=None,
        view=None,
        signal="angle",
        notes=notes,
    )


class StreamAnalyzer:
    """Recognises (or takes the requested exercise) and counts, frame by frame.

    ``keep_frames`` keeps every frame's result and the whole stream's history (a video);
    without it (live) the history for late-joining counters is capped at ``LIVE_HISTORY_S``
    and recognition weighs the same recent window.
    """

    def __init__(
        self,
        exercise: str = AUTO,
        config: CounterConfig | None = None,
        keep_frames: bool = True,
        segments: SegmentConfig | None = None,
    ) -> None:
        from fitness.pipeline.sets import SetTracker

        self.requested = check_exercise(exercise)
        self.config = config or CounterConfig()
        self.keep_frames = keep_frames
        self.tracker = ContextTracker(self.config.tracker())
        self.recognizer = ExerciseRecognizer(REGISTRY, self.config, None if keep_frames else LIVE_HISTORY_S)
        cap = None if keep_frames else round(LIVE_HISTORY_S * LIVE_FPS_CAP)
        self._history: deque[FrameContext] = deque(maxlen=cap)
        self.counters: dict[str, RepCounter] = {}
        self.frames: dict[str, list[FrameResult]] = {}
        self.last: FrameResult | None = None
        self._recognition: Recognition | None = None
        self._evidence_seen = -1
        self.frames_seen = 0
        self.frames_with_person = 0
        # Frames of the source, when the model read only some of them (a pose rate under the
        # video's): the notes then say how many of them were analysed.
        self.frames_in_video: int | None = None
        # Reps of the reported exercise completed on the last frame, replayed ones included (a
        # counter that joins late catches up on reps already done).
        self.new_reps: tuple[Rep, ...] = ()
        self._announced: dict[str, int] = {}
        self.shown: list[FrameResult] = []  # what update() returned, frame by frame (with keep_frames)
        # The stream's sets, found as it goes (``set_tracker.new_sets``: closed on the last frame).
        self.set_tracker = SetTracker(segments, keep_all=keep_frames)
        if self.requested != AUTO:
            self.counter_for(self.requested)

    # -- what is reported ---------------------------------------------------------------------
    def recognition(self) -> Recognition:
        """The recogniser's verdict so far, confirmed by the counters (recomputed only when new
        evidence came in)."""
        seen = sum(len(s.evidence) for s in self.recognizer.signatures.values())
        if self._recognition is None or seen != self._evidence_seen:
            self._recognition, self._evidence_seen = self._confirmed(self.recognizer.current()), seen
        return self._recognition

    def _confirmed(self, verdict: Recognition) -> Recognition:
        """The first of the short list whose full counter found reps or a hold: a signature can
        see a cycle its counter, which also checks how well the joints were seen, rejects."""
        if verdict.exercise is None or self.requested != AUTO:
            return verdict
        for key in self.recognizer.shortlist(SHORTLIST):
            counter = self.counters.get(key)
            if counter is not None and (counter.count or counter.hold_ms):
                if key == verdict.exercise:
                    return verdict
                return Recognition(key, 0.0, verdict.scores)
        return verdict

    @property
    def exercise(self) -> str | None:
        """The exercise being reported: the requested one, or the recognised one (``None``: none yet)."""
        return self.requested if self.requested != AUTO else self.recognition().exercise

    @property
    def counter(self) -> RepCounter | None:
        key = self.exercise
        return None if key is None else self.counter_for(key)

    def counter_for(self, key: str) -> RepCounter:
        """The full counter for ``key``, started (and caught up on the history) if need be."""
        if key not in self.counters:
            self._start(key)
        return self.counters[key]

    def _start(self, key: str) -> list[FrameResult]:
        counter = RepCounter(REGISTRY[key], self.config)
        results = [counter.step(ctx) for ctx in self._history]
        for ctx in self._history:
            ctx.forget()
        self.counters[key] = counter
        self.frames[key] = results if self.keep_frames else []
        if not self.keep_frames:
            self.set_tracker.replayed(key, results)
        return results

    # -- the stream -----------------------------------------------------------------------------
    def update(self, pose: Pose | None, t_ms: float) -> FrameResult:
        ctx = self.tracker.update(pose, t_ms)
        self.frames_seen += 1
        self.frames_with_person += pose is not None
        self.recognizer.step(ctx)
        if self.requested == AUTO:
            self._follow_candidates()
        results = {key: counter.step(ctx) for key, counter in self.counters.items()}
        if self.keep_frames:
            for key, res in results.items():
                self.frames[key].append(res)
        ctx.forget()
        self._history.append(ctx)
        shown = self.exercise
        if shown is not None and shown not in results:
            # Recognised but not on the short list a moment ago: its counter catches up on the
            # history, which already ends with this frame.
            results[shown] = self._start(shown)[-1]
        self.last = results[shown] if shown is not None else idle_result(t_ms, self._idle_notes(pose))
        if self.keep_frames:
            self.shown.append(self.last)
        self.new_reps = ()
        if shown is not None:
            reps = self.counters[shown].reps
            self.new_reps = tuple(reps[self._announced.get(shown, 0) :])
            self._announced[shown] = len(reps)
        self.set_tracker.step(self, ctx, results)
        return self.last

    def _follow_candidates(self) -> None:
        for key in self.recognizer.shortlist(SHORTLIST):
            if key in self.counters:
                continue
            if len(self.counters) >= MAX_COUNTERS:
                scores = self.recognizer.scores()
                drop = min(self.counters, key=lambda k: scores.get(k, 0.0))
                del self.counters[drop]
                self.frames.pop(drop, None)
            self.counter_for(key)

    @staticmethod
    def _idle_notes(pose: Pose | None) -> tuple[str, ...]:
        return ("No one in view",) if pose is None else (LOOKING_NOTE,)

    def finish(self, frames_in_video: int | None = None) -> None:
        """End of the stream: open holds close, a hold in progress counts as evidence.
        ``frames_in_video``: the source's frames, if more than were given to :meth:`update`."""
        if frames_in_video is not None and frames_in_video > self.frames_seen:
            self.frames_in_video = frames_in_video
        self.recognizer.finish()
        self._recognition = None
        for counter in self.counters.values():
            counter.finish()
        self.set_tracker.finish(self)

    @property
    def sets(self) -> tuple[SetResult, ...]:
        """The sets found so far (all of them after :meth:`finish`)."""
        return tuple(self.set_tracker.sets)

    def notes(self) -> tuple[str, ...]:
        return summarize_notes(self)


def _described(counter: RepCounter) -> str:
    """What a counter found, in a few words: "4 reps", "9.5 s held"."""
    if counter.spec.kind == "hold":
        return f"{(counter.hold_ms or 0) / 1000.0:.1f} s held"
    return f"{counter.count} reps"


def _mismatch_note(analyzer: StreamAnalyzer, counter: RepCounter, recognition: Recognition) -> str | None:
    """Footage of another exercise than the one asked for says what it looks like (a hold asked
    for on reps, or the reverse, names both)."""
    other_key = recognition.exercise
    spec = counter.spec
    if other_key is None or other_key == spec.key or not analyzer.keep_frames:
        return None
    other = analyzer.counter_for(other_key)
    found = other.count > counter.count if other.spec.kind != "hold" else (other.hold_ms or 0) > 0
    if spec.kind != other.spec.kind:
        found = found or other.count > 0 or (other.hold_ms or 0) > 0
    if not found:
        return None
    name, asked = other.spec.name.lower(), spec.name.lower()
    if spec.kind != other.spec.kind:
        return f"This looks like {name} ({_described(other)}), not {asked} ({_described(counter)}): low confidence"
    return f"This looks more like {name} than {asked} ({other.count} {name} reps found): low confidence in this count"


def nothing_to_count(analyzer: StreamAnalyzer) -> str | None:
    """Why no movement could be seen at all (no person in enough frames), or None."""
    frames, seen = analyzer.frames_seen, analyzer.frames_with_person
    of = "" if analyzer.frames_in_video is None else f" analysed (of {analyzer.frames_in_video})"
    if frames == 0:
        return "The video has no frames"
    if seen == 0:
        return f"No person found in any of the {frames} frames{of}: 0 reps"
    if frames == 1:
        return "Only 1 frame: a still picture shows no movement, so there are no reps to count"
    if frames < MIN_PERSON_FRAMES:
        return f"Only {frames} frames{of}: too few to show any movement, so there are no reps to count"
    if seen < MIN_PERSON_FRAMES:
        return f"A person was found in only {seen} of the {frames} frames{of}: too few to see any movement, 0 reps"
    return None


def not_known_note() -> str:
    return (
        f"{NOT_KNOWN}: not one complete rep or hold of any of the {len(REGISTRY)} exercises known here "
        "(not an exercise I know), so nothing was counted"
    )


def summarize_notes(analyzer: StreamAnalyzer) -> tuple[str, ...]:
    """Plain-language notes on what limited the count (and what the counter could not judge)."""
    nothing = nothing_to_count(analyzer)
    if nothing is not None:
        return (nothing,)
    counter = analyzer.counter
    if counter is None:
        return (not_known_note(),)
    return _counter_notes(analyzer, counter, analyzer.recognition())


def verdict(analyzer: StreamAnalyzer) -> tuple[str, tuple[str, ...], bool]:
    """(exercise, notes, found) for the end of an analysis.

    Without a person in enough frames, or, when recognising, without any exercise recognised,
    nothing was found: recognising then reports :data:`NONE`. A named exercise keeps its name:
    the person asked for that count, and it may be 0.
    """
    nothing = nothing_to_count(analyzer)
    key = analyzer.exercise
    if analyzer.requested != AUTO:
        return analyzer.requested, analyzer.notes(), nothing is None
    if nothing is not None:
        return NONE, (nothing,), False
    if key is None:
        return NONE, (not_known_note(),), False
    return key, analyzer.notes(), True


def _counter_notes(analyzer: StreamAnalyzer, counter: RepCounter, recognition: Recognition) -> tuple[str, ...]:
    spec, stats = counter.spec, counter.stats
    notes: list[str] = []
    if analyzer.requested == AUTO:
        sure = "" if recognition.confident else " (low confidence)"
        notes.append(f"Recognised as {spec.name.lower()}{sure}")
    else:
        mismatch = _mismatch_note(analyzer, counter, recognition)
        if mismatch:
            notes.append(mismatch)
    if stats.in_position == 0 and spec.kind != "hold":
        notes.append(f"Never in position for {spec.name.lower()}: {spec.setup_message.lower()}")
    elif stats.counted == 0:
        if stats.missing:
            joints = sorted({n.split("_", 1)[-1] for n in stats.missing})
            counted_from = ", ".join(spec.required_joints())
            notes.append(
                f"The {', '.join(joints)} were never visible: {spec.name.lower()} is counted from the {counted_from}"
            )
        for message in stats.unmet:
            notes.append(f"{message} (never the case here)")
        if spec.kind == "hold" and not stats.unmet:
            notes.append(f"Never in position for {spec.name.lower()}: {spec.setup_message.lower()}")
    else:
        tracks = 2 if spec.sides in ("both", "alternating") else 1
        share = 1.0 - stats.counted / max(1, stats.in_position * tracks)
        if spec.kind == "reps" and share > 0.3 and stats.missing:
            joints = sorted({n.replace("_", " ") for n, _ in stats.missing.most_common(3)})
            notes.append(f"Partly out of view ({share:.0%} of frames): {', '.join(joints)} hidden")
    if stats.with_person and not counter.started and spec.never_started and stats.counted:
        notes.append(spec.never_started)
    if stats.cuts:
        notes.append(f"{plural(stats.cuts, 'scene cut')}: a rep interrupted by a cut is not counted")
    if counter.partial:
        notes.append(
            f"{plural(counter.partial, 'partial rep')} not counted: {spec.name.lower()} did not reach the turning point"
        )
    if stats.overshoot:
        notes.append(
            f"{plural(stats.overshoot, 'movement')} went past the range of {spec.name.lower()} and were not counted"
        )
    if stats.unsure:
        counted_from = ", ".join(spec.required_joints())
        notes.append(f"{plural(stats.unsure, 'movement')} not counted: the {counted_from} were barely visible")
    notes.extend(stats.quiet)
    return tuple(dict.fromkeys(notes))


@dataclass(frozen=True, slots=True)
class PoseFrame:
    t_ms: float
    pose: Pose | None


def analyze_poses(
    frames: Iterable[PoseFrame | tuple[float, Pose | None]],
    exercise: str = AUTO,
    video: VideoInfo | None = None,
    config: CounterConfig | None = None,
) -> AnalysisResult:
    """Count from poses already estimated (``(t_ms, pose)`` pairs in time order)."""
    analyzer = StreamAnalyzer(exercise, config)
    n = 0
    for item in frames:
        t_ms, pose = (item.t_ms, item.pose) if isinstance(item, PoseFrame) else item
        analyzer.update(pose, t_ms)
        n += 1
    info = video or VideoInfo("", 0, 0, 0.0, n, 0)
    return _result(analyzer, info)


def _result(analyzer: StreamAnalyzer, info: VideoInfo) -> AnalysisResult:
    analyzer.finish(info.frames)
    exercise, notes, found = verdict(analyzer)
    recognition = analyzer.recognition()
    if exercise == NONE:
        # Nothing counted; the per-frame results are what was shown (one per video frame).
        return AnalysisResult(
            NONE, info, (), {}, notes, tuple(analyzer.shown), recognition, analyzer.requested, found=False,
            sets=analyzer.sets,
        )  # fmt: skip
    return _counted(analyzer, exercise, info, notes=notes, recognition=recognition, found=found)


def _counted(
    analyzer: StreamAnalyzer,
    key: str,
    info: VideoInfo,
    *,
    notes: tuple[str, ...],
    recognition: Recognition | None,
    found: bool,
) -> AnalysisResult:
    counter = analyzer.counter_for(key)
    return AnalysisResult(
        exercise=key,
        video=info,
        reps=tuple(counter.reps),
        per_side=counter.per_side(),
        notes=notes,
        frames=tuple(analyzer.frames.get(key, ())),
        recognition=recognition,
        requested=analyzer.requested,
        kind=counter.spec.kind,
        hold_ms=counter.hold_ms,
        breaks=counter.breaks,
        partial_reps=tuple(counter.partials),
        found=found,
        frames_with_person=counter.stats.with_person,
        sets=analyzer.sets,
    )


def result_with(
    analyzer: StreamAnalyzer, keys: Iterable[str], info: VideoInfo
) -> tuple[AnalysisResult, dict[str, AnalysisResult]]:
    """The finished stream's result, and what the stream gives counted as each of ``keys`` (an
    exercise known from elsewhere: an evaluation's label). Counters that did not run catch up on
    the history first, so each count is the one asking for that exercise from the start would
    give (with ``keep_frames``; a live analyzer's history is capped). The extra results carry the
    recognition but no notes: the notes describe the exercise reported."""
    wanted = tuple(dict.fromkeys(check_exercise(k) for k in keys if k != AUTO))
    for key in wanted:
        analyzer.counter_for(key)
    main = _result(analyzer, info)
    seen = nothing_to_count(analyzer) is None
    extra = {
        key: main
        if key == main.exercise
        else _counted(analyzer, key, info, notes=(), recognition=main.recognition, found=seen)
        for key in wanted
    }
    return main, extra
