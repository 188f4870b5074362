"""Upload analyses on threads of their own, so that a long one can be stopped and none is lost.

Streamlit runs the page script again on every click, and stops a run when the person goes to
another page; an analysis inside the script run would be cut off (and its result lost) by any
of those. So the Analyse page starts an :class:`UploadJob` and only watches it:

* the page shows the job's progress and a Stop button (:meth:`UploadJob.stop`: the pipeline
  stops within a frame, :class:`~fitness.pipeline.video_analysis.AnalysisCancelled`, and the
  upload's folder goes with it);
* reruns and other pages leave the job running; back on the page its progress, or its result,
  is shown;
* when the browser session ends (tab closed, page reloaded) the session's jobs are stopped
  (:meth:`SessionAnalyses.release`): nobody is left to show them to, and their folders go with
  the session. The page keeps the job's token in its address (``?analysis=...``), and the
  server keeps the job in an :class:`AnalysisLedger`, so the reloaded or reopened page can say
  that it stopped, and where.

No ``st.*`` here: the page module holds these in its session state and cached resources.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Literal

from fitness.app.analysis import AnalysisView, StagedUpload, UploadAnalysisError, analyse_staged
from fitness.app.uploads import SessionUploads
from fitness.errors import FitnessError
from fitness.pipeline.video_analysis import AnalysisCancelled
from fitness.text import escape_markdown

log = logging.getLogger(__name__)

# Finished or stopped analyses the server remembers for a page that comes back (a reload, a
# reopened tab): each is a few words once its session has gone, so a few dozen cost nothing.
LEDGER_SIZE: Final = 32

StopReason = Literal["asked", "left"]  # the Stop button; the browser session ended
Outcome = AnalysisView | UploadAnalysisError | AnalysisCancelled


class UploadJob:
    """One staged upload analysed on its own thread. Thread-safe: the page's script thread
    reads :attr:`progress` and :attr:`outcome` while the job's thread writes them."""

    def __init__(self, staged: StagedUpload, file_id: str, *, exercise: str, variant: str, profile: str) -> None:
        self.name = staged.name
        self.file_id = file_id  # the uploader's id of the file: its messages stay with it
        # Unguessable: the page's address carries it, and it is the only key to this analysis.
        self.token = secrets.token_urlsafe(16)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reason: StopReason | None = None
        self._asked_at = 0.0  # time.monotonic() of the stop request
        self._progress = (0.0, f"Analysing {staged.name}…")
        self._outcome: Outcome | None = None
        self._thread = threading.Thread(
            target=self._run,
            args=(staged, exercise, variant, profile),
            name=f"analyse-upload-{self.token[:6]}",
            daemon=True,  # a server that is stopped does not wait for it (the folder goes at exit)
        )

    def start(self) -> UploadJob:
        self._thread.start()
        return self

    def _run(self, staged: StagedUpload, exercise: str, variant: str, profile: str) -> None:
        outcome: Outcome = UploadAnalysisError("the analysis ended unexpectedly.")
        try:
            outcome = analyse_staged(
                staged, exercise=exercise, variant=variant, profile=profile, progress=self._show,
                should_stop=self._stop.is_set,
            )  # fmt: skip
        except (UploadAnalysisError, AnalysisCancelled) as exc:
            outcome = exc
        finally:  # whatever happened, the page must see an end (the folder went with a failure)
            with self._lock:
                self._outcome = outcome
        if isinstance(outcome, AnalysisCancelled):
            log.info(
                "the analysis of %s stopped (%s) at %s, %.2f s after the request",
                self.name, self._reason, outcome.where, time.monotonic() - self._asked_at,
            )  # fmt: skip

    def _show(self, share: float, text: str) -> None:
        with self._lock:
            self._progress = (share, text)

    def stop(self, reason: StopReason = "asked") -> None:
        """Ask the analysis to stop: it ends within a frame (:meth:`wait` for it)."""
        with self._lock:
            if self._reason is None and self._outcome is None:
                self._reason, self._asked_at = reason, time.monotonic()
        self._stop.set()

    def wait(self, timeout_s: float) -> bool:
        """Until the job has ended or ``timeout_s`` passed; whether it has ended."""
        self._thread.join(timeout_s)
        return self.done

    @property
    def done(self) -> bool:
        with self._lock:
            return self._outcome is not None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set() and not self.done

    @property
    def progress(self) -> tuple[float, str]:
        """(share done, what is being done) for a progress bar."""
        with self._lock:
            return self._progress

    @property
    def outcome(self) -> Outcome | None:
        """The view, the failure or the stop; ``None`` while it runs."""
        with self._lock:
            return self._outcome

    def message(self) -> str | None:
        """The one line to show for a job that did not give a result (Markdown), else ``None``."""
        outcome = self.outcome
        if isinstance(outcome, AnalysisCancelled):
            why = " when its page was closed or reloaded" if self._reason == "left" else ""
            name = escape_markdown(self.name)
            return f"The analysis of **{name}** stopped at {outcome.where}{why}: nothing was kept."
        if isinstance(outcome, UploadAnalysisError):
            return could_not_analyse(self.name, outcome)
        return None


