"""``fitness analyze --people``: bad values, nobody, a crowd of more than six, the per-person table
and JSON, the one-person path noticing company; ``fitness eval-pairs`` on one pair. Real models."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_analyze_cli import _blank_video
from tests.cli_helpers import one_line_error, run_cli

CROWD_CLIPS = (
    "videos/squat/squat_side_rohan.mp4",
    "videos/curl/curl_side_tiktok_bajpai.mp4",
    "videos/curl/curl_closeup_kamran.mp4",
    "videos/squat/squat_oblique_barbell_formfit1.mp4",
)
PAIR_CLIPS = ("videos/curl/curl_side_tiktok_bajpai.mp4", "videos/squat/squat_side_rohan.mp4")


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        pytest.skip("ffmpeg is not installed")
    return found


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "--people must be from 1 to 6 (the pose model sees at most 6 people), got 0"),
        ("7", "--people must be from 1 to 6 (the pose model sees at most 6 people), got 7"),
        ("many", "--people must be a number from 1 to 6 or 'auto', got 'many'"),
    ],
)
def test_bad_people_values_are_one_line(
    value: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    code, out, err = run_cli(capsys, "analyze", str(video), "--people", value)
    assert code == 1 and out == ""
    assert one_line_error(err) == f"fitness: error: {message}"


def test_nobody_in_view_is_zero_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    code, out, err = run_cli(capsys, "analyze", str(video), "--people", "2", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["people"] == []
    assert doc["notes"] == ["No person found in the video: 0 reps"]
    assert "0 people" in err and "note: No person found in the video: 0 reps" in err


@pytest.mark.slow
def test_a_crowd_counts_the_six_most_visible_and_says_so(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Eight people: four real clips in a 4x2 grid, the second row mirrored (960x960, 3 s)."""
    video = tmp_path / "crowd.mp4"
    cell = "fps=15,scale=240:480:force_original_aspect_ratio=decrease,setsar=1,pad=240:480:(ow-iw)/2:(oh-ih)/2"
    graph = "".join(f"[{i}:v]{cell},split[a{i}][m{i}];[m{i}]hflip[b{i}];" for i in range(4))
    layout = "|".join(f"{x}_{y}" for y in (0, 480) for x in (0, 240, 480, 720))
    graph += "[a0][a1][a2][a3][b3][b2][b1][b0]xstack=inputs=8:layout=" + layout + "[v]"
    cmd = [_ffmpeg(), "-loglevel", "error", "-y"]
    for clip in CROWD_CLIPS:
        cmd += ["-i", str(data_dir / clip)]
    cmd += ["-filter_complex", graph, "-map", "[v]", "-t", "3"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
    subprocess.run([*cmd, str(video)], check=True, capture_output=True)
    code, out, _ = run_cli(capsys, "analyze", str(video), "--people", "auto", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["most_in_view"] == 6
    assert 2 <= len(doc["people"]) <= 6
    assert any(n.startswith("6 or more people in view at once") for n in doc["notes"])


@pytest.fixture(scope="module")
def pair_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import shared_data

    data = shared_data()
    tool = data.parent / "tools" / "compose_side_by_side.sh"
    out = tmp_path_factory.mktemp("pair") / "pair.mp4"
    subprocess.run(["bash", str(tool), *(str(data / c) for c in PAIR_CLIPS), str(out)], check=True)
    return out


@pytest.mark.slow
def test_people_two_prints_a_table_and_json_and_draws_each_person(
    pair_video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotated = tmp_path / "annotated.mp4"
    out_json = tmp_path / "people.json"
    code, out, err = run_cli(
        capsys, "analyze", str(pair_video), "--people", "2", "--json", str(out_json), "-o", str(annotated)
    )
    assert code == 0, err
    doc = json.loads(out_json.read_text())
    left, right = doc["people"]
    assert {left["person"], right["person"]} == {1, 2}  # tracker ids; the list runs left to right
    assert (left["exercise"], left["reps"]) == ("curl", 4)
    assert (right["exercise"], right["reps"]) == ("squat", 2)
    assert left["x"] < 0.5 < right["x"] and len(right["rep_list"]) == 2
    assert "person      x  exercise" in out and "2 people" in out
    assert annotated.stat().st_size > 0


@pytest.mark.slow
def test_one_person_mode_says_when_it_sees_two(pair_video: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "analyze", str(pair_video), "--json", "-")
    assert code == 0
    notes = json.loads(out)["notes"]
    assert any(
        n.startswith("2 people in view: counting the one on the")
        and n.endswith("; use --people 2 (or the Group toggle) to count everyone")
        for n in notes
    ), notes


@pytest.mark.slow
def test_people_auto_counts_everyone_when_there_are_two(pair_video: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "analyze", str(pair_video), "--people", "auto", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert [(p["exercise"], p["reps"]) for p in doc["people"]] == [("curl", 4), ("squat", 2)]


def test_eval_pairs_without_a_manifest_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "eval-pairs", str(tmp_path / "none.csv"))
    assert code == 1 and out == ""
    assert one_line_error(err) == f"fitness: error: no such manifest: {tmp_path / 'none.csv'}"


def test_eval_pairs_needs_two_clips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "one.csv"
    manifest.write_text("file,exercise,reps\nvideos/squat/a.mp4,squat,3\n")
    code, _, err = run_cli(capsys, "eval-pairs", str(manifest))
    assert code == 1
    assert one_line_error(err) == f"fitness: error: {manifest}: fewer than two labelled clips to pair"


def test_people_with_csv_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = _blank_video(tmp_path / "wall.mp4")
    code, out, err = run_cli(capsys, "analyze", str(video), "--people", "2", "--csv", str(tmp_path / "r.csv"))
    assert code == 1 and out == ""
    assert one_line_error(err) == "fitness: error: --csv and --save are for one person; with --people use --json"
