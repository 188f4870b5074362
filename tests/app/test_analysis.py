"""An upload's analysis off the page: readable failures, the cut-short warning, the real thing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from fitness.app.analysis import AnalysisView, UploadAnalysisError, analyse_upload, cut_short_warning
from fitness.pipeline.evaluation import load_manifest
from fitness.store.store import SessionStore

SMALL_CLIP = "squat_front_tfjs_mediapipe.mp4"  # 65 frames at 5 fps: a quick real analysis


def test_cut_short_is_said_only_when_most_frames_are_missing() -> None:
    warning = cut_short_warning(frames=40, expected=100)
    assert warning is not None and "only 40 of the 100 frames" in warning
    assert cut_short_warning(frames=95, expected=100) is None  # a few frames short is normal
    assert cut_short_warning(frames=40, expected=0) is None  # the file announced no count


def test_a_file_that_is_not_a_video_is_named_as_uploaded_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the upload's workdir goes
    prepared: list[str] = []
    shown: list[tuple[float, str]] = []

    def prepare(variant: str) -> str:
        prepared.append(variant)
        return variant

    with pytest.raises(UploadAnalysisError) as failure:
        analyse_upload(
            "my notes.mp4",
            b"these are my workout notes, not a video\n" * 20,
            exercise="squat",
            variant="lightning",
            profile="default",
            progress=lambda share, text: shown.append((share, text)),
            prepare=prepare,
        )
    message = str(failure.value)
    assert "my notes.mp4" in message and "not a video" in message
    assert str(tmp_path) not in message and "upload.mp4" not in message  # never the temporary file
    assert prepared == ["lightning"] and shown == []
    assert list(tmp_path.iterdir()) == []  # the workdir went with the failure


def test_a_model_that_cannot_be_prepared_is_reported_like_any_other_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def prepare(variant: str) -> str:
        raise RuntimeError("conversion crashed")

    with pytest.raises(UploadAnalysisError, match=r"could not be processed \(RuntimeError\)"):
        analyse_upload(
            "clip.mp4",
            b"\0" * 64,
            exercise="squat",
            variant="thunder",
            profile="p",
            progress=lambda share, text: None,
            prepare=prepare,
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_real_upload_is_analysed_annotated_filed_and_discarded(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clip,) = [c for c in load_manifest(data_dir / "manifest.csv") if c.name == SMALL_CLIP]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    shown: list[tuple[float, str]] = []
    view = analyse_upload(
        clip.name,
        clip.path.read_bytes(),
        exercise="squat",
        variant="lightning",
        profile="ana",
        progress=lambda share, text: shown.append((share, text)),
    )
    assert isinstance(view, AnalysisView)
    assert clip.lo <= view.result.count <= clip.hi
    assert view.size == clip.path.stat().st_size and view.warnings == []
    assert view.video_path is not None and view.video_path.stat().st_size > 0
    assert [p.name for p in view.workdir.iterdir()] == ["annotated.mp4"]  # the upload copy is gone
    assert shown and all(0.0 <= share <= 1.0 for share, _ in shown)
    assert shown[0][1].startswith(f"Analysing {clip.name}: frame ") and "of" in shown[0][1]

    with SessionStore.open(tmp_path / "history.db") as store:
        session_id = store.save_session(view.session_info(), view.result.reps)
        detail = store.get_session(session_id)
    assert detail.summary.source == "video" and detail.summary.video_name == clip.name
    assert detail.summary.profile == "ana" and len(detail.reps) == view.result.count
    trace = detail.summary.extra["trace"]
    assert len(trace["t_ms"]) == len(trace["angle"]) > 0

    view.discard()
    assert not view.workdir.exists()
