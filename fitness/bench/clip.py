"""The footage a benchmark runs on: the default clip, its exercise, and a webcam-like stream of it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

import cv2
import numpy as np

from fitness.errors import InputFileError
from fitness.pipeline.video_io import WriterContext, open_video, open_writer

if TYPE_CHECKING:
    import av

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
SHARED_DATA: Final = REPO_ROOT.parent / "shared" / "data"
# A clean 1280x720, 29.97 fps, 26 s clip: one person, full body, 8 curls.
DEFAULT_CLIP: Final = "videos/curl/curl_front_swsumo.mp4"
LIVE_SIZE: Final = (640, 480)  # what a webcam delivers once WebRTC has ramped up


def default_clip(data_dir: Path = SHARED_DATA) -> Path | None:
    """The default labelled 720p clip in ``../shared/data``, or None when that folder is absent."""
    path = data_dir / DEFAULT_CLIP
    return path if path.is_file() else None


def exercise_for(clip: Path, data_dir: Path = SHARED_DATA, known: Iterable[str] = ()) -> str:
    """The clip's exercise from the manifest beside it if it is one of ``known``, else ``auto``."""
    manifest = data_dir / "manifest.csv"
    wanted = set(known)
    try:
        with manifest.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if (data_dir / (row.get("file") or "")).resolve() == clip.resolve():
                    exercise = (row.get("exercise") or "").strip()
                    return exercise if exercise in wanted else "auto"
    except (OSError, csv.Error):
        pass
    return "auto"


def make_live_clip(src: Path, dst: Path, max_frames: int, size: tuple[int, int] = LIVE_SIZE) -> tuple[int, float]:
    """Shrink ``src`` to ``size`` and re-encode it as H.264 (a webcam's stream); untimed set-up.

    Returns (frames written, fps).
    """
    written = 0
    with open_video(src) as video:
        fps = video.fps
        with WriterContext(open_writer(dst, fps, size)) as writer:
            assert writer is not None
            for frame in video:
                writer.write(cv2.resize(frame.rgb, size, interpolation=cv2.INTER_AREA))
                written += 1
                if written >= max_frames:
                    break
    if written == 0:
        raise InputFileError(f"{src} has no video frames that can be decoded")
    return written, fps


class LoopingDecoder:
    """Decodes an H.264 file with PyAV to RGB arrays, from the start again at the end (a stream)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._container: av.container.InputContainer | None = None
        self._frames: Iterator[av.VideoFrame] | None = None
        self.loops = 0

    def _open(self) -> None:
        # PyAV is imported here, not at the top: every ``fitness`` command imports this package
        # (the CLI registers them all), and PyAV would add ~50 ms to each start-up.
        import av

        self.close()
        self._container = av.open(str(self.path))
        self._frames = self._container.decode(video=0)

    def read(self) -> np.ndarray:
        for _ in range(2):
            if self._frames is None:
                self._open()
            assert self._frames is not None
            frame = next(self._frames, None)
            if frame is not None:
                rgb: np.ndarray = frame.to_ndarray(format="rgb24")
                return rgb
            self.loops += 1
            self.close()
        raise InputFileError(f"{self.path} has no video frames that can be decoded")

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = None
        self._frames = None
