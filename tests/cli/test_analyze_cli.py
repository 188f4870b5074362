"""``fitness analyze`` and ``fitness eval``: outputs, and one clear line for every bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from fitness.errors import FitnessError
from fitness.pipeline.evaluation import load_manifest
from fitness.pipeline.stream import AUTO, analyze_poses
from fitness.pipeline.video_io import open_video
from tests.cli_helpers import one_line_error, run_cli
from tests.figures import DT, horizontal_figure, reps, standing_figure


def _blank_video(path: Path, frames: int = 45, size: tuple[int, int] = (160, 120)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, size)
    rng = np.random.default_rng(0)
    wall = np.full((size[1], size[0], 3), 200, np.uint8)
    for _ in range(frames):
        writer.write(np.clip(wall + rng.integers(0, 6, wall.shape), 0, 255).astype(np.uint8))
    writer.release()
    return path


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "text_as_mp4": tmp_path / "notes.mp4",
        "empty_mp4": tmp_path / "empty.mp4",
        "no_frames": tmp_path / "noframes.y4m",
        "truncated": tmp_path / "truncated.mp4",
    }
    files["text_as_mp4"].write_text("this is not media\n")
    files["empty_mp4"].write_bytes(b"")
    files["no_frames"].write_text("YUV4MPEG2 W64 H64 F30:1 Ip A1:1 C420jpeg\n")
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x10\x00moov"
    files["truncated"].write_bytes(header + bytes(2000))
    return files


# -- analyze: bad input ------------------------------------------------------------------------


def test_unknown_exercise_lists_valid_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    code, out, err = run_cli(capsys, "analyze", str(video), "--exercise", "zumba")
    assert code == 1 and out == ""
    assert (
        "unknown exercise 'zumba'; valid exercises: auto, burpee, crunch, curl, deadlift, glute_bridge, "
        "jumping_jack, lateral_raise, lunge, mountain_climber, overhead_press, plank, pull_up, pushup, "
        "sit_up, squat, tricep_dip, tricep_extension, wall_sit"
    ) in one_line_error(err)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("text_as_mp4", "is not a video that can be decoded"),
        ("empty_mp4", "is empty (0 bytes)"),
        ("no_frames", "has no video frames"),
        ("truncated", "is not a video that can be decoded"),
    ],
)
def test_zero_length_and_corrupt_videos(
    key: str, expected: str, bad_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "analyze", str(bad_files[key]), "--exercise", "squat")
    assert code == 1 and out == ""
    assert expected in one_line_error(err)


def test_missing_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "analyze", str(tmp_path / "nope.mp4"))
    assert code == 1 and "no such file" in one_line_error(err)


def test_unwritable_outputs_fail_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    for flag in ("-o", "--json", "--csv"):
        code, _, err = run_cli(capsys, "analyze", str(video), flag, str(tmp_path / "missing" / "out.mp4"))
        assert code == 1 and "does not exist" in one_line_error(err)
    code, _, err = run_cli(capsys, "analyze", str(video), "-o", str(tmp_path / "out.png"))
    assert code == 1 and ".mp4 or .gif" in one_line_error(err)


def test_unknown_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    code, _, err = run_cli(capsys, "analyze", str(video), "--variant", "turbo")
    assert code == 1 and "valid variants" in one_line_error(err)


def test_video_with_no_person_is_zero_reps_and_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    out_json = tmp_path / "reps.json"
    code, out, _ = run_cli(
        capsys, "analyze", str(video), "--exercise", "squat", "--json", str(out_json), "--every-frame"
    )
    assert code == 0
    assert "Total: 0 squat reps," in out
    assert "note: No person found in any of the 45 frames" in out
    doc = json.loads(out_json.read_text())
    assert doc["reps"] == 0 and doc["rep_list"] == []
    assert doc["video"] == {
        "path": str(video),
        "width": 160,
        "height": 120,
        "fps": 30.0,
        "frames": 45,
        "duration_ms": 1500,
    }
    assert doc["notes"] == ["No person found in any of the 45 frames: 0 reps"]


# -- required joints, wrong exercise (on poses: no footage needed) ------------------------------


def test_required_joints_never_visible_says_which() -> None:
    legs = ("left_knee", "right_knee", "left_ankle", "right_ankle")
    frames = [(i * DT, standing_figure(k, hide=legs)) for i, k in enumerate(reps(3, 175, 80))]
    result = analyze_poses(frames, "squat")
    assert result.count == 0
    assert any(n.startswith("The ankle, knee were never visible") for n in result.notes), result.notes


def test_wrong_exercise_gives_a_low_confidence_note() -> None:
    frames = [(i * DT, horizontal_figure(e)) for i, e in enumerate(reps(4, 175, 70))]
    result = analyze_poses(frames, "squat")
    assert result.count == 0
    assert result.recognition is not None and result.recognition.exercise == "pushup"
    assert any("looks more like push-up than squat" in n for n in result.notes), result.notes
    assert any("Never in position for squat" in n for n in result.notes)


def test_auto_recognises_the_exercise_from_keypoints() -> None:
    curls = [(i * DT, standing_figure(elbow=e)) for i, e in enumerate(reps(3, 170, 40))]
    squats = [(i * DT, standing_figure(k)) for i, k in enumerate(reps(3, 175, 80))]
    pushups = [(i * DT, horizontal_figure(e)) for i, e in enumerate(reps(3, 175, 70))]
    for frames, expected in ((curls, "curl"), (squats, "squat"), (pushups, "pushup")):
        result = analyze_poses(frames, AUTO)
        assert (result.exercise, result.count) == (expected, 3)
        assert result.recognition is not None and result.recognition.confident
        assert result.notes[0].startswith("Recognised as")


# -- eval: bad input ---------------------------------------------------------------------------


def test_eval_missing_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "eval", str(tmp_path / "manifest.csv"))
    assert code == 1 and "no such manifest" in one_line_error(err)


def test_eval_manifest_without_labelled_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,exercise,reps,notes\nimages/a.jpg,none (photo),,\n")
    code, _, err = run_cli(capsys, "eval", str(manifest))
    assert code == 1 and "has no rows labelled" in one_line_error(err)
    manifest.write_text("path,label\n")
    code, _, err = run_cli(capsys, "eval", str(manifest))
    assert code == 1 and "lacks the column(s) exercise, file, reps" in one_line_error(err)


def test_manifest_ranges(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "exercise", "reps", "notes"])
        w.writerow(["v/a.mp4", "squat", "2", "clip ends mid-rep; reps_range=2-3; size_bytes=1"])
        w.writerow(["v/b.mp4", "curl", "5", "clean"])
        w.writerow(["v/c.jpg", "none (photo)", "", ""])
    clips = load_manifest(manifest)
    assert [(c.name, c.lo, c.hi) for c in clips] == [("a.mp4", 2, 3), ("b.mp4", 5, 5)]
    assert clips[0].path == tmp_path / "v" / "a.mp4"


def test_eval_reports_unreadable_clips_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _blank_video(tmp_path / "wall.mp4")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,exercise,reps,notes\nwall.mp4,squat,0,\ngone.mp4,curl,3,\n")
    out_json = tmp_path / "eval.json"
    code, out, err = run_cli(capsys, "eval", str(manifest), "--json", str(out_json))
    assert code == 1
    assert "gone.mp4" in out and "ERROR  no such file" in out
    assert "wall.mp4" in out and "ok" in out
    assert "1 clip could not be analysed" in one_line_error(err)
    doc = json.loads(out_json.read_text())
    assert doc["metrics"]["clips"] == 2
    assert [c["error"] is None for c in doc["clips"]] == [True, False]


# -- analyze on real footage -------------------------------------------------------------------


@pytest.mark.slow
def test_analyze_outputs(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fitness.store import SessionStore

    video = data_dir / "videos/squat/squat_front_tfjs_mediapipe.mp4"
    out_json, out_csv, out_mp4 = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "a.mp4"
    db = tmp_path / "history.db"
    code, out, _ = run_cli(
        capsys, "analyze", str(video), "-e", "squat", "--json", str(out_json), "--csv", str(out_csv),
        "-o", str(out_mp4), "--save", "--profile", "tester", "--db", str(db),
    )  # fmt: skip
    assert code == 0
    assert "Total: 2 squat reps," in out and "saved as session" in out
    assert "note: Turn sideways for depth feedback" in out
    doc = json.loads(out_json.read_text())
    assert set(doc) >= {"exercise", "reps", "video", "rep_list", "per_side", "notes"}
    assert doc["exercise"] == "squat" and doc["reps"] == 2 and len(doc["rep_list"]) == 2
    rep = doc["rep_list"][0]
    assert set(rep) >= {
        "index", "start_ms", "end_ms", "min_angle", "max_angle", "rom_deg",
        "eccentric_ms", "concentric_ms", "verdict", "cues",
    }  # fmt: skip
    assert rep["start_ms"] < rep["bottom_ms"] < rep["end_ms"] and rep["verdict"] in ("good", "needs_work")
    rows = list(csv.DictReader(out_csv.open()))
    assert [int(r["index"]) for r in rows] == [1, 2]
    assert out_mp4.stat().st_size > 1000
    with open_video(out_mp4) as annotated:
        assert annotated.frame_count == 65
    with SessionStore.open(str(db)) as store:
        (saved,) = store.list_sessions(profile="tester")
    assert (saved.exercise, saved.source, saved.rep_count) == ("squat", "video", 2)
    assert saved.video_name == video.name and saved.end_reason == "completed"
    # Round trip: the history gives back exactly the reps the analysis wrote as JSON.
    code, out, _ = run_cli(capsys, "history", "show", str(saved.id), "--json", "--db", str(db))
    assert code == 0
    shown = json.loads(out)
    assert shown["exercise"] == "squat" and shown["reps"] == 2
    assert shown["rep_list"] == doc["rep_list"]


@pytest.mark.slow
def test_analyze_auto_and_stdout_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = data_dir / "videos/curl/curl_closeup_kamran.mp4"
    code, out, err = run_cli(capsys, "analyze", str(video), "--json", "-")
    assert code == 0
    doc = json.loads(out)  # the table went to stderr
    assert "Total: 5 biceps curl reps (" in err
    assert doc["exercise"] == "curl" and doc["reps"] == 5
    assert doc["recognition"]["exercise"] == "curl"


# -- the catalogue's manifest and holds ---------------------------------------------------------


CATALOGUE_HEADER = "file,exercise,kind,count,count_lo,count_hi,left,right,view,notes\n"


def test_catalogue_manifest_rows(tmp_path: Path) -> None:
    manifest = tmp_path / "catalogue.csv"
    manifest.write_text(
        CATALOGUE_HEADER
        + "v/plank.mp4,plank,hold_s,9.5,9,10,,,side,\n"
        + "v/lunge.mp4,lunge,reps,9,8,10,4,5,side,\n"
        + "v/yoga.mp4,yoga,reps,3,3,3,,,front,not a known exercise\n"
    )
    plank, lunge = load_manifest(manifest)
    assert (plank.kind, plank.reps, plank.lo, plank.hi) == ("hold_s", 9.5, 9.0, 10.0)
    assert (lunge.kind, lunge.lo, lunge.hi, lunge.left, lunge.right) == ("reps", 8, 10, 4, 5)
    manifest.write_text("file,exercise,kind\n")
    with pytest.raises(FitnessError, match="lacks the column"):
        load_manifest(manifest)


def test_hold_tolerance_is_two_seconds_or_a_fifth() -> None:
    from fitness.pipeline.evaluation import EvalRow, LabelledClip

    short = LabelledClip(Path("a.mp4"), "plank", 6.2, 6.0, 6.2, kind="hold_s")
    long = LabelledClip(Path("b.mp4"), "wall_sit", 20.0, 19.0, 20.5, kind="hold_s")
    assert EvalRow(short, 8.1).off_by_one and not EvalRow(short, 8.3).off_by_one
    assert EvalRow(long, 15.0).off_by_one and not EvalRow(long, 14.9).off_by_one
    assert not EvalRow(long, 15.0).exact and EvalRow(long, 19.5).exact


def test_eval_reads_the_catalogue_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _blank_video(tmp_path / "wall.mp4")
    manifest = tmp_path / "catalogue.csv"
    manifest.write_text(CATALOGUE_HEADER + "wall.mp4,plank,hold_s,0,0,0,,,side,\ngone.mp4,lunge,reps,3,2,3,,,side,\n")
    out_json = tmp_path / "eval.json"
    code, out, _ = run_cli(capsys, "eval", str(manifest), "--json", str(out_json))
    assert code == 1
    assert "wall.mp4" in out and "plank" in out and "0s" in out and "not known" in out
    assert "gone.mp4" in out and "ERROR  no such file" in out
    doc = json.loads(out_json.read_text())
    assert [c["kind"] for c in doc["clips"]] == ["hold_s", "reps"]
    assert doc["clips"][0]["predicted"] == 0 and doc["clips"][0]["recognised"] is None
    assert "recognised" in doc["metrics"]


@pytest.mark.slow
def test_analyze_a_hold_as_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = data_dir / "videos/plank/plank_side_treadtv.mp4"
    if not video.is_file():
        pytest.skip(f"{video} is not in ../shared/data")
    code, out, err = run_cli(capsys, "analyze", str(video), "--exercise", "plank", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["exercise"] == "plank" and doc["kind"] == "hold" and doc["reps"] == 0
    assert 6.0 <= doc["hold_s"] <= 6.2 and doc["breaks"] == []
    assert "Total: 6.1 s of plank held, 0 breaks" in err


@pytest.mark.slow
def test_eval_on_catalogue_footage(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clips = [
        data_dir / "videos/plank/plank_side_treadtv.mp4",
        data_dir / "videos/jumping_jack/jumping_jack_front_treadtv.mp4",
    ]
    if not all(c.is_file() for c in clips):
        pytest.skip("the short catalogue clips are not in ../shared/data")
    manifest = tmp_path / "catalogue.csv"
    manifest.write_text(
        CATALOGUE_HEADER + f"{clips[0]},plank,hold_s,6.2,6,6.2,,,side,\n{clips[1]},jumping_jack,reps,3,2,3,,,front,\n"
    )
    code, out, _ = run_cli(capsys, "eval", str(manifest))
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line.endswith("s") and ".mp4" in line}
    assert "ok" in lines["plank_side_treadtv.mp4"] and "plank" in lines["plank_side_treadtv.mp4"].split()[-2]
    assert "ok" in lines["jumping_jack_front_treadtv.mp4"]
    assert "2 clips: exact-within-range 100.0%" in out and "recognised 100.0%" in out
