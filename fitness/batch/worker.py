"""One video through the model on a batch worker: what a worker is given, what it answers.

:class:`VideoWorker` is the body of a Ray actor (:mod:`fitness.batch.runner` makes it one): it
loads MoveNet once and keeps its LiteRT interpreter, with ONE inference thread, for every video
it is given, so N workers keep N cores busy. It never writes to the database: it answers an
:class:`Outcome` and the driver records it, one transaction per video. That keeps the
exactly-once rule in one place (the ledger's unique hash) and lets workers run on machines
that cannot reach the database.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fitness.batch.inputs import content_hash
from fitness.engine.values import Rep, SetResult
from fitness.errors import FitnessError
from fitness.pose.estimator import Estimator

log = logging.getLogger(__name__)

# "known": the ledger already holds this content (done, or failed unless retrying); not analysed.
OutcomeStatus = Literal["analysed", "failed", "known"]


@dataclass(frozen=True, slots=True)
class VideoJob:
    """One video to analyse; ``attempt`` counts the workers it was given to (one may die);
    ``pose_fps``: the model's rate (None: every frame; see ``analyze_video``)."""

    path: str
    exercise: str
    duration_s: float | None = None
    attempt: int = 1
    pose_fps: float | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a worker made of one video. ``sha256`` is None only when the file could not be read."""

    job: VideoJob
    status: OutcomeStatus
    sha256: str | None = None
    reason: str | None = None
    exercise: str | None = None
    reps: tuple[Rep, ...] = ()
    sets: tuple[SetResult, ...] = ()  # the workout the reps make (sets found automatically)
    per_side: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    duration_ms: int | None = None
    cpu_s: float = 0.0  # CPU seconds of the worker process (all its threads) for this video
    wall_s: float = 0.0
    worker: str = ""


class _Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def spent(self) -> tuple[float, float]:
        return time.process_time() - self.cpu, time.perf_counter() - self.wall


def analyse_one(job: VideoJob, estimator: Estimator, known: Collection[str], worker: str = "") -> Outcome:
    """Hash ``job``'s file; skip it if its content is ``known``; else count it with ``estimator``.

    A video that cannot be analysed (unreadable, corrupt, an unknown codec, no person in any
    frame) ends as a ``failed`` outcome saying why, never as an exception: one bad file must
    not stop a batch of thousands.
    """
    from fitness.pipeline.video_analysis import analyze_video

    clock = _Clock()

    def failed(sha256: str | None, reason: str) -> Outcome:
        cpu, wall = clock.spent()
        return Outcome(job, "failed", sha256, reason, cpu_s=cpu, wall_s=wall, worker=worker)

    path = Path(job.path)
    try:
        sha256 = content_hash(path)
    except OSError as exc:
        return failed(None, f"cannot read {path}: {exc.strerror or exc}")
    if sha256 in known:
        cpu, wall = clock.spent()
        return Outcome(job, "known", sha256, cpu_s=cpu, wall_s=wall, worker=worker)
    try:
        result = analyze_video(path, job.exercise, estimator=estimator, pose_fps=job.pose_fps)
    except FitnessError as exc:
        return failed(sha256, str(exc))
    except Exception as exc:
        # A decoder or model error on one file (a damaged stream, an odd pixel format) must
        # not stop the others; the traceback goes to this worker's log, the reason to the ledger.
        log.exception("analysing %s failed", path)
        return failed(sha256, f"unexpected error while analysing: {type(exc).__name__}: {exc}")
    if not result.person_seen:
        return failed(sha256, f"no person found in any of the {result.video.frames} frames")
    cpu, wall = clock.spent()
    return Outcome(
        job,
        "analysed",
        sha256,
        exercise=result.exercise,
        reps=result.reps,
        sets=tuple(result.sets),
        per_side=dict(result.per_side),
        notes=result.notes,
        duration_ms=result.video.duration_ms,
        cpu_s=cpu,
        wall_s=wall,
        worker=worker,
    )


class VideoWorker:
    """A batch worker: one MoveNet LiteRT interpreter (one inference thread), loaded once."""

    def __init__(self, variant: str, known: Collection[str]) -> None:
        from fitness.pose.estimator import load_estimator

        self._estimator = load_estimator(variant, "litert", threads=1)
        self._known = frozenset(known)
        self._name = f"{socket.gethostname()}:{os.getpid()}"

    def ready(self) -> str:
        """Where this worker runs (answered once the model is loaded)."""
        return self._name

    def analyse(self, job: VideoJob) -> Outcome:
        return analyse_one(job, self._estimator, self._known, self._name)
