"""What a batch reads: the videos named by files, folders and manifests; their content hash;
their length and recording time from a look at the container header.

Everything here runs before any analysis, so a mistyped path or an empty folder fails in one
line before a cluster starts. Hashing is done where the video is analysed (a Ray worker), not
here: on a cluster that spreads the reading of every byte over the nodes.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from fitness.engine.registry import REGISTRY
from fitness.errors import InputFileError
from fitness.pipeline.video_io import VIDEO_SUFFIXES

log = logging.getLogger(__name__)

MANIFEST_SUFFIX: Final = ".csv"
HASH_CHUNK: Final = 1 << 20  # 1 MiB reads: hashing runs at disk speed, memory stays flat


@dataclass(frozen=True, slots=True)
class VideoInput:
    """One video to analyse; ``exercise`` is the manifest's when it names a known exercise."""

    path: Path
    exercise: str | None = None


@dataclass(frozen=True, slots=True)
class Probe:
    """What a container header says: length in seconds and when it was recorded (None: unknown)."""

    duration_s: float | None
    recorded_at: datetime | None


def _videos_in(folder: Path) -> list[Path]:
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
    return sorted(found)


def read_manifest(manifest: Path) -> list[VideoInput]:
    """The video rows of a manifest CSV: a ``file`` column relative to the manifest's folder and,
    optionally, an ``exercise`` column. Rows whose file is not a video (photos) are left out;
    a listed video that does not exist fails at once, naming it."""
    try:
        with manifest.open(newline="") as fh:
            reader = csv.DictReader(fh)
            if "file" not in (reader.fieldnames or ()):
                raise InputFileError(f"{manifest} has no 'file' column: a batch manifest lists one video per row")
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{manifest} is not a readable CSV manifest: {exc}") from None
    except OSError as exc:
        raise InputFileError(f"cannot read {manifest}: {exc.strerror}") from None
    videos: list[VideoInput] = []
    for line, row in enumerate(rows, start=2):
        name = (row.get("file") or "").strip()
        if not name or Path(name).suffix.lower() not in VIDEO_SUFFIXES:
            continue
        path = manifest.parent / name
        if not path.is_file():
            raise InputFileError(f"{manifest} line {line} lists {name}, which does not exist ({path})")
        exercise = (row.get("exercise") or "").strip()
        videos.append(VideoInput(path, exercise if exercise in REGISTRY else None))
    if not videos:
        raise InputFileError(f"{manifest} lists no video files (looked for {', '.join(sorted(VIDEO_SUFFIXES))})")
    return videos


def _expand(item: Path) -> list[VideoInput]:
    if not item.exists():
        raise InputFileError(f"no such file or folder: {item}")
    if item.is_dir():
        found = _videos_in(item)
        if not found:
            raise InputFileError(
                f"{item} has no videos in it or its subfolders (looked for {', '.join(sorted(VIDEO_SUFFIXES))})"
            )
        return [VideoInput(p) for p in found]
    if item.suffix.lower() == MANIFEST_SUFFIX:
        return read_manifest(item)
    # A file named on the command line is taken as a video whatever its suffix: if it is not
    # one, the worker records it as failed with the reader's reason.
    return [VideoInput(item)]


def discover(items: Sequence[Path]) -> list[VideoInput]:
    """Every video named by ``items`` (files, folders searched recursively, manifest CSVs),
    each file once (the first mention wins), in the order given."""
    if not items:
        raise InputFileError("no input given: name video files, folders or a manifest CSV")
    seen: set[Path] = set()
    videos: list[VideoInput] = []
    for item in items:
        for video in _expand(item):
            key = video.path.resolve()
            if key not in seen:
                seen.add(key)
                videos.append(VideoInput(key, video.exercise))
    return videos


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, read in chunks (constant memory however long the video)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _recorded_at(tags: Any) -> datetime | None:
    text = str(tags.get("creation_time") or "").strip() if hasattr(tags, "get") else ""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Cameras that write no time leave the QuickTime epoch (1904) or the Unix one.
    if when.year < 1990:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def probe(path: Path) -> Probe:
    """Length and recording time from the container header (no frame is decoded; milliseconds
    per file). A file PyAV cannot open gives ``Probe(None, None)``: the worker will say why."""
    import av

    try:
        with av.open(str(path)) as container:
            duration: float | None = None
            if container.duration:
                duration = float(container.duration) / av.time_base
            elif container.streams.video:
                stream = container.streams.video[0]
                if stream.duration and stream.time_base:
                    duration = float(stream.duration * stream.time_base)
            recorded = _recorded_at(container.metadata)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        log.debug("cannot probe %s: %s", path, exc)
        return Probe(None, None)
    return Probe(duration if duration is not None and duration > 0 else None, recorded)


def file_time(path: Path) -> datetime:
    """The file's modification time: when it was recorded, for videos whose header does not say."""
    return datetime.fromtimestamp(os.stat(path).st_mtime, UTC)


def probe_all(videos: Iterable[VideoInput]) -> Iterator[tuple[VideoInput, Probe]]:
    for video in videos:
        yield video, probe(video.path)
