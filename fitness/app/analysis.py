"""An uploaded video's analysis for the Analyse page: run it, keep it across reruns, file it.

No ``st.*`` here: the page passes the upload's bytes in and a progress bar's update function,
and shows what comes back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fitness.app.uploads import SessionUploads, UploadFolder
from fitness.errors import FitnessError
from fitness.pipeline.stream import AnalysisResult
from fitness.pipeline.video_analysis import analyze_video
from fitness.pipeline.video_io import cut_short
from fitness.store.recorder import SessionInfo, angle_trace

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.25  # a progress message per frame would flood the websocket

ProgressBar = Callable[[float, str], object]  # (share done, text): shown, whatever it returns


class UploadAnalysisError(FitnessError):
    """An upload could not be analysed; the message names the upload, never the temporary file."""


@dataclass
class AnalysisView:
    """A finished upload analysis kept in the page's session across reruns (so pressing Save
    does not analyse again). It lives here, not in the page script: Streamlit re-executes the
    script on every run, so a class defined there would be a new class each time and an
    object stored in the session would no longer be an instance of it."""

    name: str
    size: int
    exercise: str
    variant: str
    profile: str
    result: AnalysisResult
    video_path: Path | None
    folder: UploadFolder
    saved_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def workdir(self) -> Path:
        return self.folder.path

    @property
    def video_kept(self) -> bool:
        """The annotated video is still there (its folder goes when the session disconnects,
        even if the browser comes back to the same session)."""
        return self.video_path is not None and not self.folder.removed and self.video_path.is_file()

    def session_info(self) -> SessionInfo:
        """How the history files this analysis (with its angle trace and notes)."""
        t, a = self.result.angle_series()
        trace = angle_trace([float(x) for x in t], [float(y) for y in a])
        return SessionInfo(
            exercise=self.result.exercise,
            source="video",
            profile=self.profile,
            model_variant=self.variant,
            video_name=self.name,
            extra={"trace": trace, "notes": list(self.result.notes)},
        )

    def discard(self) -> None:
        """Delete the annotated video (a new analysis replaces this one)."""
        self.folder.remove()


class _Progress:
    """``analyze_video``'s per-frame ``progress(done, total)`` -> a few bar updates a second;
    remembers how many frames the file announced."""

    def __init__(self, name: str, bar: ProgressBar) -> None:
        self._name, self._bar = name, bar
        self._last = 0.0
        self.expected = 0

    def __call__(self, done: int, total: int) -> None:
        self.expected = total
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        share = min(done / total, 1.0) if total else 0.0
        self._bar(share, f"Analysing {self._name}: frame {done}" + (f" of {total}" if total else ""))


def cut_short_warning(frames: int, expected: int) -> str | None:
    """What to say when fewer frames decoded than the file announced (a truncated download)."""
    if cut_short(frames, expected):
        return (
            f"The file seems cut short: only {frames} of the {expected} frames it announces "
            "could be read, so the results cover the first part only."
        )
    return None


def analyse_upload(
    name: str,
    data: bytes | memoryview,
    *,
    exercise: str,
    variant: str,
    profile: str,
    progress: ProgressBar,
    prepare: Callable[[str], object] = lambda variant: variant,
    uploads: SessionUploads | None = None,
) -> AnalysisView:
    """Analyse an uploaded file (``name``: as the person called it) into a view with the
    annotated video beside it; raises :class:`UploadAnalysisError` with a readable message.

    ``prepare(variant)`` runs first, under the same error handling: the page's cached model
    fetch, which shows its own spinner. ``uploads``: the browser session's folders, so the
    annotated video goes when the session ends (:mod:`fitness.app.uploads`).
    """
    folder = uploads.new() if uploads is not None else UploadFolder()
    workdir = folder.path
    source = workdir / f"upload{Path(name).suffix.lower() or '.mp4'}"
    source.write_bytes(data)
    annotated = workdir / "annotated.mp4"
    report = _Progress(name, progress)
    try:
        prepare(variant)
        result = analyze_video(
            source, exercise, variant=variant, annotate_to=annotated, progress=report, allow_cut_short=True
        )
    except FitnessError as exc:
        folder.remove()
        raise UploadAnalysisError(str(exc).replace(str(source), name)) from exc
    except Exception as exc:
        log.exception("analysing %s failed", name)
        folder.remove()
        raise UploadAnalysisError(f"the video could not be processed ({type(exc).__name__}).") from exc
    finally:
        source.unlink(missing_ok=True)
    video = annotated if annotated.is_file() and annotated.stat().st_size > 0 else None
    warnings = [w for w in (cut_short_warning(result.video.frames, result.video.expected_frames),) if w is not None]
    return AnalysisView(name, len(data), exercise, variant, profile, result, video, folder, warnings=warnings)
