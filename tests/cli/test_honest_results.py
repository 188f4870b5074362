"""Honest results on any video: nothing to count says so (never "Recognised as biceps curl"),
a cut file is an error, a 1x1 video gets a sentence, and nothing found is never saved."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fitness.pipeline.stream import AUTO, NONE, analyze_poses
from tests.cli_helpers import one_line_error, run_cli
from tests.figures import DT, standing_figure
from tests.media import cut_clip, ffmpeg, one_pixel_clip


def analyze_json(capsys: pytest.CaptureFixture[str], clip: Path, *extra: str) -> tuple[str, dict[str, object]]:
    code, out, err = run_cli(capsys, "analyze", str(clip), "--json", "-", *extra)
    assert code == 0, err
    return err, json.loads(out)


def black_clip(tmp_path: Path) -> Path:
    clip = tmp_path / "black.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=black:s=320x240:r=30",
        "-t",
        "2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(clip),
    )
    return clip


def test_a_black_video_finds_no_person_and_no_exercise(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, doc = analyze_json(capsys, black_clip(tmp_path), "--every-frame")
    assert doc["exercise"] == NONE and doc["reps"] == 0
    assert doc["notes"] == ["No person found in any of the 60 frames: 0 reps"]
    assert "no exercise found" in report and "Recognised" not in report


def test_at_the_default_pose_rate_the_note_says_how_many_frames_were_looked_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """30 fps at 15 poses a second: every other frame of the 60 (30) and the last are analysed."""
    report, doc = analyze_json(capsys, black_clip(tmp_path))
    assert doc["exercise"] == NONE and doc["reps"] == 0
    assert doc["notes"] == ["No person found in any of the 31 frames analysed (of 60): 0 reps"]
    assert "no exercise found" in report


def test_nothing_found_is_not_saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fitness.store import SessionStore

    db = tmp_path / "h.db"
    code, out, _ = run_cli(capsys, "analyze", str(black_clip(tmp_path)), "--save", "--db", str(db))
    assert code == 0 and "not saved: nothing was found to count" in out
    with SessionStore.open(str(db)) as store:
        assert store.list_sessions() == []


def test_a_1x1_video_gets_a_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = one_pixel_clip(tmp_path / "dot.mp4")
    code, out, err = run_cli(capsys, "analyze", str(clip))
    assert code == 1 and out == ""
    assert "is 1x1 pixels: too small to show a person" in one_line_error(err)


def test_a_cut_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "analyze", str(cut_clip(tmp_path)), "-e", "squat")
    assert code == 1 and out == ""
    match = re.search(r"is cut short: (\d+) of 255 frames decoded$", one_line_error(err))
    assert match is not None and 0 < int(match.group(1)) < 30


def test_a_person_standing_still_is_no_exercise() -> None:
    # Standing upright is "in position" for curls and squats alike: that is not an exercise.
    still = [(i * DT, standing_figure()) for i in range(90)]
    result = analyze_poses(still, AUTO)
    assert (result.exercise, result.found, result.count, result.spec) == (NONE, False, 0, None)
    assert result.notes[0].startswith("No exercise found: not one complete rep")
    # Named, the count is that exercise's (0), and the person was there.
    named = analyze_poses(still, "squat")
    assert (named.exercise, named.found) == ("squat", True)
    # Glimpsed in two frames of ninety: too few to see any movement.
    glimpse = [(i * DT, standing_figure() if i in (10, 11) else None) for i in range(90)]
    for exercise in (AUTO, "curl"):
        result = analyze_poses(glimpse, exercise)
        assert not result.found
        assert result.notes == ("A person was found in only 2 of the 90 frames: too few to see any movement, 0 reps",)


@pytest.mark.slow
def test_a_photo_is_no_exercise(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A person in a warrior pose: a still picture has no reps, whatever the pose looks like.
    report, doc = analyze_json(capsys, data_dir / "images/tfjs_pose_warrior2.jpg")
    assert doc["exercise"] == NONE and doc["reps"] == 0
    assert doc["notes"] == ["Only 1 frame: a still picture shows no movement, so there are no reps to count"]
    assert "Recognised" not in report


@pytest.mark.slow
def test_a_one_frame_video_is_no_exercise(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = tmp_path / "one_frame.mp4"
    ffmpeg("-i", str(data_dir / "videos/squat/squat_side_yuyou.mp4"), "-frames:v", "1", "-c:v", "libx264", str(clip))
    _, doc = analyze_json(capsys, clip)
    assert doc["exercise"] == NONE and doc["video"]["frames"] == 1  # type: ignore[index]
    _, doc = analyze_json(capsys, clip, "-e", "squat")
    assert doc["exercise"] == "squat" and doc["reps"] == 0
    assert doc["notes"] == ["Only 1 frame: a still picture shows no movement, so there are no reps to count"]
