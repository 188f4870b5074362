"""Finding a batch's videos, hashing them and reading their headers (no Ray, no model)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from fitness.batch.inputs import HASH_CHUNK, content_hash, discover, probe
from fitness.errors import InputFileError
from tests.conftest import shared_data


def _manifest_rows(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_folders_are_searched_recursively_and_each_file_counts_once(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.mp4", "a/b/two.MOV", "a/notes.txt", "a/b/photo.jpg"):
        (tmp_path / name).write_bytes(b"x")
    found = discover([tmp_path / "a", tmp_path / "a" / "one.mp4", tmp_path / "a" / "b"])
    assert [v.path for v in found] == [(tmp_path / "a/b/two.MOV").resolve(), (tmp_path / "a/one.mp4").resolve()]
    assert all(v.exercise is None for v in found)


def test_a_manifest_lists_videos_relative_to_itself_with_their_exercise() -> None:
    data = shared_data()
    found = discover([data / "manifest.csv"])
    lines = _manifest_rows(data / "manifest.csv")
    videos = [line for line in lines[1:] if line.split(",", 1)[0].endswith(".mp4")]
    assert len(found) == len(videos) == 21  # 20 labelled clips and the MoveNet fixture; photos left out
    labelled = [v for v in found if v.exercise is not None]
    assert len(labelled) == 20 and {v.exercise for v in labelled} == {"pushup", "squat", "curl"}
    assert all(v.path.is_file() and v.path.is_absolute() for v in found)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "no such file or folder: .*missing.mp4"),
        (lambda d: d, "has no videos in it or its subfolders"),
    ],
    ids=["missing", "empty-folder"],
)
def test_bad_inputs_fail_in_one_line(tmp_path: Path, make: object, message: str) -> None:
    (tmp_path / "readme.txt").write_text("no videos here")
    with pytest.raises(InputFileError, match=message):
        discover([make(tmp_path)])  # type: ignore[operator]


def test_a_manifest_naming_a_missing_video_fails_naming_it(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,exercise\nvideos/gone.mp4,squat\n")
    with pytest.raises(InputFileError, match=r"m.csv line 2 lists videos/gone.mp4, which does not exist"):
        discover([manifest])
    manifest.write_text("path,exercise\nx.mp4,squat\n")
    with pytest.raises(InputFileError, match="has no 'file' column"):
        discover([manifest])
    manifest.write_text("file,exercise\nphoto.jpg,none\n")
    with pytest.raises(InputFileError, match="lists no video files"):
        discover([manifest])


def test_the_content_hash_is_sha256_of_the_bytes_read_in_chunks(tmp_path: Path) -> None:
    data = shared_data()
    clip = data / "videos/squat/squat_side_diya.mp4"
    assert clip.stat().st_size > HASH_CHUNK  # read in more than one chunk
    expected = hashlib.sha256(clip.read_bytes()).hexdigest()
    assert content_hash(clip) == expected
    assert expected.startswith("09950bbd1256f69d")  # the manifest's note for this clip
    copy = tmp_path / "renamed.bin"
    shutil.copy(clip, copy)
    assert content_hash(copy) == expected  # a renamed copy is the same video


def test_probe_reads_the_length_from_the_header(tmp_path: Path) -> None:
    data = shared_data()
    found = probe(data / "videos/curl/curl_front_swsumo.mp4")  # 780 frames at 29.97 fps
    assert found.duration_s is not None and abs(found.duration_s - 780 / 29.97) < 0.2
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 4096)
    assert probe(bad).duration_s is None


def test_videos_are_planned_longest_first_and_unknown_lengths_last(tmp_path: Path) -> None:
    from fitness.batch.runner import plan

    data = shared_data()
    (tmp_path / "broken.mp4").write_bytes(b"\x00" * 4096)
    videos = discover([data / "manifest.csv", tmp_path])
    planned = plan(videos, None)
    lengths = [job.duration_s for job, _ in planned]
    assert lengths[-1] is None and all(x is not None for x in lengths[:-1])
    known = [x for x in lengths if x is not None]
    assert known == sorted(known, reverse=True)
    assert Path(planned[0][0].path).name == "pushup_side_tutorial_tayyab.mp4"  # 1402 frames, the longest
    # The manifest's exercise unless one is given for all; auto where the manifest names none.
    by_name = {Path(job.path).name: job.exercise for job, _ in planned}
    assert by_name["curl_front_swsumo.mp4"] == "curl" and by_name["tfjs_movenet_pose_1.mp4"] == "auto"
    assert {job.exercise for job, _ in plan(videos, "squat")} == {"squat"}
    assert all(when.tzinfo is not None for _, when in planned)
