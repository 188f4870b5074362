"""Counting accuracy against labelled footage: manifests, per-clip rows and summary metrics."""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fitness.engine.registry import REGISTRY
from fitness.errors import InputFileError
from fitness.pipeline.video_analysis import analyze_video

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LabelledClip:
    path: Path
    exercise: str
    reps: int
    lo: int
    hi: int
    view: str = ""
    notes: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def _reps_range(notes: str, reps: int) -> tuple[int, int]:
    for token in notes.replace(";", " ").split():
        if token.startswith("reps_range="):
            lo, _, hi = token.split("=", 1)[1].partition("-")
            try:
                return int(lo), int(hi or lo)
            except ValueError:
                break
    return reps, reps


def load_manifest(path: str | Path) -> list[LabelledClip]:
    """Rows of a manifest whose ``exercise`` is a registered exercise (paths made absolute)."""
    manifest = Path(path)
    if not manifest.is_file():
        raise InputFileError(f"no such manifest: {manifest}")
    clips: list[LabelledClip] = []
    try:
        with manifest.open(newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"file", "exercise", "reps"} - set(reader.fieldnames or ())
            if missing:
                raise InputFileError(f"{manifest} lacks the column(s) {', '.join(sorted(missing))}")
            for row in reader:
                exercise = (row.get("exercise") or "").strip()
                if exercise not in REGISTRY or not (row.get("reps") or "").strip():
                    continue
                reps = int(row["reps"])
                notes = row.get("notes") or ""
                lo, hi = _reps_range(notes, reps)
                clips.append(
                    LabelledClip(manifest.parent / row["file"], exercise, reps, lo, hi, row.get("view") or "", notes)
                )
    except (UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise InputFileError(f"{manifest} is not a readable manifest: {exc}") from None
    return clips


@dataclass(frozen=True, slots=True)
class EvalRow:
    clip: LabelledClip
    predicted: int
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str | None = None

    @property
    def exact(self) -> bool:
        return self.clip.lo <= self.predicted <= self.clip.hi

    @property
    def off_by_one(self) -> bool:
        return self.clip.lo - 1 <= self.predicted <= self.clip.hi + 1

    @property
    def abs_error(self) -> int:
        """Distance from the accepted range (0 inside it)."""
        return max(0, self.clip.lo - self.predicted, self.predicted - self.clip.hi)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(1, self.clip.reps)


@dataclass(frozen=True, slots=True)
class EvalSummary:
    clips: int
    exact: float
    obo: float
    mae: float
    per_exercise: dict[str, tuple[int, float, float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "clips": self.clips,
            "exact_within_range": round(self.exact, 4),
            "obo": round(self.obo, 4),
            "mae": round(self.mae, 4),
            "per_exercise": {
                k: {"clips": n, "exact_within_range": round(e, 4), "obo": round(o, 4), "mae": round(m, 4)}
                for k, (n, e, o, m) in self.per_exercise.items()
            },
        }


def _metrics(rows: list[EvalRow]) -> tuple[int, float, float, float]:
    n = len(rows)
    if n == 0:
        return 0, 0.0, 0.0, 0.0
    return (
        n,
        sum(r.exact for r in rows) / n,
        sum(r.off_by_one for r in rows) / n,
        sum(r.rel_error for r in rows) / n,
    )


def summarize(rows: list[EvalRow]) -> EvalSummary:
    """Exact-within-range rate, OBO (within one of the range) and MAE (|error| / label)."""
    n, exact, obo, mae = _metrics(rows)
    per = {ex: _metrics([r for r in rows if r.clip.exercise == ex]) for ex in sorted({r.clip.exercise for r in rows})}
    return EvalSummary(n, exact, obo, mae, per)


def evaluate_clip(clip: LabelledClip, **kwargs: Any) -> EvalRow:
    """Analyse one labelled clip with the same settings as every other (``kwargs`` as for
    :func:`analyze_video`); a clip that cannot be read is a row with an error, not a crash."""
    started = time.perf_counter()
    try:
        result = analyze_video(clip.path, clip.exercise, **kwargs)
    except InputFileError as exc:
        return EvalRow(clip, 0, (), time.perf_counter() - started, str(exc))
    return EvalRow(clip, result.count, result.notes, time.perf_counter() - started)
