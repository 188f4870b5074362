"""Sets against labels: labelled workouts, composed workouts, and how the found sets score.

Two kinds of labelled workout are read:

- ``scenes_manifest.csv`` rows of kind ``workout`` (real footage of one person doing several
  sets): their ``labels`` give each segment as ``"A-Bs exercise:count (...)"``, rests and
  transitions without a count;
- a composed workouts manifest (``scripts/make_workouts.py`` writes it beside the videos it
  joins from labelled clips): one row per set, ``file, set_index, exercise, kind, count,
  count_lo, count_hi, start_s, end_s, source``.

Two labels of the catalogue's terms: a label naming a variant the catalogue does not have
counts as the exercise it is a variant of (:data:`VARIANTS`: a knee push-up is a push-up, the
same elbow flexion with the body straight from the knees), and consecutive labelled segments
of one exercise with no rest between them (none labelled, and less than the segmenter's
``rest_s`` apart) are one set, which is what a set is.

Found sets are matched to labelled ones by time (each labelled set takes the found set that
overlaps it most; found sets left over are false ones); then precision and recall of the sets,
the exercise named, the count (reps within the label's range, or within one of it; a hold's
seconds within max(2 s, 20%)) and the boundaries.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from fitness.engine.segmentation import SegmentConfig
from fitness.engine.values import SetResult
from fitness.errors import InputFileError
from fitness.pipeline.evaluation import HOLD_TOLERANCE_S, HOLD_TOLERANCE_SHARE

Kind = Literal["reps", "hold_s"]
VARIANTS: Final = {"knee_pushup": "pushup"}
BOUNDARY_S: Final = 3.0  # a set's start and end within this of the label's (the bar)
COMPOSED_COLUMNS: Final = (
    "file",
    "set_index",
    "exercise",
    "kind",
    "count",
    "count_lo",
    "count_hi",
    "start_s",
    "end_s",
    "source",
)
_SEGMENT = re.compile(r"^\s*([\d.]+)-([\d.]+)s\s+([a-z_]+):(\d+)")


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """One labelled set: ``count`` reps (or seconds held), any of ``lo..hi`` defensible, between
    ``start_s`` and ``end_s`` of its video (for a composed workout: its clip's span)."""

    exercise: str
    count: float
    lo: float
    hi: float
    start_s: float
    end_s: float
    kind: Kind = "reps"
    source: str = ""


@dataclass(frozen=True, slots=True)
class LabelledWorkout:
    path: Path
    sets: tuple[LabelledSet, ...]
    composed: bool = False  # its set spans are whole clips (lead-ins included), not the sets themselves

    @property
    def name(self) -> str:
        return self.path.name


def scene_sets(labels: str, rest_s: float = SegmentConfig().rest_s) -> tuple[LabelledSet, ...]:
    """The sets of a scenes-manifest ``labels`` text (see the module docstring)."""
    found: list[LabelledSet] = []
    rested = False  # a segment labelled as rest since the last set
    for part in labels.split(";"):
        m = _SEGMENT.match(part)
        if m is None:
            rested = rested or ("rest" in part and "no rest" not in part)
            continue
        start, end, name, count = float(m[1]), float(m[2]), m[3], int(m[4])
        exercise = VARIANTS.get(name, name)
        last = found[-1] if found else None
        joined = last is not None and not rested and last.exercise == exercise and start - last.end_s < rest_s
        rested = False
        if last is not None and joined:
            total = last.count + count
            found[-1] = LabelledSet(exercise, total, total, total, last.start_s, end, source="merged")
        else:
            found.append(LabelledSet(exercise, count, count, count, start, end))
    return tuple(found)


def load_workouts(manifest: str | Path) -> list[LabelledWorkout]:
    """The labelled workouts of a scenes manifest (kind ``workout``) or a composed one."""
    path = Path(manifest)
    if not path.is_file():
        raise InputFileError(f"no such manifest: {path}")
    try:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path} is not a readable manifest: {exc}") from None
    if rows and "labels" in rows[0]:
        return [
            LabelledWorkout(path.parent / r["file"], scene_sets(r["labels"]))
            for r in rows
            if r.get("kind") == "workout"
        ]
    missing = set(COMPOSED_COLUMNS) - set(rows[0] if rows else COMPOSED_COLUMNS)
    if missing:
        raise InputFileError(f"{path} lacks the column(s) {', '.join(sorted(missing))}")
    by_file: dict[str, list[LabelledSet]] = {}
    try:
        for r in rows:
            kind: Kind = "hold_s" if r["kind"] == "hold_s" else "reps"
            by_file.setdefault(r["file"], []).append(
                LabelledSet(
                    r["exercise"],
                    float(r["count"]),
                    float(r["count_lo"]),
                    float(r["count_hi"]),
                    float(r["start_s"]),
                    float(r["end_s"]),
                    kind,
                    r["source"],
                )
            )
    except (KeyError, ValueError) as exc:
        raise InputFileError(f"{path} has a row that is not a labelled set: {exc}") from None
    return [LabelledWorkout(path.parent / f, tuple(s), composed=True) for f, s in by_file.items()]


