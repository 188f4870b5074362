"""Test clips made with the ffmpeg command line (a different program from the reader under test):
rotated, anamorphic, AV1, variable-frame-rate, cut short, tiny, black."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly, or skip the test saying why it cannot."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.skip("ffmpeg is not installed: it makes this test's clips")
    subprocess.run([exe, "-v", "error", "-y", *args], check=True)


def encoders() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.skip("ffmpeg is not installed: it makes this test's clips")
    return subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, check=True).stdout


def frame_times_ms(path: Path) -> list[float]:
    """Every frame's presentation time, as ffprobe reads it (the reference for the reader)."""
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.skip("ffprobe is not installed")
    out = subprocess.run(
        [exe, "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    times = [float(line.strip(",")) * 1000.0 for line in out.split() if line.strip(",")]
    return [t - times[0] for t in times]


def raw_rgb_frame(path: Path, width: int, height: int) -> bytes:
    """The first frame as ffmpeg shows it (rotation and aspect applied by ffmpeg itself)."""
    exe = shutil.which("ffmpeg")
    assert exe is not None
    scale = f"scale={width}:{height}:flags=area"
    out = subprocess.run(
        [
            exe,
            "-v",
            "error",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-vf",
            scale,
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    assert len(out) == width * height * 3
    return out


def pattern_clip(
    path: Path, *, size: str = "320x240", seconds: float = 1.0, fps: int = 30, args: tuple[str, ...] = ()
) -> Path:
    """An ffmpeg test pattern (no person in it), H.264 unless ``args`` say otherwise."""
    codec = () if "-c:v" in args else ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
    ffmpeg("-f", "lavfi", "-i", f"testsrc=s={size}:r={fps}", "-t", str(seconds), *args, *codec, str(path))
    return path


def one_pixel_clip(path: Path) -> Path:
    """A 1x1 H.264 video (4:4:4: subsampled chroma needs two pixels)."""
    ffmpeg("-f", "lavfi", "-i", "color=gray:s=2x2:r=30", "-t", "1", "-vf", "format=yuv444p,crop=1:1", str(path))
    return path


def cut_clip(tmp_path: Path, keep: float = 0.05) -> Path:
    """255 frames (8.5 s at 30 fps), header first (as phones and web uploads write it), then
    only the first ``keep`` of the file: an interrupted copy or download."""
    # Noise makes every frame about the same size, so the share kept is about the share of frames.
    args = ("-vf", "noise=alls=40:allf=t", "-movflags", "+faststart")
    whole = pattern_clip(tmp_path / "whole.mp4", seconds=8.5, args=args)
    data = whole.read_bytes()
    media = data.index(b"mdat")  # the header (moov) comes before the frames
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: media + int((len(data) - media) * keep)])
    return cut


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
