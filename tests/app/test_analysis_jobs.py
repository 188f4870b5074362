"""Upload analyses on their own threads: stopped on request or when the session ends, they end
at once, keep nothing and say where they stopped; failures end them with the usual line."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest

from fitness.app.analysis import AnalysisView, UploadAnalysisError
from fitness.app.analysis_jobs import AnalysisLedger, SessionAnalyses, UploadJob
from fitness.app.uploads import PREFIX, SessionUploads
from fitness.pipeline.video_analysis import AnalysisCancelled

LONG_CLIP = "videos/pushup/pushup_side_tutorial_tayyab.mp4"  # 0:47, ~25 s to count here
SHORT_CLIP = "videos/squat/squat_front_tfjs_mediapipe.mp4"  # 65 frames


@pytest.fixture()
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp folder the uploads go to: exactly what the jobs made is in it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _folders(tmp: Path) -> list[Path]:
    return [p for p in tmp.iterdir() if p.name.startswith(PREFIX)]


def _clip(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {data_dir}")
    return path


def _start(analyses: SessionAnalyses, clip: Path, exercise: str = "pushup") -> UploadJob:
    return analyses.start(
        clip.name, "file-1", clip.read_bytes(), exercise=exercise, variant="lightning", profile="default"
    )


def _counting(job: UploadJob, frames: int = 10, timeout_s: float = 60) -> int:
    """Wait until the job has counted ``frames`` (the model is loaded and running); the count."""
    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        found = re.search(r"frame (\d+) of", job.progress[1])
        if found and int(found[1]) >= frames:
            return int(found[1])
        assert not job.done, job.message()
        time.sleep(0.05)
    raise AssertionError(f"no progress past frame {frames} in {timeout_s:.0f} s: {job.progress}")


@pytest.mark.slow
def test_the_stop_button_ends_the_analysis_at_once_and_keeps_nothing(data_dir: Path, tmp: Path) -> None:
    ledger = AnalysisLedger()
    analyses = SessionAnalyses(ledger)
    job = _start(analyses, _clip(data_dir, LONG_CLIP))
    assert not job.done and job.outcome is None and job.message() is None
    frames = _counting(job)
    assert len(_folders(tmp)) == 1  # the upload, being analysed

    asked = time.monotonic()
    job.stop()
    assert job.wait(2.0)
    took = time.monotonic() - asked
    assert took < 1.0, f"took {took:.2f} s to stop"
    cancel = job.outcome
    assert isinstance(cancel, AnalysisCancelled) and not cancel.drawing
    assert cancel.at_ms >= frames * 1000 / 29.97 - 40  # at least as far as the progress said
    message = job.message()
    assert message is not None
    name = r"\*\*pushup\\_side\\_tutorial\\_tayyab\\\.mp4\*\*"  # in bold, Markdown escaped
    assert re.fullmatch(rf"The analysis of {name} stopped at 0:0\d of 0:47: nothing was kept\.", message), message
    assert _folders(tmp) == []  # the copy of the upload went with it; no annotated video
    # The page finds it by the token in its address until it has shown how it ended.
    assert analyses.job(job.token) is job
    analyses.forget(job)
    assert analyses.job(job.token) is None


@pytest.mark.slow
def test_a_session_that_ends_stops_its_analysis_and_a_reloaded_page_can_say_so(data_dir: Path, tmp: Path) -> None:
    ledger = AnalysisLedger()
    first = SessionAnalyses(ledger)  # the tab that is closed
    finished = _start(first, _clip(data_dir, SHORT_CLIP), "squat")
    assert finished.wait(120) and isinstance(finished.outcome, AnalysisView)
    running = _start(first, _clip(data_dir, LONG_CLIP))
    _counting(running)
    assert len(_folders(tmp)) == 2

    began = time.monotonic()
    first.release()  # Streamlit's hook: must not wait for anything
    assert time.monotonic() - began < 0.5
    assert running.wait(2.0)
    assert _folders(tmp) == []  # the finished one's annotated video too: the session is gone
    # A new session of the same tab (a reload) finds the stopped analysis by its token, and why.
    again = SessionAnalyses(ledger)
    assert again.job(running.token) is running
    message = running.message()
    assert message is not None and re.search(r"stopped at 0:0\d of 0:47 when its page was closed or reloaded", message)
    # The finished one's result went with its session: nothing to come back to.
    assert again.job(finished.token) is None


def test_a_bad_file_ends_the_job_with_a_readable_line(tmp: Path) -> None:
    analyses = SessionAnalyses(AnalysisLedger())
    job = analyses.start("my notes.mp4", "f", b"not a video\n" * 50, exercise="squat", variant="lightning", profile="p")
    assert job.wait(30)
    assert isinstance(job.outcome, UploadAnalysisError)
    message = job.message()
    assert message is not None and message.startswith("Could not analyse **my notes\\.mp4**: ")
    assert "not a video" in message and str(tmp) not in message
    assert _folders(tmp) == []


def test_a_model_that_cannot_be_prepared_fails_before_anything_starts(tmp: Path) -> None:
    analyses = SessionAnalyses(AnalysisLedger(), SessionUploads())

    def prepare(variant: str) -> str:
        raise RuntimeError("conversion crashed")

    with pytest.raises(UploadAnalysisError, match=r"could not be processed \(RuntimeError\)"):
        analyses.start("clip.mp4", "f", b"\0" * 64, exercise="squat", variant="thunder", profile="p", prepare=prepare)
    assert _folders(tmp) == []


def test_the_ledger_keeps_only_the_latest_jobs(tmp: Path) -> None:
    from fitness.app.analysis import StagedUpload

    ledger = AnalysisLedger(size=2)
    jobs = [
        UploadJob(
            StagedUpload.write(f"{i}.mp4", b"x", None), str(i), exercise="squat", variant="lightning", profile="p"
        )
        for i in range(3)
    ]
    for job in jobs:
        ledger.add(job)
    assert [ledger.get(j.token) for j in jobs] == [None, jobs[1], jobs[2]]
    assert len({j.token for j in jobs}) == 3