def write_composed_manifest(path: Path, workouts: Sequence[LabelledWorkout]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COMPOSED_COLUMNS)
        for w in workouts:
            for i, s in enumerate(w.sets, start=1):
                writer.writerow(
                    [w.path.name, i, s.exercise, s.kind, s.count, s.lo, s.hi, round(s.start_s, 3), round(s.end_s, 3),
                     s.source]
                )  # fmt: skip


# -- scoring -----------------------------------------------------------------------------------


def _overlap(found: SetResult, truth: LabelledSet) -> float:
    return min(found.end_ms / 1000.0, truth.end_s) - max(found.start_ms / 1000.0, truth.start_s)


@dataclass(frozen=True, slots=True)
class SetMatch:
    """A labelled set and the found set matched to it (``None``: missed), or a found set that
    matches no label (``truth`` ``None``: a false set)."""

    truth: LabelledSet | None
    found: SetResult | None

    @property
    def predicted(self) -> float:
        if self.found is None:
            return 0.0
        return self.found.hold_s or 0.0 if self.found.hold_ms is not None else float(len(self.found.reps))

    @property
    def exercise_right(self) -> bool:
        return self.truth is not None and self.found is not None and self.found.exercise == self.truth.exercise

    @property
    def exact(self) -> bool:
        return self.truth is not None and self.found is not None and self.truth.lo <= self.predicted <= self.truth.hi

    @property
    def within_one(self) -> bool:
        if self.truth is None or self.found is None:
            return False
        slack = 1.0
        if self.truth.kind == "hold_s":
            slack = max(HOLD_TOLERANCE_S, HOLD_TOLERANCE_SHARE * self.truth.count)
        return self.truth.lo - slack <= self.predicted <= self.truth.hi + slack

    @property
    def boundary_error_s(self) -> float | None:
        """The larger of the start and end errors (seconds)."""
        if self.truth is None or self.found is None:
            return None
        return max(
            abs(self.found.start_ms / 1000.0 - self.truth.start_s), abs(self.found.end_ms / 1000.0 - self.truth.end_s)
        )


def match_sets(truth: Sequence[LabelledSet], found: Sequence[SetResult]) -> list[SetMatch]:
    """Each labelled set with the found set overlapping it most (each found set used once),
    then the found sets nobody took."""
    pairs = sorted(
        ((_overlap(f, t), ti, fi) for ti, t in enumerate(truth) for fi, f in enumerate(found) if _overlap(f, t) > 0),
        reverse=True,
    )
    taken_t: dict[int, int] = {}
    taken_f: set[int] = set()
    for _, ti, fi in pairs:
        if ti not in taken_t and fi not in taken_f:
            taken_t[ti] = fi
            taken_f.add(fi)
    out = [SetMatch(t, found[taken_t[i]] if i in taken_t else None) for i, t in enumerate(truth)]
    out += [SetMatch(None, f) for i, f in enumerate(found) if i not in taken_f]
    return out


