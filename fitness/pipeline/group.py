"""Several people in one stream: one :class:`StreamAnalyzer` per tracked person.

:class:`GroupAnalyzer` takes ``{person_id: Pose}`` per frame (from
:class:`fitness.pose.tracking.PeopleEstimator`, or poses already estimated) and keeps one
analyzer per id. A person missing from a frame (hidden, stepped out) gets ``None``, so their
counter handles the gap exactly as the one-person counter handles a person walking out; when
the tracker gives their id back, the same counter carries on with the same count. A new id gets a
new counter. The webcam (the live page's Group mode) and a video file use the same class.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import numpy as np

from fitness.engine.counter import CounterConfig, FrameResult
from fitness.engine.values import Rep
from fitness.pipeline.stream import (
    AUTO,
    AnalysisResult,
    ProgressFn,
    StreamAnalyzer,
    VideoInfo,
    check_exercise,
    result_with,
)
from fitness.pose.estimator import MultiPoseEstimator
from fitness.pose.tracking import (
    MAX_PEOPLE,
    PeopleEstimator,
    PeopleOptions,
    body_height,
    centre_x,
    pose_distance,
)
from fitness.pose.types import Pose

log = logging.getLogger(__name__)

# Someone seen for less than this is a passer-by or a false detection, not a person training
# (a rep takes a second or more), unless they completed a rep.
MIN_SEEN_MS: Final = 1000.0


def check_people(people: int | str) -> int | None:
    """``None`` for ``"auto"``, else the number of people 1..6; one-line :class:`FitnessError`."""
    from fitness.errors import FitnessError

    if isinstance(people, str):
        if people.strip().lower() == AUTO:
            return None
        try:
            people = int(people)
        except ValueError:
            raise FitnessError(f"--people must be a number from 1 to {MAX_PEOPLE} or 'auto', got {people!r}") from None
    if not 1 <= people <= MAX_PEOPLE:
        raise FitnessError(
            f"--people must be from 1 to {MAX_PEOPLE} (the pose model sees at most {MAX_PEOPLE} people), got {people}"
        )
    return people


@dataclass(slots=True)
class _Presence:
    """Where and how much one person was seen (for the report and for choosing who to list)."""

    frames: int = 0
    first_ms: float = 0.0
    last_ms: float = 0.0
    x_sum: float = 0.0
    x_min: float = 1.0
    x_max: float = 0.0
    score_sum: float = 0.0

    def add(self, pose: Pose, t_ms: float, width: float) -> None:
        if self.frames == 0:
            self.first_ms = t_ms
        self.frames += 1
        self.last_ms = t_ms
        x = centre_x(pose) / width if width > 0 else 0.0
        self.x_sum += x
        self.x_min, self.x_max = min(self.x_min, x), max(self.x_max, x)
        self.score_sum += pose.score

    @property
    def x(self) -> float:
        return self.x_sum / self.frames if self.frames else 0.0

    @property
    def visibility(self) -> float:
        """Frames seen, weighted by how clearly: who counts as "most visible" in a crowd."""
        return self.score_sum


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One person's analysis. ``x``: mean horizontal centre, 0 = left edge, 1 = right edge
    (``x_range``: where the centre went). ``asked``: the person counted as each exercise named
    when analysing (``also_count``), for when the exercise is known from elsewhere (a label)."""

    person: int
    x: float
    x_range: tuple[float, float]
    frames_seen: int
    first_ms: int
    last_ms: int
    result: AnalysisResult
    asked: dict[str, AnalysisResult] = field(default_factory=dict)

    @property
    def exercise(self) -> str:
        return self.result.exercise

    @property
    def count(self) -> int:
        return self.result.count

    @property
    def counts(self) -> dict[str, int]:
        """Reps counted as each asked exercise, and as the one reported."""
        return {self.exercise: self.count} | {k: r.count for k, r in self.asked.items()}

    def to_dict(self) -> dict[str, Any]:
        doc = self.result.to_dict()
        doc.pop("video", None)
        return {
            "person": self.person,
            "x": round(self.x, 3),
            "x_range": [round(v, 3) for v in self.x_range],
            "frames_seen": self.frames_seen,
            "first_ms": self.first_ms,
            "last_ms": self.last_ms,
            **doc,
        }


