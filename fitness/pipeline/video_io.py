"""Reading images and videos, writing annotated MP4 (H.264) and GIF, with clear errors.

Frames are RGB ``uint8`` arrays everywhere in this project. Videos are read with PyAV (FFmpeg),
the one reader for the CLI, the app, the tests and the benchmark, because OpenCV's
``VideoCapture`` cannot decode AV1, ignores the sample aspect ratio and the rotation metadata,
and hands out frame numbers instead of timestamps (see DESIGN.md, Pitfalls). Frames come out
as a person watching the video sees them: rotated, with square pixels, timed by their own
presentation timestamps, and no larger than the pipeline needs. Decoding and conversion run in
a background thread a few frames ahead, so they overlap inference. A reader may also thin the
frames out to a lower rate (``sample_fps``): the others are decoded (later frames refer to
them) but never converted or handed out.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import cv2
import numpy as np

from fitness.errors import InputFileError, OutputPathError
from fitness.files import commit, temp_beside

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".avi", ".mkv", ".m4v", ".mpg", ".mpeg", ".y4m"})

# Frames are shrunk at decode to fit in this many pixels on their longer side. MoveNet sees a
# 192 px (Lightning) or 256 px (Thunder) square cut from the frame around the person; with
# 1280 px that crop still has its full resolution when the person fills a fifth of the frame
# (a small figure in a wide gym shot), and 1280x720 is the size an annotated video plays well
# in a browser. A 4000x4000 frame is 48 MB as RGB and 1280x1280 is 4.9 MB, so memory stops
# growing with the upload's resolution (decoder and queue hold a few frames each).
DEFAULT_MAX_SIDE = 1280
# Below this a person is a few pixels tall, joints a pixel or two apart: nothing to find.
MIN_SIDE = 32
# A file that decodes fewer frames than this share of what its header announces is cut short
# (an interrupted download or copy). Headers are exact for MP4/MOV; for others the estimate is
# duration x frame rate, off by a frame or two, far from a tenth.
CUT_SHORT = 0.9
# Frame times must strictly increase (the counter divides by their differences): a frame with
# the same or an earlier timestamp than the one before (duplicated or reordered pts in a badly
# muxed file) is placed this long after its predecessor, keeping its place in decoding order.
# 1 ms is below any real frame interval, so real frames around it keep their own times.
MIN_STEP_MS = 1.0
# Frames decoded ahead of the consumer: enough to ride out a slow keyframe, few enough that
# full-HD frames (6 MB each as RGB) do not pile up.
PREFETCH = 4
# Frame threads of the decoder may keep about this much in flight (see decoder_threads).
DECODER_MEMORY = 100 * 2**20
# Up to this many pixels a frame, one decoding thread: one core decodes a 1080p H.264 frame in
# about 3 ms and a 720p one in 0.8 ms, less than inference takes, and the decoding runs beside
# inference anyway; frame threads would only add their hand-over (720p: 1.1 instead of 0.8 ms
# of CPU a frame, measured). A 4K frame takes 15 ms on one core: there they pay.
SINGLE_THREAD_PIXELS = 1920 * 1080
# A thinned-out reader keeps frames at most 1/sample_fps apart, give or take this much: WebM and
# other millisecond time bases round each timestamp, so a gap can look up to 2 ms longer than
# it is (29.97 fps thinned to 15 must still keep every other frame).
SAMPLE_SLACK_MS = 2.0
# Containers sometimes report nonsense rates; 30 is what phones and webcams use.
FALLBACK_FPS = 30.0


@dataclass(frozen=True, slots=True)
class Frame:
    index: int
    t_ms: float  # from the first frame's presentation time, strictly increasing
    rgb: np.ndarray


class CutShortError(InputFileError):
    """The video ends long before its header says it should (a truncated file)."""


def cut_short(decoded: int, expected: int) -> bool:
    """Did a video decode too few of the frames it announced? (``expected`` 0: unknown, no.)"""
    return expected > 0 and decoded < CUT_SHORT * expected


def cut_short_message(decoded: int, expected: int) -> str:
    return f"cut short: {decoded} of {expected} frames decoded"


def check_readable(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"no such file: {path}")
    if path.is_dir():
        raise InputFileError(f"{path} is a directory, not an image or video")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path} is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise InputFileError(f"cannot read {path}: permission denied")


def check_writable(path: Path) -> None:
    """Fail before any work is done if ``path`` cannot be created."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a directory")
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputPathError(f"cannot write {path}: permission denied")


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def load_image(path: Path) -> np.ndarray:
    """An RGB image, or :class:`InputFileError` saying why not."""
    check_readable(path)
    data = np.fromfile(str(path), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputFileError(f"{path} is not an image that can be decoded (corrupt or wrong format)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# -- geometry and time (pure) ----------------------------------------------------------------------


def quarter_turns(rotation: float) -> int:
    """Counterclockwise quarter turns (0-3) for a display-matrix rotation in degrees
    (counterclockwise, as FFmpeg reports it); phones only write multiples of 90."""
    return round(rotation / 90.0) % 4


def display_size(coded: tuple[int, int], sar: Fraction | None, turns: int) -> tuple[int, int]:
    """(width, height) as a player shows the video: pixels made square by stretching the width
    by the sample aspect ratio (as FFmpeg does), then turned."""
    width, height = coded
    if sar is not None and sar > 0 and sar != 1:
        width = max(1, round(width * sar))
    return (height, width) if turns % 2 else (width, height)


def fit_size(display: tuple[int, int], max_side: int | None) -> tuple[int, int]:
    """``display`` shrunk (never enlarged) to at most ``max_side`` on its longer side."""
    width, height = display
    if max_side is None or max(width, height) <= max_side:
        return display
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def decoder_threads(width: int, height: int, cores: int) -> int:
    """Frame threads for a decoder: one up to 1080p (:data:`SINGLE_THREAD_PIXELS`); above, one
    per core, as long as the frames they keep in flight (about two YUV 4:2:0 frames, 1.5 bytes
    a pixel, each; measured on H.264) fit in :data:`DECODER_MEMORY`. A 4000x4000 video gets 2
    threads, 4K 4: memory stays bounded on a many-core machine whatever the resolution."""
    if width * height <= SINGLE_THREAD_PIXELS:
        return 1
    per_thread = 2 * 1.5 * max(width * height, 1)
    return max(1, min(cores, int(DECODER_MEMORY // per_thread)))


class Sampler:
    """Which frames a reader thinned to ``fps`` hands out: the first, then each frame whose
    successor would come too late, so that consecutive frames handed out are never more than
    ``1/fps`` apart (with :data:`SAMPLE_SLACK_MS`). The successor's time is guessed from the last
    interval between decoded frames (real timestamps: variable-rate video is thinned by time;
    only a sudden slow-down, which no reader can foresee, leaves one longer gap).
    A 30 fps video thinned to 15 keeps every other frame, 60 fps every fourth, 50 fps every
    third (16.7 fps); 25 or 24 fps keep every frame. ``fps`` None keeps every frame. (The
    reader also hands out the video's last frame, whatever this says.)
    """

    def __init__(self, fps: float | None, nominal_step_ms: float) -> None:
        if fps is not None and fps <= 0:
            raise ValueError(f"sample fps must be positive, got {fps}")
        self.max_gap_ms = None if fps is None else 1000.0 / fps + SAMPLE_SLACK_MS
        self._step = nominal_step_ms
        self._kept: float | None = None
        self._prev: float | None = None

    def keep(self, t_ms: float) -> bool:
        if self._prev is not None:
            self._step = t_ms - self._prev
        self._prev = t_ms
        if self.max_gap_ms is not None and self._kept is not None and t_ms + self._step - self._kept <= self.max_gap_ms:
            return False
        self._kept = t_ms
        return True


class Timeline:
    """Frame times in ms since the first frame, from presentation timestamps (``pts``).

    Real timestamps, not ``index / fps``: on variable-frame-rate phone video the average rate
    puts a rep seconds away from where it happens. A frame without a pts is placed one nominal
    frame interval after the previous one; a pts that does not move forward is placed
    :data:`MIN_STEP_MS` after it (counted in ``retimed``).
    """

    def __init__(self, fps: float) -> None:
        self.step_ms = 1000.0 / fps
        self.retimed = 0
        self._origin: float | None = None
        self._last: float | None = None

    def t_ms(self, pts: int | None, time_base: Fraction | None) -> float:
        if self._last is None:
            t = 0.0
            if pts is not None and time_base is not None:
                self._origin = float(pts * time_base) * 1000.0
        elif pts is None or time_base is None:
            t = self._last + self.step_ms
            self.retimed += 1
        else:
            raw = float(pts * time_base) * 1000.0
            if self._origin is None:  # the first frames had no pts: join them up here
                self._origin = raw - (self._last + self.step_ms)
            t = raw - self._origin
            if t <= self._last:
                t = self._last + MIN_STEP_MS
                self.retimed += 1
        self._last = t
        return t


# -- reading ------------------------------------------------------------------------------------


def _rate(stream: Any) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 1.0 <= float(rate) <= 240.0:
            return float(rate)
    return FALLBACK_FPS


def _duration_s(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration) / 1_000_000.0  # AV_TIME_BASE
    return 0.0


class VideoSource:
    """A readable video with its metadata; iterate (once) for :class:`Frame` objects.

    ``max_side`` (default :data:`DEFAULT_MAX_SIDE`, None for full size) shrinks frames at
    decode; ``size`` asks for exactly ``(width, height)`` instead (a model's input size, say;
    the caller keeps the aspect ratio if it cares). ``sample_fps`` thins the frames handed out
    to about that rate (see :class:`Sampler`; ``Frame.index`` stays the frame's place in the
    video). Metadata:

    - ``display_width``/``display_height``: the video as a player shows it (rotation and sample
      aspect ratio applied); ``width``/``height``: the frames handed out.
    - ``fps``: the average frame rate (for writers; frame times come from ``Frame.t_ms``).
    - ``frame_count``: the header's count, else duration x fps (an estimate; 0 if unknown).
    - ``duration_ms``: from the header; ``decoded``, ``decoded_duration_ms``: what was read
      (every decoded frame, handed out or not; final once the iteration has ended).
    - ``retimed``: frames whose timestamp was missing or did not move forward;
      ``damaged``: packets the decoder rejected (skipped, as players do).
    """

    def __init__(
        self,
        path: Path,
        *,
        max_side: int | None = DEFAULT_MAX_SIDE,
        size: tuple[int, int] | None = None,
        prefetch: int = PREFETCH,
        sample_fps: float | None = None,
    ) -> None:
        import av

        check_readable(path)
        self.path = path
        self._av = av
        try:
            # An absolute path: FFmpeg would read "name:rest" as a protocol (http:, concat:, pipe:).
            self._container: Any = av.open(str(path.absolute()), metadata_errors="ignore")
        except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError):
            raise InputFileError(f"{path} is not a video that can be decoded (corrupt or wrong format)") from None
        try:
            self._setup(max_side, size, prefetch)
            self._sampler = Sampler(sample_fps, 1000.0 / self.fps)
        except BaseException:
            self._container.close()
            raise

    def _setup(self, max_side: int | None, size: tuple[int, int] | None, prefetch: int) -> None:
        if not self._container.streams.video:
            if not self._container.streams:  # a damaged header: nothing could be found in the file
                raise InputFileError(f"{self.path} is not a video that can be decoded (corrupt or wrong format)")
            raise InputFileError(f"{self.path} has no video track (only {self._container.streams[0].type})")
        stream = self._container.streams.video[0]
        # Frame and slice threads: decoding a large frame on one core would hold up inference.
        stream.thread_type = "AUTO"
        ctx = stream.codec_context
        ctx.thread_count = decoder_threads(ctx.width, ctx.height, os.cpu_count() or 1)
        self._stream: Any = stream
        self.fps = _rate(stream)
        self.duration_ms = _duration_s(self._container, stream) * 1000.0
        # The header's count can include frames an edit list trims from what is shown (two
        # catalogue clips: 591 stored, 549 shown); the duration is that of what is shown.
        counts = [n for n in (stream.frames, round(self.duration_ms / 1000.0 * self.fps)) if n > 0]
        self.frame_count = min(counts, default=0)
        self.damaged = 0
        self.decoded = 0
        self._last_t = 0.0
        self._timeline = Timeline(self.fps)
        self._stop = threading.Event()
        self._queue: queue.Queue[Frame | BaseException | None] = queue.Queue(maxsize=prefetch)
        self._reader: threading.Thread | None = None
        self._raw: Iterator[Any] | None = self._decode()
        first = next(self._raw, None)
        if first is None:
            cut = f" ({cut_short_message(0, self.frame_count)})" if self.frame_count else ""
            raise InputFileError(f"{self.path} has no video frames that can be decoded{cut}")
        self._first: Any = first
        self._turns = quarter_turns(first.rotation)
        sar = stream.sample_aspect_ratio or ctx.sample_aspect_ratio
        self.display_width, self.display_height = display_size((first.width, first.height), sar, self._turns)
        if min(self.display_width, self.display_height) < MIN_SIDE:
            raise InputFileError(
                f"{self.path} is {self.display_width}x{self.display_height} pixels: too small to show a "
                f"person (each side needs at least {MIN_SIDE})"
            )
        if size is not None and min(size) < 1:
            raise ValueError(f"frame size must be positive, got {size}")
        out = size if size is not None else fit_size((self.display_width, self.display_height), max_side)
        self.width, self.height = out
        # swscale scales before the turn, so it gets the size the other way round.
        self._scale_to = (out[1], out[0]) if self._turns % 2 else out

    @property
    def rotation(self) -> int:
        """Degrees the stored frames are turned counterclockwise for display (0, 90, 180, 270)."""
        return self._turns * 90

    @property
    def decoded_duration_ms(self) -> float:
        """The part that was decoded: the last frame's time plus one (mean) frame interval."""
        if self.decoded == 0:
            return 0.0
        step = self._last_t / (self.decoded - 1) if self.decoded > 1 else 1000.0 / self.fps
        return self._last_t + step

    @property
    def retimed(self) -> int:
        return self._timeline.retimed

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop_reader()
        self._container.close()
        # The decoder's frame pool (a dozen full-size frames for a 4K H.264 stream) lives until
        # the stream object goes: let it go now, not when this source is garbage.
        self._first = self._raw = self._stream = None

    def _stop_reader(self) -> None:
        """Stop the decoding thread and wait for it: FFmpeg must not decode while closing."""
        self._stop.set()
        while self._reader is not None and self._reader.is_alive():
            try:  # unblock the reader if it is waiting on a full queue
                self._queue.get_nowait()
            except queue.Empty:
                self._reader.join(timeout=0.05)

    def _decode(self) -> Iterator[Any]:
        """Raw frames in presentation order. A packet the decoder rejects is skipped (as players
        do) and counted; a demuxing error (a cut file) ends the stream after flushing the
        frames still inside the decoder."""
        av = self._av
        packets = self._container.demux(self._stream)
        while not self._stop.is_set():
            try:
                packet = next(packets, None)
            except av.FFmpegError as exc:
                log.warning("%s: reading stopped early (%s)", self.path, exc)
                packet = None
            if packet is None:
                with contextlib.suppress(av.FFmpegError):  # already drained at the end of the file
                    yield from self._stream.codec_context.decode(None)
                return
            try:
                frames = packet.decode()
            except av.FFmpegError:
                self.damaged += 1
                continue
            yield from frames

    def _convert(self, frame: Any) -> np.ndarray:
        width, height = self._scale_to
        # One swscale pass converts YUV to RGB, squares the pixels and shrinks; "area" averages
        # the source pixels, so a 4K frame shrunk 3x does not alias.
        rgb: np.ndarray = frame.to_ndarray(format="rgb24", width=width, height=height, interpolation="AREA")
        if self._turns:
            rgb = np.ascontiguousarray(np.rot90(rgb, self._turns))
        return rgb

    def _read_into(self, raw: Iterator[Any]) -> None:
        q = self._queue
        decoded, last_t = 0, 0.0
        skipped: Any = None  # the last frame decoded, if it was not handed out
        try:
            for frame in raw:
                if self._stop.is_set():
                    break
                t_ms = self._timeline.t_ms(frame.pts, frame.time_base)
                decoded, last_t = decoded + 1, t_ms
                skipped = None if self._sampler.keep(t_ms) else frame
                if skipped is None:
                    q.put(Frame(decoded - 1, t_ms, self._convert(frame)))
            if skipped is not None and not self._stop.is_set():
                # A thinned video still ends where it ends: the last frame is always handed out
                # (so a two-frame clip stays two frames, and the last rep its end).
                q.put(Frame(decoded - 1, last_t, self._convert(skipped)))
        except self._av.FFmpegError as exc:  # a damaged tail: keep what was decoded
            log.warning("%s: decoding stopped early (%s)", self.path, exc)
        except BaseException as exc:  # handed to the consumer's thread, raised there
            q.put(exc)
        finally:
            # Read by the consumer once it gets the end marker (the queue orders the two).
            self.decoded, self._last_t = decoded, last_t
            q.put(None)

    def __iter__(self) -> Iterator[Frame]:
        if self._first is None or self._raw is None:
            raise InputFileError(f"{self.path}: a video can only be read once")
        first, self._first = self._first, None
        raw = itertools.chain((first,), self._raw)
        self._reader = threading.Thread(target=self._read_into, args=(raw,), daemon=True, name="video-decode")
        self._reader.start()
        try:
            while (item := self._queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop_reader()
        if self.damaged:
            log.warning("%s: %d damaged packet(s) skipped", self.path, self.damaged)
        if self.retimed:
            log.info("%s: %d frame(s) without a usable timestamp were placed in sequence", self.path, self.retimed)


def open_video(
    path: str | Path,
    *,
    max_side: int | None = DEFAULT_MAX_SIDE,
    size: tuple[int, int] | None = None,
    prefetch: int = PREFETCH,
    sample_fps: float | None = None,
) -> VideoSource:
    """A :class:`VideoSource`; :class:`InputFileError` in one line if it cannot be read."""
    return VideoSource(Path(path), max_side=max_side, size=size, prefetch=prefetch, sample_fps=sample_fps)


# -- writing ------------------------------------------------------------------------------------


class FrameWriter(Protocol):
    """Writes frames to a hidden file beside ``path``: ``close()`` puts the finished file in
    place, ``abort()`` throws it away (the file at ``path``, if any, is untouched)."""

    def write(self, rgb: np.ndarray, t_ms: float | None = None) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class Mp4Writer:
    """H.264 ``yuv420p`` MP4 through PyAV: the only MP4 flavour every browser plays.

    Frames keep the times they are given (milliseconds), so an annotated copy of a
    variable-frame-rate video stays in step with it; without times they are 1/fps apart.
    """

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        import av

        width, height = size
        self._w, self._h = width - width % 2, height - height % 2  # yuv420p needs even sizes
        if self._w < 2 or self._h < 2:
            raise OutputPathError(f"cannot write {path}: a {width}x{height} video is too small for MP4")
        self.path = path
        self._tmp = temp_beside(path, ".mp4")
        self._step_ms = 1000.0 / fps
        self._last_pts = -1
        self._count = 0
        try:
            self._container: Any = av.open(str(self._tmp.absolute()), mode="w", format="mp4")
        except (av.FFmpegError, OSError) as exc:
            self._tmp.unlink(missing_ok=True)
            raise OutputPathError(f"cannot write {path}: {exc}") from None
        rate = Fraction(fps).limit_denominator(1001)
        self._stream: Any = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = self._w, self._h
        self._stream.pix_fmt = "yuv420p"
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._stream.options = {"preset": "veryfast", "crf": "23", "movflags": "+faststart"}
        self._av = av

    def write(self, rgb: np.ndarray, t_ms: float | None = None) -> None:
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[: self._h, : self._w]), format="rgb24")
        pts = round(self._count * self._step_ms if t_ms is None else t_ms)
        frame.pts = max(pts, self._last_pts + 1)  # ms resolution: keep strictly increasing
        frame.time_base = Fraction(1, 1000)
        self._last_pts = frame.pts
        self._count += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
        except (self._av.FFmpegError, OSError) as exc:
            self._tmp.unlink(missing_ok=True)
            raise OutputPathError(f"cannot write {self.path}: {exc}") from None
        commit(self._tmp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(self._av.FFmpegError, OSError):
            self._container.close()
        self._tmp.unlink(missing_ok=True)


class GifWriter:
    """Animated GIF (the MoveNet tutorial's ``to_gif``), frames shrunk to keep files small."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int], max_side: int = 480) -> None:
        self.path = path
        self._step_ms = 1000.0 / fps
        scale = min(1.0, max_side / max(size))
        self._size = (max(2, round(size[0] * scale)), max(2, round(size[1] * scale)))
        self._frames: list[Any] = []
        self._times: list[float] = []

    def write(self, rgb: np.ndarray, t_ms: float | None = None) -> None:
        from PIL import Image

        small = cv2.resize(rgb, self._size, interpolation=cv2.INTER_AREA)
        self._frames.append(Image.fromarray(small).quantize(colors=128))
        self._times.append(len(self._times) * self._step_ms if t_ms is None else t_ms)

    def close(self) -> None:
        if not self._frames:
            return
        # Each frame shows until the next one's time (the last for one average interval).
        ends = [*self._times[1:], self._times[-1] + self._step_ms]
        durations = [max(10, round(end - start)) for start, end in zip(self._times, ends, strict=True)]
        first, *rest = self._frames
        tmp = temp_beside(self.path, ".gif")
        try:
            first.save(tmp, format="GIF", save_all=True, append_images=rest, duration=durations, loop=0)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputPathError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        commit(tmp, self.path)

    def abort(self) -> None:
        self._frames.clear()


def open_writer(path: str | Path, fps: float, size: tuple[int, int]) -> FrameWriter:
    """A writer for ``.mp4`` or ``.gif`` (decided by the suffix); checks the path first."""
    out = Path(path)
    check_writable(out)
    suffix = out.suffix.lower()
    if suffix == ".gif":
        return GifWriter(out, fps, size)
    if suffix == ".mp4":
        return Mp4Writer(out, fps, size)
    raise OutputPathError(f"cannot write {out}: the output must end in .mp4 or .gif")


class WriterContext:
    """``with`` support for any :class:`FrameWriter`: the output is put in place only when the
    block finishes; on an error (or Ctrl-C) it is thrown away."""

    def __init__(self, writer: FrameWriter | None) -> None:
        self.writer = writer

    def __enter__(self) -> FrameWriter | None:
        return self.writer

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.writer is None:
            return
        if exc_type is None:
            self.writer.close()
        else:
            self.writer.abort()