@dataclass(frozen=True, slots=True)
class WorkoutRow:
    workout: LabelledWorkout
    matches: tuple[SetMatch, ...] = ()
    seconds: float = 0.0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SetsSummary:
    """Over every labelled and found set: ``precision`` (found sets that are labelled sets),
    ``recall`` (labelled sets found), and over the sets found: the exercise right, the count
    within the label's range (``exact``) and within one (holds: max(2 s, 20%)); boundary
    errors where labels give the set itself (``boundaries``: within 3 s)."""

    workouts: int
    labelled: int
    found: int
    precision: float
    recall: float
    exercise: float
    exact: float
    within_one: float
    boundaries: float | None = None
    per_exercise: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workouts": self.workouts,
            "labelled_sets": self.labelled,
            "found_sets": self.found,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "exercise_right": round(self.exercise, 4),
            "exact": round(self.exact, 4),
            "within_one": round(self.within_one, 4),
            "boundaries_within_3s": None if self.boundaries is None else round(self.boundaries, 4),
            "per_exercise": {
                k: {"labelled": n, "found": f, "exact": e, "within_one": o}
                for k, (n, f, e, o) in self.per_exercise.items()
            },
        }


def _share(n: int, d: int) -> float:
    return n / d if d else 1.0


def summarize_sets(rows: Sequence[WorkoutRow]) -> SetsSummary:
    matches = [m for r in rows for m in r.matches]
    labelled = [m for m in matches if m.truth is not None]
    found = [m for m in matches if m.found is not None]
    hits = [m for m in labelled if m.found is not None]
    bounded = [m for r in rows if not r.workout.composed for m in r.matches if m.boundary_error_s is not None]
    per: dict[str, tuple[int, int, int, int]] = {}
    for m in labelled:
        assert m.truth is not None
        n, f, e, o = per.get(m.truth.exercise, (0, 0, 0, 0))
        per[m.truth.exercise] = (n + 1, f + (m.found is not None), e + m.exact, o + m.within_one)
    return SetsSummary(
        workouts=len(rows),
        labelled=len(labelled),
        found=len(found),
        precision=_share(len(hits), len(found)),
        recall=_share(len(hits), len(labelled)),
        exercise=_share(sum(m.exercise_right for m in hits), len(hits)),
        exact=_share(sum(m.exact for m in hits), len(hits)),
        within_one=_share(sum(m.within_one for m in hits), len(hits)),
        boundaries=(
            _share(sum((m.boundary_error_s or 0.0) <= BOUNDARY_S for m in bounded), len(bounded)) if bounded else None
        ),
        per_exercise=dict(sorted(per.items())),
    )


def row_of_workout(workout: LabelledWorkout, found: Sequence[SetResult], seconds: float = 0.0) -> WorkoutRow:
    return WorkoutRow(workout, tuple(match_sets(workout.sets, found)), seconds)


def format_match(m: SetMatch) -> str:
    """One line of the table: label, found, verdict."""
    if m.truth is None:
        assert m.found is not None
        return f"    {'-':<16} {'':>11} {'':>13} | found {m.found.exercise:<16} {m.predicted:>6g} FALSE SET"
    t = m.truth
    unit = "s" if t.kind == "hold_s" else ""
    label = f"{t.count:g}{unit}" if t.lo == t.hi else f"{t.count:g}{unit} ({t.lo:g}-{t.hi:g})"
    head = f"    {t.exercise:<16} {label:>11} {t.start_s:5.1f}-{t.end_s:5.1f}s"
    if m.found is None:
        return f"{head} | MISSED"
    f = m.found
    mark = "ok" if m.exact else "obo" if m.within_one else "MISS"
    ex = "" if m.exercise_right else " WRONG EXERCISE"
    return (
        f"{head} | found {f.exercise:<16} {m.predicted:>6g}{unit} {f.start_ms / 1000:5.1f}-{f.end_ms / 1000:5.1f}s "
        f"{mark}{ex}"
    )