@dataclass(frozen=True)
class GroupResult:
    """Everyone counted in one stream, left to right, plus notes about the group as a whole."""

    video: VideoInfo
    people: tuple[PersonResult, ...]
    notes: tuple[str, ...] = ()
    most_in_view: int = 0
    requested: int | None = None
    # Seconds spent tracking and counting over the whole stream (for the benchmark; not in the JSON).
    busy_s: Mapping[str, float] = field(default_factory=dict)

    def person(self, person_id: int) -> PersonResult:
        for p in self.people:
            if p.person == person_id:
                return p
        raise KeyError(f"no person {person_id}; people: {[p.person for p in self.people]}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "video": self.video.to_dict(),
            "people_requested": self.requested if self.requested is not None else AUTO,
            "most_in_view": self.most_in_view,
            "people": [p.to_dict() for p in self.people],
            "notes": list(self.notes),
        }


class GroupAnalyzer:
    """``update({id: Pose}, t_ms) -> {id: FrameResult}``: one counter per person, same exercise rule.

    ``exercise``: one exercise for everyone, or ``"auto"`` (each person's own is recognised).
    ``width``: the frame width in pixels, for the ``x`` of each person.
    """

    def __init__(
        self, exercise: str = AUTO, config: CounterConfig | None = None, *, width: int = 0, keep_frames: bool = False
    ) -> None:
        self.requested = check_exercise(exercise)
        self.config = config
        self.width = width
        self.keep_frames = keep_frames
        self.analyzers: dict[int, StreamAnalyzer] = {}
        self.presence: dict[int, _Presence] = {}
        self.last: dict[int, FrameResult] = {}
        # Each person's reps completed on the latest update (their first frames' replay included).
        self.new_reps: dict[int, tuple[Rep, ...]] = {}
        self.most_in_view = 0
        self.busy_s = 0.0  # time spent in update()

    def analyzer(self, person: int) -> StreamAnalyzer:
        """The person's analyzer, made on first sight (a new person starts from zero)."""
        if person not in self.analyzers:
            self.analyzers[person] = StreamAnalyzer(self.requested, self.config, keep_frames=self.keep_frames)
            self.presence[person] = _Presence()
            log.debug("person %d: new counter", person)
        return self.analyzers[person]

    def update(
        self,
        people: Mapping[int, Pose],
        t_ms: float,
        in_view: int | None = None,
        earlier: Mapping[int, Iterable[tuple[float, Pose]]] | None = None,
    ) -> dict[int, FrameResult]:
        """``in_view``: how many people the detector saw on this frame, if more than are followed.
        ``earlier``: for people new on this frame, their poses on the frames before they were
        confirmed (:attr:`PoseTracker.earlier`): their counter starts from those."""
        started = time.perf_counter()
        self.most_in_view = max(self.most_in_view, len(people), in_view or 0)
        new_reps: dict[int, list[Rep]] = {}
        for person in people:
            if person not in self.analyzers:
                analyzer = self.analyzer(person)
                for t, first in (earlier or {}).get(person, ()):
                    if t < t_ms:
                        analyzer.update(first, t)
                        self.presence[person].add(first, t, self.width)
                        new_reps.setdefault(person, []).extend(analyzer.new_reps)
        out: dict[int, FrameResult] = {}
        for person, analyzer in self.analyzers.items():
            pose = people.get(person)
            out[person] = analyzer.update(pose, t_ms)
            new_reps.setdefault(person, []).extend(analyzer.new_reps)
            if pose is not None:
                self.presence[person].add(pose, t_ms, self.width)
        self.last = out
        self.new_reps = {p: tuple(r) for p, r in new_reps.items() if r}
        self.busy_s += time.perf_counter() - started
        return out

    def reps(self, person: int) -> int:
        """The person's count so far (0 before an exercise is recognised)."""
        counter = self.analyzers[person].counter
        return 0 if counter is None else counter.count

    def chosen(self, limit: int | None = None) -> list[int]:
        """The people worth reporting: seen long enough (or with a rep), the ``limit`` most visible."""
        real = [p for p, seen in self.presence.items() if seen.last_ms - seen.first_ms >= MIN_SEEN_MS or self.reps(p)]
        real.sort(key=lambda p: -self.presence[p].visibility)
        return real[:limit] if limit is not None else real

    def result(self, info: VideoInfo, limit: int | None = None, also_count: Collection[str] = ()) -> GroupResult:
        """Everyone chosen, left to right; ``also_count``: exercises each person is also counted
        as (:attr:`PersonResult.asked`). Ends the stream for the people reported."""
        chosen = self.chosen(limit)
        people = []
        for p in chosen:
            seen = self.presence[p]
            result, asked = result_with(self.analyzers[p], also_count, info)
            people.append(
                PersonResult(
                    person=p,
                    x=seen.x,
                    x_range=(seen.x_min, seen.x_max),
                    frames_seen=seen.frames,
                    first_ms=round(seen.first_ms),
                    last_ms=round(seen.last_ms),
                    result=result,
                    asked=asked,
                )
            )
        people.sort(key=lambda r: r.x)
        return GroupResult(info, tuple(people), tuple(self._notes(chosen, limit)), self.most_in_view, limit)

    def _notes(self, chosen: list[int], limit: int | None) -> list[str]:
        notes: list[str] = []
        real = self.chosen()
        if not real:
            notes.append("No person found in the video: 0 reps")
        if self.most_in_view >= MAX_PEOPLE:
            notes.append(
                f"{MAX_PEOPLE} or more people in view at once: the pose model sees at most {MAX_PEOPLE}, "
                f"so only the {MAX_PEOPLE} most visible are counted"
            )
        if limit is not None and len(real) > len(chosen):
            notes.append(
                f"{len(real)} people seen: counting the {len(chosen)} most visible (use --people {min(len(real), 6)})"
            )
        return notes


