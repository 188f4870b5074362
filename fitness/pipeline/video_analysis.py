"""A video file through the model and the engine: :func:`analyze_video` (CLI, upload page,
benchmark), with an optional progress callback, annotated output and a way to stop it
(``should_stop``: :class:`AnalysisCancelled`).

The annotated video is drawn once the analysis is done, in a second decoding pass: a cue is
judged when its rep ends, and the picture marks the frame where it was judged (the deepest frame
for a depth cue), which by then is seconds behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from fitness.engine.counter import CounterConfig, FrameResult
from fitness.engine.spec import SIDES, ExerciseSpec
from fitness.engine.values import Cue
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO, AnalysisResult, ProgressFn, StreamAnalyzer, VideoInfo, _result, check_exercise
from fitness.pipeline.video_io import CutShortError, VideoSource, cut_short_message
from fitness.pose.estimator import Estimator
from fitness.pose.types import Pose
from fitness.text import clock

if TYPE_CHECKING:
    from fitness.pipeline.group import PeopleProbe

log = logging.getLogger(__name__)

# A pose rate that keeps every count on the labelled clips (20 of 20, with the named exercise
# and with recognition) at half the model's work on 30 fps video. Why it can: a rep lasts at
# least its spec's minimum duration (0.4 s or more: 6 poses at 15 a second, on the way down and
# up), and the counter smooths its signal with a One-Euro filter whose cut-off (1.5 Hz at rest,
# a few Hz in fast moves) is well under the 7.5 Hz that 15 samples a second resolve; the
# counter and the estimator's filters take real timestamps, so a lower rate is a rate, not an
# error. What it costs: reps start, turn and end on frames analysed, and where the movement is
# flat (a pause at the bottom, a slow start) the frame taken for the moment can move by several
# frames; counter notes that count frames count the frames analysed.
POSE_FPS = 15.0


# A judged cue stays on the annotated picture this long from the frame it was judged on: long
# enough to read a short line (about 1.5 s), short enough not to run into the next rep.
MARK_MS: Final = 1500

StopFn = Callable[[], bool]  # asked before each frame: True ends the analysis (a threading.Event's is_set)


class AnalysisCancelled(FitnessError):
    """An analysis was stopped on request (``should_stop``) before it finished: nothing was
    written, and there is no result. ``at_ms``: how far into the video it had got;
    ``duration_ms``: the video's length (0: unknown); ``drawing``: the counting was done and
    the annotated video was being drawn."""

    def __init__(self, at_ms: float, duration_ms: float, *, drawing: bool = False) -> None:
        self.at_ms, self.duration_ms, self.drawing = at_ms, duration_ms, drawing
        super().__init__(f"Analysis stopped at {self.where}")

    @property
    def where(self) -> str:
        """``0:23 of 1:10`` (and what it was doing, when it was drawing)."""
        length = f" of {clock(self.duration_ms / 1000)}" if self.duration_ms > 0 else ""
        return clock(self.at_ms / 1000) + length + (" while drawing the annotated video" if self.drawing else "")


@dataclass(frozen=True, slots=True)
class CueMark:
    """A cue as the annotated video shows it: from the frame it was judged on, for ``MARK_MS``,
    its text with the measurement and rings round the joints it was judged from."""

    t_ms: int
    text: str
    joints: tuple[str, ...]

    def shows_at(self, t_ms: float) -> bool:
        # Cue times are whole milliseconds, frame times are not (666.67 is the frame at 667).
        return self.t_ms - 1 < t_ms < self.t_ms + MARK_MS


def _cue_joints(spec: ExerciseSpec, cue: Cue, side: str) -> tuple[str, ...]:
    """The joints ``cue`` was judged from: its rule's measure, or the counted measure for a cue
    about how far the movement went (a partial rep, the personal baseline)."""
    measure = next((r.measure for r in spec.rules if r.id == cue.id), spec.primary)
    sides = [s for s in SIDES if s == side] or list(SIDES)
    return tuple(dict.fromkeys(n for s in sides for n in measure.names(s)))


def cue_marks(result: AnalysisResult) -> list[CueMark]:
    """Every cue of the analysis that says when it was judged, as the video marks it."""
    spec = result.spec
    if spec is None:
        return []
    marks = [
        CueMark(c.t_ms, f"Rep {rep.index}: {c}", _cue_joints(spec, c, rep.side))
        for rep in result.reps
        for c in rep.cues
        if c.t_ms is not None
    ]
    marks += [
        CueMark(c.t_ms, f"Not counted: {c}" if c.id != "partial" else str(c), _cue_joints(spec, c, p.side))
        for p in result.partial_reps
        for c in p.cues
        if c.t_ms is not None
    ]
    return sorted(marks, key=lambda m: m.t_ms)


def annotate(
    frame_rgb: np.ndarray,
    pose: Pose | None,
    result: FrameResult,
    spec: ExerciseSpec | None,
    *,
    marks: Sequence[CueMark] = (),
    frame_ms: float = 0.0,
) -> np.ndarray:
    """Skeleton plus HUD on a copy of the frame (``spec`` ``None``: no exercise found or
    recognised yet, only the note is shown), and the ``marks`` showing at ``frame_ms``: the
    latest one's text along the bottom, rings round their joints (thick on the judged frame)."""
    from fitness.pipeline.hud import draw_hud, ring_joints
    from fitness.pose.drawing import draw_pose

    out = draw_pose(frame_rgb, pose)
    showing = [m for m in marks if m.shows_at(frame_ms)]
    for m in showing:
        ring_joints(out, pose, m.joints, strong=abs(frame_ms - m.t_ms) < MARK_MS / 10)
    return draw_hud(out, result, spec, copy=False, mark=showing[-1].text if showing else None)


