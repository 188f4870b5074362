"""The pipeline as a library: pose stream -> counter -> reps, notes, per-frame results.

Three ways in, one engine:

- :func:`analyze_video` runs the model over a file (CLI, upload page, benchmark) with an optional
  progress callback and annotated output; :class:`AnalysisResult` holds the reps, the notes and
  one :class:`~fitness.counter.FrameResult` per frame (angle-over-time charts).
- :func:`analyze_poses` does the same from poses already estimated (tests, tuning, replays).
- :class:`LiveCoach` takes webcam frames one at a time: ``process(frame_rgb, t_ms)`` returns
  the annotated frame and that frame's result. One coach per stream: it holds a stateful pose
  estimator, and a LiteRT interpreter must not be shared between threads.

``exercise="auto"`` counts every registered exercise side by side and reports the one the
recogniser settles on. A named exercise is still checked against the others, so footage of the
wrong exercise ends with a low-confidence note instead of a confident wrong count.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from exercises import REGISTRY
from fitness.counter import CounterConfig, FrameResult, RepCounter
from fitness.errors import FitnessError, InputFileError
from fitness.recognize import ExerciseRecognizer, Recognition
from fitness.session import Rep
from fitness.spec import ExerciseSpec
from fitness.types import Pose

log = logging.getLogger(__name__)

AUTO = "auto"
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
    """Everything one analysis produced. ``frames`` has one entry per video frame."""

    exercise: str
    video: VideoInfo
    reps: tuple[Rep, ...]
    per_side: dict[str, int]
    notes: tuple[str, ...]
    frames: tuple[FrameResult, ...] = ()
    recognition: Recognition | None = None
    requested: str = AUTO

    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def spec(self) -> ExerciseSpec:
        return REGISTRY[self.exercise]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        doc: dict[str, Any] = {
            "exercise": self.exercise,
            "reps": self.count,
            "video": self.video.to_dict(),
            "rep_list": [r.to_dict() for r in self.reps],
            "per_side": dict(self.per_side),
            "notes": list(self.notes),
        }
        if self.recognition is not None:
            doc["recognition"] = {
                "exercise": self.recognition.exercise,
                "confidence": self.recognition.confidence,
                "scores": self.recognition.scores,
            }
        return doc

    def angle_series(self) -> tuple[np.ndarray, np.ndarray]:
        """``(t_ms, angle)`` arrays for a chart; NaN where the angle was not measured."""
        t = np.array([f.t_ms for f in self.frames], dtype=np.float64)
        a = np.array([np.nan if f.angle is None else f.angle for f in self.frames], dtype=np.float64)
        return t, a


class StreamAnalyzer:
    """Counts the requested exercise (and, to check it, all the others) frame by frame."""

    def __init__(self, exercise: str = AUTO, config: CounterConfig | None = None, keep_frames: bool = True) -> None:
        self.requested = check_exercise(exercise)
        self.recognizer = ExerciseRecognizer(REGISTRY, config)
        self.keep_frames = keep_frames
        self.frames: dict[str, list[FrameResult]] = {k: [] for k in REGISTRY}
        self.last: dict[str, FrameResult] = {}

    @property
    def exercise(self) -> str:
        """The exercise being reported: the requested one, or the recogniser's verdict so far."""
        return self.requested if self.requested != AUTO else self.recognizer.current().exercise

    @property
    def counter(self) -> RepCounter:
        return self.recognizer.counters[self.exercise]

    def update(self, pose: Pose | None, t_ms: float) -> FrameResult:
        results = self.recognizer.update(pose, t_ms)
        self.last = results
        if self.keep_frames:
            for key, res in results.items():
                self.frames[key].append(res)
        return results[self.exercise]

    def notes(self) -> tuple[str, ...]:
        return summarize_notes(self.counter, self.recognizer.current(), self.requested, self.recognizer.counters)