@dataclass(frozen=True, slots=True)
class PeopleFrame:
    t_ms: float
    people: Mapping[int, Pose] = field(default_factory=dict)


def analyze_people(
    frames: Iterable[PeopleFrame],
    exercise: str = AUTO,
    *,
    width: int,
    video: VideoInfo | None = None,
    limit: int | None = None,
    config: CounterConfig | None = None,
) -> GroupResult:
    """Count from tracked poses already estimated (tests, tuning, replays)."""
    group = GroupAnalyzer(exercise, config, width=width)
    n = 0
    for item in frames:
        group.update(item.people, item.t_ms)
        n += 1
    return group.result(video or VideoInfo("", width, 0, 0.0, n, 0), limit)


def annotate_people(
    frame_rgb: np.ndarray,
    people: Mapping[int, Pose],
    group: GroupAnalyzer,
    results: Mapping[int, FrameResult],
    *,
    labels: Mapping[int, tuple[str, ...]] | None = None,
    mirror: bool = False,
) -> np.ndarray:
    """Each person's skeleton in their own colour, their count and exercise above their head
    (``labels``: other lines per person, e.g. the live page's count and profile). With ``mirror``
    the picture and the skeletons are flipped and the labels drawn afterwards, so they read."""
    from fitness.engine.registry import REGISTRY
    from fitness.pipeline.hud import draw_person_label, mirror_frame, mirror_pose
    from fitness.pose.drawing import draw_pose, person_colour

    out = mirror_frame(frame_rgb) if mirror else frame_rgb.copy()
    width = frame_rgb.shape[1]
    for person, seen in people.items():
        pose = mirror_pose(seen, width) if mirror else seen
        colour = person_colour(person)
        draw_pose(out, pose, copy=False, colour=colour)
        lines = labels.get(person) if labels is not None else None
        res = results.get(person)
        if lines is None and res is not None:
            key = group.analyzers[person].exercise
            name = f"P{person}" if key is None else f"P{person} {REGISTRY[key].name.lower()}"
            lines = (str(res.reps), name)
        if lines:
            draw_person_label(out, pose, lines, colour, copy=False)
    return out


