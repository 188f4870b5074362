"""A batch's outcome per video and in total, and its JSON and CSV.

The per-video fields are written once (:class:`VideoRow`); the JSON document and the CSV columns
(:data:`ROW_FIELDS`) are derived from them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

RowStatus = Literal["done", "failed"]


@dataclass(frozen=True, slots=True)
class VideoRow:
    """One video of a batch. ``earlier``: found in the ledger, recorded by an earlier batch
    (``batch``) and not analysed again; ``recorded``: the ledger holds it (False when the file
    could not be read, or its worker died: a rerun tries it again)."""

    path: str
    status: RowStatus
    exercise: str | None = None
    sets: int = 0
    reps: int | None = None
    duration_s: float | None = None
    session_id: int | None = None
    batch: str | None = None
    earlier: bool = False
    recorded: bool = True
    reason: str | None = None
    sha256: str | None = None

    @property
    def status_text(self) -> str:
        return f"{self.status} (earlier)" if self.earlier else self.status

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ROW_FIELDS = tuple(f.name for f in fields(VideoRow))


@dataclass(frozen=True, slots=True)
class Totals:
    """A batch in numbers. ``video_s``: length of the videos analysed by THIS run; ``cpu_s``:
    the workers' CPU seconds for them; ``wall_s``: from the workers being ready to the last result."""

    videos: int
    done: int
    failed: int
    earlier: int
    reps: int
    video_s: float
    cpu_s: float
    wall_s: float
    startup_s: float
    workers: int

    @classmethod
    def of(
        cls, rows: Sequence[VideoRow], *, video_s: float, cpu_s: float, wall_s: float, startup_s: float, workers: int
    ) -> Totals:
        return cls(
            videos=len(rows),
            done=sum(r.status == "done" for r in rows),
            failed=sum(r.status == "failed" for r in rows),
            earlier=sum(r.earlier for r in rows),
            reps=sum(r.reps or 0 for r in rows if r.status == "done"),
            video_s=video_s,
            cpu_s=cpu_s,
            wall_s=wall_s,
            startup_s=startup_s,
            workers=workers,
        )

    @property
    def real_time_factor(self) -> float | None:
        """Seconds of video analysed per second of wall time (all workers together)."""
        return self.video_s / self.wall_s if self.wall_s > 0 and self.video_s > 0 else None

    @property
    def per_core(self) -> float | None:
        """Video-hours per core-hour: video seconds per CPU second of the workers."""
        return self.video_s / self.cpu_s if self.cpu_s > 0 and self.video_s > 0 else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["real_time_factor"] = self.real_time_factor
        data["video_hours_per_core_hour"] = self.per_core
        return data

    def line(self) -> str:
        parts = [f"{self.videos} video(s): {self.done} done, {self.failed} failed"]
        if self.earlier:
            parts[0] += f" ({self.earlier} recorded by an earlier batch)"
        parts.append(f"{self.reps} reps")
        if self.video_s > 0:
            speed = f", {self.real_time_factor:.1f}x real time" if self.real_time_factor else ""
            hours = self.video_s / 3600
            parts.append(f"{hours:.3f} h of video analysed in {self.wall_s:.0f} s on {self.workers} worker(s){speed}")
        return "; ".join(parts)


def summary_doc(batch: str, rows: Sequence[VideoRow], totals: Totals, extra: dict[str, Any]) -> dict[str, Any]:
    """The ``--json`` document."""
    return {"batch": batch, **extra, "totals": totals.to_dict(), "videos": [r.to_dict() for r in rows]}


def summary_csv(rows: Sequence[VideoRow]) -> str:
    """The ``--csv`` file: one line per video, the columns of :data:`ROW_FIELDS`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.to_dict().items()})
    return out.getvalue()