def summarize_notes(
    counter: RepCounter, recognition: Recognition, requested: str, counters: Mapping[str, RepCounter]
) -> tuple[str, ...]:
    """Plain-language notes on what limited the count (and what the counter could not judge)."""
    spec, stats = counter.spec, counter.stats
    notes: list[str] = []
    if stats.frames == 0:
        return ("The video has no frames",)
    if stats.with_person == 0:
        return (f"No person found in any of the {stats.frames} frames: 0 reps",)
    if requested == AUTO:
        sure = "" if recognition.confident else " (low confidence)"
        notes.append(f"Recognised as {spec.name.lower()}{sure}")
    else:
        best = counters[recognition.exercise]
        if recognition.exercise != spec.key and best.count > counter.count:
            other = best.spec.name.lower()
            notes.append(
                f"This looks more like {other} than {spec.name.lower()} "
                f"({best.count} {other} reps found): low confidence in this count"
            )
    if stats.in_position == 0:
        notes.append(f"Never in position for {spec.name.lower()}: {spec.setup_message.lower()}")
    elif stats.counted == 0:
        if stats.missing:
            joints = sorted({n.split("_", 1)[-1] for n in stats.missing})
            notes.append(
                f"The {', '.join(joints)} were never visible: {spec.name.lower()} is counted from the "
                f"{spec.primary.a}, {spec.primary.vertex} and {spec.primary.c}"
            )
        for message in stats.unmet:
            notes.append(f"{message} (never the case here)")
    else:
        share = 1.0 - stats.counted / (stats.in_position * (2 if spec.sides == "both" else 1))
        if share > 0.3 and stats.missing:
            joints = sorted({n.replace("_", " ") for n, _ in stats.missing.most_common(3)})
            notes.append(f"Partly out of view ({share:.0%} of frames): {', '.join(joints)} hidden")
    if stats.cuts:
        notes.append(f"{stats.cuts} scene cut(s): a rep interrupted by a cut is not counted")
    if counter.partial:
        notes.append(
            f"{counter.partial} partial rep(s) not counted: {spec.name.lower()} did not reach the turning point"
        )
    if stats.unsure:
        notes.append(f"{stats.unsure} movement(s) not counted: the {spec.primary.vertex} was barely visible")
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
    key = analyzer.exercise
    counter = analyzer.counter
    return AnalysisResult(
        exercise=key,
        video=info,
        reps=tuple(counter.reps),
        per_side=counter.per_side(),
        notes=analyzer.notes(),
        frames=tuple(analyzer.frames[key]),
        recognition=analyzer.recognizer.current(),
        requested=analyzer.requested,
    )


def annotate(frame_rgb: np.ndarray, pose: Pose | None, result: FrameResult, spec: ExerciseSpec) -> np.ndarray:
    """Skeleton plus HUD on a copy of the frame."""
    from fitness.hud import draw_hud
    from fitness.render import draw_pose

    out = draw_pose(frame_rgb, pose)
    return draw_hud(out, result, spec, copy=False)