# Group mode runs the models on about this many frames a second: each person costs a Lightning
# pass per frame, and 15 samples a second still give 7 or more per rep even for jumping jacks
# (~1 s each), well above what the counter's smoothing keeps; the 5 fps clip counts right too.
GROUP_RATE_HZ: Final = 15.0
# MultiPose looks for newcomers this often (each person already found is followed by their own
# crop on every frame): someone stepping in is counted from a fifth of a second later at most
# (and their first frames are replayed to their counter), at a third of the cost of every frame.
DETECT_HZ: Final = 5.0
# Once everyone asked for is followed, MultiPose only counts the people in view (for the notes
# about a crowd): once a second is enough, and saves most of its cost (~19 ms a run against
# ~6 ms for a person's crop, so at 5 Hz it cost as much as two people's crops at 15 Hz).
RECOUNT_HZ: Final = 1.0


def rated_options(options: PeopleOptions, rate_hz: float, people: int | None) -> PeopleOptions:
    """``options`` for a stream processed at ``rate_hz`` frames a second, following ``people``."""
    if not options.refine:
        detect_every = recount_every = 1
    else:
        detect_every = max(1, round(rate_hz / DETECT_HZ))
        recount_every = max(detect_every, round(rate_hz / RECOUNT_HZ))
    tracker = replace(options.tracker, rate_hz=rate_hz)
    return replace(
        options,
        tracker=tracker,
        max_people=people or MAX_PEOPLE,
        detect_every=detect_every,
        recount_every=recount_every,
    )


def load_people_estimator(
    people: int | None = None, options: PeopleOptions | None = None, *, runtime: str = "litert", threads: int = 2
) -> PeopleEstimator:
    """MultiPose (and Lightning when refining) wrapped in a :class:`PeopleEstimator`."""
    from fitness.pose.estimator import EstimatorOptions, MultiPoseEstimator, PoseEstimator, load_estimator

    opts = options or PeopleOptions()
    if people is not None:
        opts = replace(opts, max_people=people)
    # MultiPose must hand over everyone down to the people options' own threshold.
    multi = load_estimator(
        "multipose", runtime, threads=threads, options=EstimatorOptions(min_pose_score=opts.min_pose_score)
    )
    assert isinstance(multi, MultiPoseEstimator)
    single = load_estimator("lightning", runtime, threads=threads) if opts.refine else None
    assert single is None or isinstance(single, PoseEstimator)
    return PeopleEstimator(multi, single, opts)


def analyze_group_video(
    path: str | Path,
    exercise: str = AUTO,
    *,
    people: int | None = None,
    estimator: PeopleEstimator | None = None,
    stride: int | None = None,
    annotate_to: str | Path | None = None,
    progress: ProgressFn | None = None,
    config: CounterConfig | None = None,
    allow_cut_short: bool = False,
    also_count: Collection[str] = (),
) -> GroupResult:
    """Count every person in a video: ``people`` = how many to report (``None``: everyone, up to 6).

    ``stride``: run the models on every n-th frame only (the counters see the stream at fps / n);
    by default as many as keep about :data:`GROUP_RATE_HZ` frames a second.
    ``estimator`` is reset and reused if given (its tracker is set to the processed frame rate).
    ``also_count``: exercises everyone is also counted as (:attr:`PersonResult.asked`).
    A file cut short raises :class:`CutShortError` unless ``allow_cut_short``, as in
    :func:`fitness.pipeline.video_analysis.analyze_video`.
    """
    from fitness.errors import InputFileError
    from fitness.pipeline.video_analysis import video_info
    from fitness.pipeline.video_io import CutShortError, WriterContext, cut_short_message, open_video, open_writer

    check_exercise(exercise)
    if stride is not None and stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    source = Path(path)
    with open_video(source) as video:
        stride = stride or max(1, round(video.fps / GROUP_RATE_HZ))
        est = estimator if estimator is not None else load_people_estimator(people)
        est.configure(rated_options(est.options, video.fps / stride, people))
        # The whole video's history, as for one person: recognition weighs all of it and a
        # counter that joins late (or is asked for at the end) replays it all.
        group = GroupAnalyzer(exercise, config, width=video.width, keep_frames=True)
        writer = open_writer(annotate_to, video.fps, (video.width, video.height)) if annotate_to else None
        seen: dict[int, Pose] = {}
        results: dict[int, FrameResult] = {}
        n = 0
        with WriterContext(writer):
            for frame in video:
                if n % stride == 0:
                    seen = est.estimate(frame.rgb, frame.t_ms)
                    results = group.update(seen, frame.t_ms, len(est.last_detections), est.earlier)
                if writer is not None:
                    writer.write(annotate_people(frame.rgb, seen, group, results), frame.t_ms)
                n += 1
                if progress is not None:
                    progress(n, video.frame_count)
            # Inside the writer's block: a cut file leaves no annotated copy behind.
            info = video_info(video)
            if info.cut_short and not allow_cut_short:
                raise CutShortError(f"{source} is {cut_short_message(info.frames, info.expected_frames)}")
    if n == 0:
        raise InputFileError(f"{source} has no video frames that can be decoded")
    busy = {"tracking": est.tracker.busy_s, "counting": group.busy_s}
    return replace(group.result(info, people, also_count), busy_s=busy)


