"""Counting accuracy against labelled footage: manifests, per-clip rows and summary metrics.

Reads both manifest layouts of ``../shared/data`` (``manifest.csv``: reps with a range in the
notes; ``catalogue_manifest.csv``: reps or seconds held with explicit bounds) and reports,
per clip, the count against its range and what exercise recognition named it.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from fitness.engine.registry import REGISTRY
from fitness.errors import InputFileError
from fitness.pipeline.stream import AnalysisResult
from fitness.pipeline.video_analysis import analyze_video

log = logging.getLogger(__name__)


Kind = Literal["reps", "hold_s"]
# A hold is "within tolerance" within this many seconds or this share of the label, the larger.
HOLD_TOLERANCE_S: Final = 2.0
HOLD_TOLERANCE_SHARE: Final = 0.2


@dataclass(frozen=True, slots=True)
class LabelledClip:
    """One labelled clip. ``kind`` is ``"reps"`` (``count`` completed reps) or ``"hold_s"``
    (seconds held); any value in ``lo..hi`` is defensible. ``left``/``right``: per-side counts
    where the label has them."""

    path: Path
    exercise: str
    reps: float  # the best count (reps, or seconds for a hold)
    lo: float
    hi: float
    view: str = ""
    notes: str = ""
    kind: Kind = "reps"
    left: int | None = None
    right: int | None = None

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


def _optional_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _clip(base: Path, row: dict[str, str], catalogue: bool) -> LabelledClip | None:
    exercise = (row.get("exercise") or "").strip()
    if exercise not in REGISTRY:
        return None
    notes = row.get("notes") or ""
    if catalogue:
        # The catalogue's own columns: kind, count, count_lo, count_hi, left, right.
        if not (row.get("count") or "").strip():
            return None
        kind: Kind = "hold_s" if (row.get("kind") or "").strip() == "hold_s" else "reps"
        count = float(row["count"])
        lo = float(row.get("count_lo") or count)
        hi = float(row.get("count_hi") or count)
        return LabelledClip(
            base / row["file"], exercise, count, lo, hi, row.get("view") or "", notes, kind,
            _optional_int(row.get("left")), _optional_int(row.get("right")),
        )  # fmt: skip
    if not (row.get("reps") or "").strip():
        return None
    reps = int(row["reps"])
    lo_i, hi_i = _reps_range(notes, reps)
    return LabelledClip(base / row["file"], exercise, reps, lo_i, hi_i, row.get("view") or "", notes)


def load_manifest(path: str | Path) -> list[LabelledClip]:
    """Rows of a manifest whose ``exercise`` is a registered exercise (paths made absolute).

    Two layouts are read: ``file, exercise, reps, notes`` (with ``reps_range=a-b`` in the
    notes) and the catalogue's ``file, exercise, kind, count, count_lo, count_hi, left, right``.
    """
    manifest = Path(path)
    if not manifest.is_file():
        raise InputFileError(f"no such manifest: {manifest}")
    clips: list[LabelledClip] = []
    try:
        with manifest.open(newline="") as fh:
            reader = csv.DictReader(fh)
            columns = set(reader.fieldnames or ())
            catalogue = "count" in columns and "reps" not in columns
            missing = {"file", "exercise", "count" if catalogue else "reps"} - columns
            if missing:
                raise InputFileError(f"{manifest} lacks the column(s) {', '.join(sorted(missing))}")
            for row in reader:
                clip = _clip(manifest.parent, row, catalogue)
                if clip is not None:
                    clips.append(clip)
    except (UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise InputFileError(f"{manifest} is not a readable manifest: {exc}") from None
    return clips


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One clip's result: ``predicted`` reps (or seconds held) and the exercise recognition
    named for it (``recognised``; ``None``: not an exercise it knows)."""

    clip: LabelledClip
    predicted: float
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str | None = None
    recognised: str | None = None
    per_side: dict[str, int] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.clip.lo <= self.predicted <= self.clip.hi

    @property
    def off_by_one(self) -> bool:
        """Within one rep of the range; for a hold within max(2 s, 20%) of it."""
        slack = 1.0
        if self.clip.kind == "hold_s":
            slack = max(HOLD_TOLERANCE_S, HOLD_TOLERANCE_SHARE * self.clip.reps)
        return self.clip.lo - slack <= self.predicted <= self.clip.hi + slack

    @property
    def abs_error(self) -> float:
        """Distance from the accepted range (0 inside it)."""
        return max(0.0, self.clip.lo - self.predicted, self.predicted - self.clip.hi)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(1.0, self.clip.reps)

    @property
    def recognised_right(self) -> bool:
        return self.recognised == self.clip.exercise


@dataclass(frozen=True, slots=True)
class EvalSummary:
    clips: int
    exact: float
    obo: float
    mae: float
    per_exercise: dict[str, tuple[int, float, float, float]] = field(default_factory=dict)
    recognised: float = 0.0  # share of clips whose exercise recognition named right

    def to_dict(self) -> dict[str, Any]:
        return {
            "clips": self.clips,
            "exact_within_range": round(self.exact, 4),
            "obo": round(self.obo, 4),
            "mae": round(self.mae, 4),
            "recognised": round(self.recognised, 4),
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
    recognised = sum(r.recognised_right for r in rows) / n if n else 0.0
    return EvalSummary(n, exact, obo, mae, per, recognised)


def evaluate_clip(clip: LabelledClip, **kwargs: Any) -> EvalRow:
    """Analyse one labelled clip with the same settings as every other (``kwargs`` as for
    :func:`analyze_video`); a clip that cannot be read is a row with an error, not a crash."""
    started = time.perf_counter()
    try:
        result = analyze_video(clip.path, clip.exercise, **kwargs)
    except InputFileError as exc:
        return EvalRow(clip, 0, (), time.perf_counter() - started, str(exc))
    return row_of(clip, result, time.perf_counter() - started)


def row_of(clip: LabelledClip, result: AnalysisResult, seconds: float = 0.0) -> EvalRow:
    """An analysis of ``clip`` (with its labelled exercise) as an eval row: the count, or the
    time held for a hold, and what recognition named it (it runs alongside every analysis)."""
    predicted: float = result.count
    if clip.kind == "hold_s":
        predicted = round(result.hold_s or 0.0, 2)
    recognised = result.recognition.exercise if result.recognition is not None else None
    return EvalRow(clip, predicted, result.notes, seconds, None, recognised, dict(result.per_side))
