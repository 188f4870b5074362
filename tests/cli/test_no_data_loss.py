"""No command overwrites its own input or the workout history, and no output is ever left half
written: each case checks the files' checksums before and after."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from fitness.pipeline.video_analysis import analyze_video
from tests.cli_helpers import one_line_error, run_cli
from tests.media import cut_clip, pattern_clip, sha256


@pytest.fixture()
def video(tmp_path: Path) -> Path:
    return pattern_clip(tmp_path / "v.mp4")


@pytest.fixture()
def history(tmp_path: Path) -> Path:
    from fitness.store.store import SessionStore

    db = tmp_path / "h.db"
    SessionStore.open(str(db)).close()
    return db


def refused(err: str) -> bool:
    return "refusing to write" in one_line_error(err)


@pytest.mark.parametrize("flag", ["-o", "--json", "--csv"])
def test_analyze_never_writes_onto_its_input(video: Path, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(video)
    code, out, err = run_cli(capsys, "analyze", str(video), flag, str(video))
    assert code == 1 and out == "" and refused(err)
    assert "it is the input video" in err
    assert sha256(video) == before


def test_the_input_is_recognised_through_links_and_detours(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha256(video)
    (tmp_path / "sub").mkdir()
    symlink, hardlink = tmp_path / "link.mp4", tmp_path / "hard.mp4"
    symlink.symlink_to(video)
    os.link(video, hardlink)
    detour = tmp_path / "sub" / ".." / "v.mp4"
    for output in (symlink, hardlink, detour):
        code, _, err = run_cli(capsys, "analyze", str(video), "-o", str(output))
        assert code == 1 and refused(err), output
        # ... and the other way round: the input given through the link, the output plainly.
        code, _, err = run_cli(capsys, "analyze", str(output), "--json", str(video))
        assert code == 1 and refused(err), output
    assert sha256(video) == before


def test_two_outputs_may_not_be_one_file(video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "analyze", str(video), "--json", str(tmp_path / "r.out"), "--csv", str(tmp_path / "r.out")
    )
    assert code == 1 and "twice" in one_line_error(err)


def test_analyze_never_writes_onto_the_history(video: Path, history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(history)
    for db in (str(history), f"sqlite:///{history}"):
        code, _, err = run_cli(capsys, "analyze", str(video), "--json", str(history), "--save", "--db", db)
        assert code == 1 and refused(err) and "workout history database" in err
    assert sha256(history) == before


def test_pose_never_writes_onto_its_photo_or_video(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), np.full((120, 160, 3), 90, np.uint8))
    sums = {photo: sha256(photo), video: sha256(video)}
    for argv in (
        ("pose", str(photo), "-o", str(photo)),
        ("pose", str(photo), "--json", str(photo)),
        ("pose", str(video), "-o", str(video)),
        ("pose", str(video), "--json", str(video)),
    ):
        code, _, err = run_cli(capsys, *argv)
        assert code == 1 and refused(err), argv
    assert {p: sha256(p) for p in sums} == sums


def test_history_export_never_replaces_the_history(
    history: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fitness.store import ENV_VAR

    before = sha256(history)
    code, _, err = run_cli(capsys, "history", "export", "--csv", str(history), "--force", "--db", str(history))
    assert code == 1 and refused(err)
    code, _, err = run_cli(
        capsys, "history", "export", "--csv", str(history), "--force", "--db", f"sqlite:///{history}"
    )
    assert code == 1 and refused(err)
    monkeypatch.setenv(ENV_VAR, str(history))  # the default history, no --db
    code, _, err = run_cli(capsys, "history", "export", "--csv", str(history), "--force")
    assert code == 1 and refused(err)
    assert sha256(history) == before


def test_a_failed_analysis_leaves_earlier_outputs_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = cut_clip(tmp_path)
    outputs = {tmp_path / "a.mp4": b"yesterday's annotated video", tmp_path / "r.json": b'{"reps": 3}\n'}
    for path, data in outputs.items():
        path.write_bytes(data)
    files = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = run_cli(
        capsys, "analyze", str(cut), "-e", "squat", "-o", str(tmp_path / "a.mp4"), "--json", str(tmp_path / "r.json")
    )
    assert code == 1 and "cut short" in one_line_error(err)
    assert {p: p.read_bytes() for p in outputs} == outputs
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # no half-written leftovers


def test_an_interrupted_analysis_leaves_the_old_annotated_video(tmp_path: Path) -> None:
    clip = pattern_clip(tmp_path / "v.mp4", seconds=2.0)
    out = tmp_path / "annotated.mp4"
    out.write_bytes(b"the annotated video from last week")

    def interrupt(done: int, total: int) -> None:
        if done == 20:
            raise KeyboardInterrupt  # Ctrl-C halfway

    with pytest.raises(KeyboardInterrupt):
        analyze_video(clip, "squat", annotate_to=out, progress=interrupt)
    assert out.read_bytes() == b"the annotated video from last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "v.mp4"]


def test_outputs_replace_whole_files_through_links_and_keep_permissions(tmp_path: Path) -> None:
    from fitness.files import atomic_path

    real = tmp_path / "report.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    with atomic_path(link) as tmp:
        tmp.write_text("new")
    assert link.is_symlink() and real.read_text() == "new"
    assert real.stat().st_mode & 0o777 == 0o640
    with pytest.raises(ValueError), atomic_path(real) as tmp:
        tmp.write_text("half")
        raise ValueError("crash while writing")
    assert real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "report.json"]