# How often one-person mode checks for others in view: MultiPose costs ~20 ms, so once every two
# seconds adds about 0.3 ms per 30 fps frame (a few percent of the one-person pipeline).
PROBE_EVERY_MS: Final = 2000.0
# Someone counts as "in view" when they are seen on at least this share of the probes (a single
# false detection on one frame is not a second person).
PROBE_SHARE: Final = 0.3


def _place(rank: int, n: int) -> str:
    if rank == 0:
        return "the one on the left"
    if rank == n - 1:
        return "the one on the right"
    if n == 3:
        return "the one in the middle"
    return f"the one {rank + 1}th from the left" if rank > 1 else "the one second from the left"


class PeopleProbe:
    """One-person mode's look-out: every ``every_ms``, MultiPose counts the people in view and
    says which of them the one-person estimator is following.

    ``check(frame, t_ms, pose)`` is cheap between probes (a comparison); ``notes()`` says, once the
    stream is over, "2 people in view: counting the one on the left; ...".
    """

    def __init__(
        self, multipose: MultiPoseEstimator, every_ms: float = PROBE_EVERY_MS, min_score: float = 0.25
    ) -> None:
        self.multipose = multipose
        self.every_ms = every_ms
        self.min_score = min_score
        self._next_ms: float | None = None
        self.probes = 0
        self.counts: list[int] = []
        self.ranks: list[tuple[int, int]] = []  # (rank of the followed person from the left, people)

    def check(self, frame: np.ndarray, t_ms: float, pose: Pose | None) -> int | None:
        """People in view if a probe ran on this frame, else ``None``."""
        if self._next_ms is not None and t_ms < self._next_ms:
            return None
        self._next_ms = t_ms + self.every_ms
        found = [p for p in self.multipose.estimate_all(frame) if p.score >= self.min_score]
        self.probes += 1
        self.counts.append(len(found))
        if pose is not None and len(found) >= 2:
            ordered = sorted(found, key=centre_x)
            scale = body_height(pose)
            nearest = min(
                range(len(ordered)), key=lambda i: pose_distance(pose.keypoints, ordered[i].keypoints, scale, 0.3)
            )
            self.ranks.append((nearest, len(ordered)))
        return len(found)

    def live_note(self, mirrored: bool = False) -> str | None:
        """The live page's hint while one person is counted: "2 people in view: counting the one
        on the left; turn on Group", from the latest probes (a person seen on two of the last
        three, so one false detection says nothing). ``mirrored``: left and right as the page
        shows the picture."""
        recent = self.counts[-3:]
        if len(recent) < 2:
            return None
        n = sorted(recent, reverse=True)[1]
        if n < 2:
            return None
        which = ""
        if self.ranks:
            rank, seen = self.ranks[-1]
            which = f": counting {_place(seen - 1 - rank if mirrored else rank, seen)}"
        more = "6 or more" if n >= MAX_PEOPLE else str(n)
        return f"{more} people in view{which}; turn on Group to count everyone"

    @property
    def last_count(self) -> int:
        """People in view at the latest probe (the live page's "2 people in view" hint)."""
        return self.counts[-1] if self.counts else 0

    @property
    def people_in_view(self) -> int:
        """The most people seen on at least :data:`PROBE_SHARE` of the probes."""
        if not self.counts:
            return 0
        need = max(1, round(PROBE_SHARE * len(self.counts)))
        ordered = sorted(self.counts, reverse=True)
        return ordered[need - 1]

    def notes(self) -> tuple[str, ...]:
        n = self.people_in_view
        if n < 2:
            return ()
        which = ""
        if self.ranks:
            rank, seen = Counter(self.ranks).most_common(1)[0][0]
            which = f": counting {_place(rank, seen)}"
        more = "6 or more" if n >= MAX_PEOPLE else str(n)
        return (
            f"{more} people in view{which}; use --people {min(n, MAX_PEOPLE)} (or the Group toggle) to count everyone",
        )


