"""A batch from start to end: find the videos, check the store, start the workers, hand them
the videos longest first, record each result as it arrives, summarise.

Order of work, so that every mistake a person can make fails before any video is analysed:
inputs (missing file, empty folder, bad manifest) -> the store (unreachable database) -> the
ledger (what is already done) -> the cluster (unreachable address) -> the workers (the model
loads on each) -> the videos.

Exactly once: a video is identified by its content hash. The driver records each worker's
answer in one transaction (session + reps + ledger row, :meth:`SessionStore.record_video`); the
ledger's unique constraint on the hash makes a second recording of the same content a no-op,
whether it comes from a rerun, from a second driver running the same batch, or from the same
file found twice. Workers skip contents the ledger already held when the batch started.

Scheduling: videos go to idle workers longest first (length from the container header), so the
batch does not end with one worker chewing on a long video while the others idle. This is the
loop of ``ray.util.ActorPool`` written out, because ActorPool does not say WHICH video a worker
was on when its process died, and a batch must know that to try the video again elsewhere.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from fitness.batch.cluster import AUTO as AUTO_ADDRESS
from fitness.batch.cluster import Cluster, ClusterError, parse_address, ray_cluster
from fitness.batch.inputs import VideoInput, discover, file_time, probe
from fitness.batch.summary import Totals, VideoRow
from fitness.batch.worker import Outcome, VideoJob, VideoWorker
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO, check_exercise
from fitness.pipeline.video_analysis import POSE_FPS
from fitness.store import LedgerEntry, SessionInfo, SessionStore, VideoMark

log = logging.getLogger(__name__)

MAX_ATTEMPTS: Final = 2  # a video whose worker died is given to a fresh worker once more
READY_TIMEOUT_S: Final = 300.0  # every worker loads the model; a busy node may take a while


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """What ``fitness batch`` was asked to do. ``exercise`` None: a manifest row's exercise when
    it names one, else auto. ``workers`` None: one per CPU of the cluster. ``pose_fps``: the
    model's rate as for ``fitness analyze`` (None: every frame)."""

    inputs: tuple[Path, ...]
    exercise: str | None = None
    db: str | None = None
    address: str | None = None
    workers: int | None = None
    variant: str = "lightning"
    profile: str = "default"
    batch: str | None = None
    retry_failed: bool = False
    progress: bool = True
    verbose: bool = False
    pose_fps: float | None = POSE_FPS


@dataclass(frozen=True, slots=True)
class BatchReport:
    batch: str
    rows: tuple[VideoRow, ...]
    totals: Totals
    cluster: Cluster
    store: str