def analyze_video(
    path: str | Path,
    exercise: str = AUTO,
    *,
    estimator: Estimator | None = None,
    variant: str = "lightning",
    runtime: str = "litert",
    model_path: str | Path | None = None,
    threads: int = 2,
    annotate_to: str | Path | None = None,
    progress: ProgressFn | None = None,
    config: CounterConfig | None = None,
    allow_cut_short: bool = False,
    probe: PeopleProbe | None = None,
    should_stop: StopFn | None = None,
    drawing_progress: ProgressFn | None = None,
    pose_fps: float | None = None,
) -> AnalysisResult:
    """Run the model over a video and count; raises :class:`InputFileError` for bad files.

    ``estimator`` (from :func:`fitness.pose.load_estimator`) is reset and reused if given;
    otherwise one is loaded. ``annotate_to`` writes the skeleton + HUD video (.mp4 or .gif),
    complete or not at all. ``progress(done, total)`` is called after every frame counted,
    ``drawing_progress(done, total)`` after every frame drawn (drawing and encoding can take
    longer than the count: a bar that stopped at the end of the count would look stuck). A file
    that ends long before its header says (:func:`fitness.pipeline.video_io.cut_short`) raises
    :class:`CutShortError` unless ``allow_cut_short`` (then ``result.video.cut_short`` says so).
    ``probe`` (one-person mode's occasional MultiPose look) adds a note when more than one
    person is in view. ``should_stop()`` is asked before every frame of both passes (the
    count, then the drawing): once it says True the analysis ends within that frame, raising
    :class:`AnalysisCancelled`, and no annotated file is left (one already at ``annotate_to``
    is untouched).

    ``pose_fps`` runs the model and the counter on only enough frames to keep that rate (15:
    every other frame of a 30 fps video, half the work; see :data:`POSE_FPS`); None: on every
    frame. Then ``result.frames`` (and an annotated video) has one entry per frame analysed,
    each at its own time, and the video's info still describes the whole video.
    """
    from fitness.pipeline.video_io import open_video
    from fitness.pose.estimator import load_estimator

    check_exercise(exercise)
    source = Path(path)
    with open_video(source, sample_fps=pose_fps) as video:
        est = (
            estimator
            if estimator is not None
            else load_estimator(variant, runtime, model_path=model_path, threads=threads)
        )
        est.reset()
        analyzer = StreamAnalyzer(exercise, config)
        poses: list[Pose | None] = []
        total = video.frame_count
        for frame in video:
            if should_stop is not None and should_stop():
                # Everything before this frame was analysed.
                raise AnalysisCancelled(frame.t_ms, _length_ms(video))
            pose = est.estimate(frame.rgb, frame.t_ms)
            if probe is not None:
                probe.check(frame.rgb, frame.t_ms, pose)
            analyzer.update(pose, frame.t_ms)
            poses.append(pose)
            if progress is not None:
                progress(frame.index + 1, total)
        info = video_info(video)
        if info.cut_short and not allow_cut_short:
            raise CutShortError(f"{source} is {cut_short_message(info.frames, info.expected_frames)}")
    result = _result(analyzer, info)
    if probe is not None and probe.notes():
        result = replace(result, notes=(*result.notes, *probe.notes()))
    if annotate_to is not None:
        # Cues (and, with auto, the exercise) are known only at the end: draw in a second pass.
        _write_annotated(
            source, Path(annotate_to), poses, result, pose_fps, should_stop=should_stop, progress=drawing_progress
        )
    return result


def video_info(video: VideoSource) -> VideoInfo:
    """What was decoded, at the video's display size (frames may have been shrunk)."""
    return VideoInfo(
        str(video.path),
        video.display_width,
        video.display_height,
        video.fps,
        video.decoded,
        round(video.decoded_duration_ms),
        video.frame_count,
    )


def _length_ms(video: VideoSource) -> float:
    """The video's length as its header says, else as its frame count says (0: unknown)."""
    if video.duration_ms > 0:
        return video.duration_ms
    return video.frame_count * 1000.0 / video.fps if video.fps > 0 else 0.0


def _write_annotated(
    source: Path,
    out: Path,
    poses: list[Pose | None],
    result: AnalysisResult,
    pose_fps: float | None = None,
    *,
    should_stop: StopFn | None = None,
    progress: ProgressFn | None = None,
) -> None:
    from fitness.pipeline.video_io import WriterContext, open_video, open_writer

    with open_video(source, sample_fps=pose_fps) as video:
        writer = open_writer(out, video.fps, (video.width, video.height))
        marks = cue_marks(result)
        # Stopping raises inside the writer's block, which throws the half-written file away.
        with WriterContext(writer):
            for done, (frame, pose, res) in enumerate(zip(video, poses, result.frames, strict=False), 1):
                if should_stop is not None and should_stop():
                    raise AnalysisCancelled(frame.t_ms, _length_ms(video), drawing=True)
                writer.write(annotate(frame.rgb, pose, res, result.spec, marks=marks, frame_ms=frame.t_ms), frame.t_ms)
                if progress is not None:
                    progress(done, len(poses))