def analyze_video(
    path: str | Path,
    exercise: str = AUTO,
    *,
    estimator: Any | None = None,
    variant: str = "lightning",
    runtime: str = "litert",
    model_path: str | Path | None = None,
    threads: int = 2,
    annotate_to: str | Path | None = None,
    progress: ProgressFn | None = None,
    config: CounterConfig | None = None,
) -> AnalysisResult:
    """Run the model over a video and count; raises :class:`InputFileError` for bad files.

    ``estimator`` (from :func:`fitness.pose.load_estimator`) is reset and reused if given;
    otherwise one is loaded. ``annotate_to`` writes the skeleton + HUD video (.mp4 or .gif).
    ``progress(done, total)`` is called after every frame.
    """
    from fitness.pose import load_estimator
    from fitness.video import WriterContext, open_video, open_writer

    check_exercise(exercise)
    source = Path(path)
    with open_video(source) as video:
        est = (
            estimator
            if estimator is not None
            else load_estimator(variant, runtime, model_path=model_path, threads=threads)
        )
        est.reset()
        analyzer = StreamAnalyzer(exercise, config)
        poses: list[Pose | None] = []
        live_draw = annotate_to is not None and exercise != AUTO
        writer = open_writer(annotate_to, video.fps, (video.width, video.height)) if live_draw and annotate_to else None
        total = video.frame_count
        with WriterContext(writer):
            for frame in video:
                pose = est.estimate(frame.rgb, frame.t_ms)
                frame_result = analyzer.update(pose, frame.t_ms)
                poses.append(pose)
                if writer is not None:
                    writer.write(annotate(frame.rgb, pose, frame_result, REGISTRY[exercise]))
                if progress is not None:
                    progress(len(poses), total)
        info = VideoInfo(
            str(source), video.width, video.height, video.fps, len(poses), round(len(poses) * 1000.0 / video.fps)
        )
    if not poses:
        raise InputFileError(f"{source} has no video frames that can be decoded")
    result = _result(analyzer, info)
    if annotate_to is not None and exercise == AUTO:
        # The exercise is only known at the end: draw in a second decoding pass.
        _write_annotated(source, Path(annotate_to), poses, result)
    return result


def _write_annotated(source: Path, out: Path, poses: list[Pose | None], result: AnalysisResult) -> None:
    from fitness.video import WriterContext, open_video, open_writer

    with open_video(source) as video:
        writer = open_writer(out, video.fps, (video.width, video.height))
        with WriterContext(writer):
            for frame, pose, res in zip(video, poses, result.frames, strict=False):
                writer.write(annotate(frame.rgb, pose, res, result.spec))


class LiveCoach:
    """Webcam coaching, one frame at a time: ``process(frame_rgb, t_ms) -> (annotated, result)``.

    Not thread-safe and not shareable: create one per video stream (each holds its own pose
    estimator). ``on_rep`` is called (in the caller's thread) with every completed rep.
    """

    def __init__(
        self,
        exercise: str = AUTO,
        estimator: Any | None = None,
        *,
        variant: str = "lightning",
        runtime: str = "litert",
        threads: int = 1,
        draw: bool = True,
        on_rep: RepFn | None = None,
        config: CounterConfig | None = None,
    ) -> None:
        from fitness.pose import load_estimator

        self._config = config
        self._exercise = check_exercise(exercise)
        self.estimator = estimator if estimator is not None else load_estimator(variant, runtime, threads=threads)
        self.draw = draw
        self.on_rep = on_rep
        self._analyzer = StreamAnalyzer(exercise, config, keep_frames=False)
        self._last_t = -1.0
        self.last_result: FrameResult | None = None
        self.last_pose: Pose | None = None

    @property
    def exercise(self) -> str:
        return self._analyzer.exercise

    @property
    def reps(self) -> list[Rep]:
        return self._analyzer.counter.reps

    def reset(self, exercise: str | None = None) -> None:
        """Start over (new set, or a different exercise)."""
        if exercise is not None:
            self._exercise = check_exercise(exercise)
        self.estimator.reset()
        self._analyzer = StreamAnalyzer(self._exercise, self._config, keep_frames=False)
        self._last_t = -1.0

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, FrameResult]:
        # Browsers occasionally repeat a timestamp; the pipeline needs them strictly increasing.
        t = max(float(t_ms), self._last_t + 1.0)
        self._last_t = t
        pose = self.estimator.estimate(frame_rgb, t)
        result = self._analyzer.update(pose, t)
        self.last_result, self.last_pose = result, pose
        if result.rep is not None and self.on_rep is not None:
            self.on_rep(result.rep)
        if not self.draw:
            return frame_rgb, result
        return annotate(frame_rgb, pose, result, REGISTRY[self.exercise]), result