PersonRepFn = Callable[[int, Rep], None]


@dataclass(frozen=True, slots=True)
class PersonStatus:
    """What the live page shows beside the video for one person, left to right."""

    person: int
    x: float
    exercise: str | None  # None until recognised
    reps: int
    cue: str | None
    in_view: bool


class GroupCoach:
    """Webcam coaching for several people, one frame at a time (the live page's Group mode).

    ``process(frame_rgb, t_ms) -> (annotated, {person_id: FrameResult})``; ``status()`` lists each
    person's count and latest cue; ``result()`` gives each person's set to save under the profile
    the page assigned to them; ``on_rep(person, rep)`` fires (in the caller's thread) as each rep
    completes. Not thread-safe and not shareable: one per stream, like :class:`LiveCoach`.
    ``rate_hz``: the expected frame rate, for the tracker's time settings.
    """

    def __init__(
        self,
        exercise: str = AUTO,
        estimator: PeopleEstimator | None = None,
        *,
        people: int | None = None,
        threads: int = 1,
        draw: bool = True,
        on_rep: PersonRepFn | None = None,
        config: CounterConfig | None = None,
        rate_hz: float = 30.0,
    ) -> None:
        self._exercise = check_exercise(exercise)
        self._config = config
        self.people = people
        self.estimator = estimator if estimator is not None else load_people_estimator(people, threads=threads)
        self.estimator.configure(rated_options(self.estimator.options, rate_hz, people))
        self.draw = draw
        self.on_rep = on_rep
        self.group = GroupAnalyzer(self._exercise, config)
        self._last_t = -1.0
        self.last_people: dict[int, Pose] = {}
        self.last_results: dict[int, FrameResult] = {}
        self._cues: dict[int, str] = {}

    def reset(self, exercise: str | None = None) -> None:
        """Start over (a new set for everyone, or another exercise)."""
        if exercise is not None:
            self._exercise = check_exercise(exercise)
        self.estimator.reset()
        self.group = GroupAnalyzer(self._exercise, self._config)
        self._last_t = -1.0
        self.last_people, self.last_results, self._cues = {}, {}, {}

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, dict[int, FrameResult]]:
        # Browsers occasionally repeat a timestamp; the pipeline needs them strictly increasing.
        t = max(float(t_ms), self._last_t + 1.0)
        self._last_t = t
        if self.group.width == 0:
            self.group.width = frame_rgb.shape[1]
        people = self.estimator.estimate(frame_rgb, t)
        results = self.group.update(people, t, len(self.estimator.last_detections), self.estimator.earlier)
        self.last_people, self.last_results = people, results
        for person, res in results.items():
            if res.cues:
                self._cues[person] = res.cues[0]
        if self.on_rep is not None:
            for person, reps in self.group.new_reps.items():
                for rep in reps:
                    self.on_rep(person, rep)
        if not self.draw:
            return frame_rgb, results
        return annotate_people(frame_rgb, people, self.group, results), results

    def status(self) -> list[PersonStatus]:
        """Everyone worth showing (seen for a second or with a rep), left to right."""
        out = [
            PersonStatus(
                person=p,
                x=self.group.presence[p].x,
                exercise=self.group.analyzers[p].exercise,
                reps=self.group.reps(p),
                cue=self._cues.get(p),
                in_view=p in self.last_people,
            )
            for p in self.group.chosen(self.people)
        ]
        return sorted(out, key=lambda s: s.x)

    def result(self, info: VideoInfo | None = None) -> GroupResult:
        """Each person's set so far (``info`` describes the stream; a blank one by default)."""
        return self.group.result(info or VideoInfo("webcam", self.group.width, 0, 0.0, 0, 0), self.people)