def new_batch_name(now: datetime | None = None) -> str:
    """``YYYYmmddTHHMMSSZ-xxxxxx``: sorts by start time, unique across machines."""
    when = now or datetime.now(UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def plan(
    videos: Sequence[VideoInput], exercise: str | None, pose_fps: float | None = POSE_FPS
) -> list[tuple[VideoJob, datetime]]:
    """A job per video, longest first (videos of unknown length last), with the time each was
    recorded (the header's creation time, else the file's modification time)."""
    planned: list[tuple[VideoJob, datetime]] = []
    for video in videos:
        found = probe(video.path)
        chosen = exercise or video.exercise or AUTO
        job = VideoJob(str(video.path), chosen, found.duration_s, pose_fps=pose_fps)
        planned.append((job, found.recorded_at or file_time(video.path)))
    planned.sort(key=lambda item: -(item[0].duration_s or -1.0))
    return planned


class _Progress:
    """One bar for the whole batch, measured in seconds of video so the ETA is honest when
    lengths differ; the text says videos, video-hours and speed."""

    def __init__(self, jobs: Sequence[VideoJob], enabled: bool) -> None:
        from tqdm import tqdm

        self._videos = len(jobs)
        self._done = 0
        self._video_s = 0.0
        self._start = time.perf_counter()
        total = sum(j.duration_s or 0.0 for j in jobs)
        self._bar = tqdm(
            total=round(total, 1),
            disable=not enabled,
            file=sys.stderr,
            unit="s",
            bar_format="{desc} {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]",
            desc="batch",
            leave=True,
        )
        self._total_s = total
        self._show()

    def _show(self) -> None:
        elapsed = time.perf_counter() - self._start
        speed = f", {self._video_s / elapsed:.1f}x real time" if self._video_s and elapsed > 0 else ""
        self._bar.set_postfix_str(
            f"{self._done}/{self._videos} videos, {self._video_s / 3600:.2f}/{self._total_s / 3600:.2f} h{speed}",
            refresh=True,
        )

    def advance(self, job: VideoJob, analysed: bool) -> None:
        self._done += 1
        length = job.duration_s or 0.0
        if analysed:
            self._video_s += length
            self._bar.update(round(length, 1))
        else:
            # Skipped or failed at once: its length is not work done, it is work that vanished.
            self._total_s -= length
            self._bar.total = max(round(self._total_s, 1), self._bar.n)
        self._show()

    def close(self) -> None:
        self._bar.close()


class _Recorder:
    """The driver's side of exactly-once: each outcome into the store in one transaction."""

    def __init__(self, store: SessionStore, opts: BatchOptions, batch: str, recorded_at: dict[str, datetime]) -> None:
        self._store = store
        self._opts = opts
        self._batch = batch
        self._recorded_at = recorded_at

    def _mark(self, outcome: Outcome, sha256: str) -> VideoMark:
        return VideoMark(sha256, self._batch, outcome.job.path, outcome.duration_ms)

    def record(self, outcome: Outcome) -> VideoRow | str:
        """The video's row, or its content hash when the ledger already had it (the caller
        reads those rows in bulk at the end)."""
        job = outcome.job
        if outcome.status == "known" and outcome.sha256 is not None:
            return outcome.sha256
        if outcome.sha256 is None:
            return VideoRow(job.path, "failed", duration_s=job.duration_s, recorded=False, reason=outcome.reason)
        mark = self._mark(outcome, outcome.sha256)
        if outcome.status == "failed":
            reason = outcome.reason or "unknown reason"
            if not self._store.record_failure(mark, reason, retry_failed=self._opts.retry_failed):
                return outcome.sha256
            return VideoRow(
                job.path, "failed", duration_s=job.duration_s, batch=self._batch, reason=reason, sha256=outcome.sha256
            )
        assert outcome.exercise is not None
        started = self._recorded_at[job.path]
        length = (outcome.duration_ms or 0) / 1000.0
        info = SessionInfo(
            exercise=outcome.exercise,
            source="video",
            profile=self._opts.profile,
            model_variant=self._opts.variant,
            video_name=Path(job.path).name[:500],
            extra={
                "batch": self._batch,
                "source_path": job.path,
                "sha256": outcome.sha256,
                "notes": list(outcome.notes),
                "per_side": dict(outcome.per_side),
            },
        )
        session_id = self._store.record_video(
            mark,
            info,
            outcome.sets,
            started_at=started,
            ended_at=started + timedelta(seconds=length),
            retry_failed=self._opts.retry_failed,
        )
        if session_id is None:
            return outcome.sha256
        return VideoRow(
            job.path,
            "done",
            exercise=outcome.exercise,
            sets=len(outcome.sets),
            reps=len(outcome.reps),
            duration_s=length,
            session_id=session_id,
            batch=self._batch,
            sha256=outcome.sha256,
        )


def _ledger_row(path: str, entry: LedgerEntry | None, sha256: str, batch: str) -> VideoRow:
    """The row of a video whose content the ledger already held (an earlier batch, or the same
    content under another name in this one)."""
    if entry is None:  # only if someone deletes ledger rows while the batch runs
        return VideoRow(path, "failed", recorded=False, reason="recorded in the ledger, then deleted", sha256=sha256)
    same_batch = entry.batch == batch
    reason = entry.reason
    if same_batch and entry.source_path != path:
        reason = f"same content as {entry.source_path}"
    return VideoRow(
        path,
        entry.status,
        exercise=entry.exercise,
        sets=1 if entry.session_id is not None else 0,
        reps=entry.rep_count,
        duration_s=None if entry.duration_ms is None else entry.duration_ms / 1000.0,
        session_id=entry.session_id,
        batch=entry.batch,
        earlier=not same_batch,
        reason=reason,
        sha256=sha256,
    )


def _check(opts: BatchOptions) -> None:
    from fitness.pose.models import check_variant, ensure_model

    if opts.exercise is not None:
        check_exercise(opts.exercise)
    if opts.address is not None and opts.address != AUTO_ADDRESS:
        parse_address(opts.address)
    if opts.workers is not None and opts.workers < 1:
        raise FitnessError(f"--workers must be at least 1, got {opts.workers}")
    check_variant(opts.variant)
    ensure_model(opts.variant)  # cached here; each worker loads its own copy


def _start_workers(count: int, opts: BatchOptions, known: frozenset[str]) -> tuple[list[Any], Callable[[], Any]]:
    import ray

    remote = ray.remote(num_cpus=1, max_restarts=0)(VideoWorker)
    known_ref = ray.put(known)

    def new_worker() -> Any:
        return remote.remote(opts.variant, known_ref)

    workers = [new_worker() for _ in range(count)]
    try:
        where = ray.get([w.ready.remote() for w in workers], timeout=READY_TIMEOUT_S)
    except ray.exceptions.GetTimeoutError:
        raise ClusterError(
            f"{count} worker(s) did not start within {READY_TIMEOUT_S:.0f} s (is the cluster short of CPUs?)"
        ) from None
    except ray.exceptions.RayError as exc:
        cause = " ".join(str(exc).split())[-300:]
        raise ClusterError(
            f"a batch worker could not start (is fitness-coach installed on every node?): {cause}"
        ) from None
    log.info("%d worker(s) ready: %s", count, ", ".join(sorted(set(where))))
    return workers, new_worker


def _run_jobs(
    jobs: Sequence[VideoJob], workers: list[Any], new_worker: Callable[[], Any], on_outcome: Callable[[Outcome], None]
) -> None:
    import ray

    pending = deque(jobs)
    idle = list(workers)
    running: dict[Any, tuple[Any, VideoJob]] = {}
    while pending or running:
        while idle and pending:
            worker, job = idle.pop(), pending.popleft()
            running[worker.analyse.remote(job)] = (worker, job)
        ready, _ = ray.wait(list(running), num_returns=1)
        worker, job = running.pop(ready[0])
        try:
            outcome: Outcome = ray.get(ready[0])
        except ray.exceptions.RayActorError as exc:
            # The worker process died (a crash in a decoder, out of memory, a node lost): its
            # model is gone with it. A fresh worker takes its place and the video one more try.
            idle.append(new_worker())
            cause = " ".join(str(exc).split())[:200]
            log.warning("worker died while analysing %s: %s", job.path, cause)
            if job.attempt < MAX_ATTEMPTS:
                pending.appendleft(replace(job, attempt=job.attempt + 1))
                continue
            outcome = Outcome(job, "failed", None, f"its worker died {job.attempt} times while analysing it: {cause}")
        else:
            idle.append(worker)
        on_outcome(outcome)


def run_batch(opts: BatchOptions) -> BatchReport:
    """Everything ``fitness batch`` does, in the order that fails early; see the module docstring."""
    t0 = time.perf_counter()
    _check(opts)
    videos = discover(opts.inputs)
    batch = opts.batch or new_batch_name()
    with SessionStore.open(opts.db) as store:
        known = store.known_videos(include_failed=not opts.retry_failed)
        planned = plan(videos, opts.exercise, opts.pose_fps)
        jobs = [job for job, _ in planned]
        recorder = _Recorder(store, opts, batch, {job.path: when for job, when in planned})
        results: list[tuple[Outcome, VideoRow | str]] = []
        with ray_cluster(opts.address, opts.workers, verbose=opts.verbose) as cluster:
            count = opts.workers or cluster.cpus
            if opts.address is not None and count > cluster.cpus:
                raise ClusterError(
                    f"the Ray cluster at {opts.address} has {cluster.cpus} CPU(s): --workers {count} cannot all run"
                )
            count = max(1, min(count, len(jobs)))
            workers, new_worker = _start_workers(count, opts, known)
            startup_s = time.perf_counter() - t0
            progress = _Progress(jobs, opts.progress)

            def on_outcome(outcome: Outcome) -> None:
                results.append((outcome, recorder.record(outcome)))
                progress.advance(outcome.job, outcome.status == "analysed")

            t_ready = time.perf_counter()
            try:
                _run_jobs(jobs, workers, new_worker, on_outcome)
            finally:
                progress.close()
            wall_s = time.perf_counter() - t_ready
        hashes = [r for _, r in results if isinstance(r, str)]
        ledger = {e.sha256: e for e in store.ledger_entries(hashes)} if hashes else {}
        location = store.location
    by_path = {
        o.job.path: r if isinstance(r, VideoRow) else _ledger_row(o.job.path, ledger.get(r), r, batch)
        for o, r in results
    }
    rows = tuple(by_path[str(v.path)] for v in videos)
    analysed = [o for o, _ in results if o.status == "analysed"]
    totals = Totals.of(
        rows,
        video_s=sum((o.duration_ms or 0) / 1000.0 for o in analysed),
        cpu_s=sum(o.cpu_s for o in analysed),
        wall_s=wall_s,
        startup_s=startup_s,
        workers=count,
    )
    return BatchReport(batch, rows, totals, cluster, location)