class AnalysisLedger:
    """The server's recent upload jobs by token, for a page that comes back to one in a new
    browser session (a reload or a reopened tab starts a new session). Keeps the last
    ``size``; the page forgets a job once it has shown how it ended."""

    def __init__(self, size: int = LEDGER_SIZE) -> None:
        self._size = size
        self._jobs: OrderedDict[str, UploadJob] = OrderedDict()
        self._lock = threading.Lock()  # every browser session's script thread uses it

    def add(self, job: UploadJob) -> None:
        with self._lock:
            self._jobs[job.token] = job
            while len(self._jobs) > self._size:
                self._jobs.popitem(last=False)

    def get(self, token: str) -> UploadJob | None:
        with self._lock:
            return self._jobs.get(token)

    def forget(self, token: str) -> None:
        with self._lock:
            self._jobs.pop(token, None)


class SessionAnalyses:
    """One browser session's upload folders and analyses: :meth:`release` (Streamlit's hook for
    a session that ends) stops the analyses still running and removes the folders."""

    def __init__(self, ledger: AnalysisLedger | None = None, uploads: SessionUploads | None = None) -> None:
        self.uploads = uploads if uploads is not None else SessionUploads()
        self._ledger = ledger if ledger is not None else AnalysisLedger()
        self._jobs: list[UploadJob] = []
        self._lock = threading.Lock()  # the release hook may run on another thread than the page

    def start(
        self,
        name: str,
        file_id: str,
        data: bytes | memoryview,
        *,
        exercise: str,
        variant: str,
        profile: str,
        prepare: Callable[[str], object] = lambda variant: variant,
    ) -> UploadJob:
        """Stage the upload and start analysing it. ``prepare(variant)`` (the page's cached model
        fetch, with its spinner) runs here, on the caller's thread; its failure, like a bad
        file's, raises :class:`UploadAnalysisError` and leaves no folder."""
        staged = StagedUpload.write(name, data, self.uploads)
        try:
            prepare(variant)
        except Exception as exc:
            raise staged.failure(exc) from exc
        job = UploadJob(staged, file_id, exercise=exercise, variant=variant, profile=profile)
        with self._lock:
            self._jobs.append(job)
        self._ledger.add(job)
        return job.start()

    def job(self, token: str) -> UploadJob | None:
        """The job named in a page's address: this session's, or one a previous session of the
        same tab left (found in the ledger)."""
        return self._ledger.get(token)

    def forget(self, job: UploadJob) -> None:
        """The page has shown how ``job`` ended."""
        with self._lock:
            self._jobs = [j for j in self._jobs if j is not job]
        self._ledger.forget(job.token)

    def release(self) -> None:
        """The session ended: stop its running analyses (each ends within a frame, removing its
        own folder; the ledger keeps them for a page that comes back), let the finished ones go
        (their results went with the session) and remove the session's folders. Never waits:
        Streamlit calls this on its event loop."""
        with self._lock:
            jobs, self._jobs = self._jobs, []
        running = [j for j in jobs if not j.done]
        for job in jobs:
            if job in running:
                job.stop("left")
            else:
                self._ledger.forget(job.token)
        if running:
            log.info("a browser session ended: stopped its %d running analysis(es)", len(running))
        self.uploads.release()


def could_not_analyse(name: str, exc: FitnessError) -> str:
    """A failed analysis in one line (Markdown), whether it failed before or after it started."""
    return f"Could not analyse **{escape_markdown(name)}**: {exc}"