# -- evaluation against labelled footage ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledClip:
    path: Path
    exercise: str
    reps: int
    lo: int
    hi: int
    view: str = ""
    notes: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def _reps_range(notes: str, reps: int) -> tuple[int, int]:
    for token in notes.replace(";", " ").split():
        if token.startswith("reps_range="):
            lo, _, hi = token.split("=", 1)[1].partition("-")
            try:
                return int(lo), int(hi or lo)
            except ValueError:
                break
    return reps, reps


def load_manifest(path: str | Path) -> list[LabelledClip]:
    """Rows of a manifest whose ``exercise`` is a registered exercise (paths made absolute)."""
    manifest = Path(path)
    if not manifest.is_file():
        raise InputFileError(f"no such manifest: {manifest}")
    clips: list[LabelledClip] = []
    try:
        with manifest.open(newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"file", "exercise", "reps"} - set(reader.fieldnames or ())
            if missing:
                raise InputFileError(f"{manifest} lacks the column(s) {', '.join(sorted(missing))}")
            for row in reader:
                exercise = (row.get("exercise") or "").strip()
                if exercise not in REGISTRY or not (row.get("reps") or "").strip():
                    continue
                reps = int(row["reps"])
                notes = row.get("notes") or ""
                lo, hi = _reps_range(notes, reps)
                clips.append(
                    LabelledClip(manifest.parent / row["file"], exercise, reps, lo, hi, row.get("view") or "", notes)
                )
    except (UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise InputFileError(f"{manifest} is not a readable manifest: {exc}") from None
    return clips


@dataclass(frozen=True, slots=True)
class EvalRow:
    clip: LabelledClip
    predicted: int
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str | None = None

    @property
    def exact(self) -> bool:
        return self.clip.lo <= self.predicted <= self.clip.hi

    @property
    def off_by_one(self) -> bool:
        return self.clip.lo - 1 <= self.predicted <= self.clip.hi + 1

    @property
    def abs_error(self) -> int:
        """Distance from the accepted range (0 inside it)."""
        return max(0, self.clip.lo - self.predicted, self.predicted - self.clip.hi)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(1, self.clip.reps)


@dataclass(frozen=True, slots=True)
class EvalSummary:
    clips: int
    exact: float
    obo: float
    mae: float
    per_exercise: dict[str, tuple[int, float, float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "clips": self.clips,
            "exact_within_range": round(self.exact, 4),
            "obo": round(self.obo, 4),
            "mae": round(self.mae, 4),
            "per_exercise": {
                k: {"clips": n, "exact_within_range": round(e, 4), "obo": round(o, 4), "mae": round(m, 4)}
                for k, (n, e, o, m) in self.per_exercise.items()
            },
        }


def _metrics(rows: list[EvalRow]) -> tuple[int, float, float, float]:
    n = len(rows)
    if n == 0:
        return 0, 0.0, 0.0, 0.0
    return (
        n,
        sum(r.exact for r in rows) / n,
        sum(r.off_by_one for r in rows) / n,
        sum(r.rel_error for r in rows) / n,
    )


def summarize(rows: list[EvalRow]) -> EvalSummary:
    """Exact-within-range rate, OBO (within one of the range) and MAE (|error| / label)."""
    n, exact, obo, mae = _metrics(rows)
    per = {ex: _metrics([r for r in rows if r.clip.exercise == ex]) for ex in sorted({r.clip.exercise for r in rows})}
    return EvalSummary(n, exact, obo, mae, per)


def evaluate_clip(clip: LabelledClip, **kwargs: Any) -> EvalRow:
    """Analyse one labelled clip with the same settings as every other (``kwargs`` as for
    :func:`analyze_video`); a clip that cannot be read is a row with an error, not a crash."""
    started = time.perf_counter()
    try:
        result = analyze_video(clip.path, clip.exercise, **kwargs)
    except InputFileError as exc:
        return EvalRow(clip, 0, (), time.perf_counter() - started, str(exc))
    return EvalRow(clip, result.count, result.notes, time.perf_counter() - started)
