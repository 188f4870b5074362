"""Group counting scored on composed two-person pairs (:mod:`fitness.pipeline.pairs`).

Each pair is analysed with ``--people 2`` and ``exercise="auto"`` (the two may do different
exercises); each side is then scored on the count of its own labelled exercise, as the one-person
evaluation is. The left person is the one whose centre stays left of the seam between the two
clips; an id whose centre ever crossed the seam was swapped with (or taken over by) the other.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fitness.errors import FitnessError
from fitness.pipeline.evaluation import EvalRow, LabelledClip, row_of, summarize
from fitness.pipeline.group import GroupResult, PersonResult, analyze_group_video, load_people_estimator
from fitness.pipeline.pairs import ClipPair, compose_pair, compose_tool, plan_pairs
from fitness.pose.tracking import PeopleEstimator

log = logging.getLogger(__name__)

COMPOSED_HEIGHT = 480  # compose_side_by_side.sh scales both clips to this height


def composed_width(clip: Path) -> int:
    """The width ``clip`` takes in a composed pair: one frame through the compose tool's own filters
    (ffmpeg's rotation, its scale to 480 px on the stored size, then square pixels), so rotated
    and anamorphic clips land where the tool puts them."""
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    cmd = [ffmpeg, "-loglevel", "error", "-i", str(clip), "-vf", f"fps=30,scale=-2:{COMPOSED_HEIGHT},setsar=1"]
    cmd += ["-frames:v", "1", "-f", "image2pipe", "-vcodec", "ppm", "-"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    header = done.stdout[:32].split()
    if done.returncode != 0 or len(header) < 3 or header[0] != b"P6":
        raise FitnessError(f"cannot read a frame of {clip}: {done.stderr.decode(errors='replace').strip()[-200:]}")
    return int(header[1])


def seam(pair: ClipPair) -> float:
    """Where the left clip ends, as a share of the composed width."""
    left, right = (composed_width(clip.path) for clip in pair.sides)
    return left / (left + right)


@dataclass(frozen=True, slots=True)
class PairRow:
    pair: ClipPair
    left: EvalRow
    right: EvalRow
    swapped: bool
    people: int
    seconds: float
    recognised: tuple[str, str] = ("", "")
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> tuple[EvalRow, EvalRow]:
        return self.left, self.right

    def to_dict(self) -> dict[str, Any]:
        def side(row: EvalRow, recognised: str) -> dict[str, Any]:
            clip = row.clip
            return {
                "clip": clip.name,
                "exercise": clip.exercise,
                "label": [clip.lo, clip.hi],
                "predicted": row.predicted,
                "exact": row.exact,
                "off_by_one": row.off_by_one,
                "recognised": recognised,
            }

        return {
            "pair": self.pair.name,
            "left": side(self.left, self.recognised[0]),
            "right": side(self.right, self.recognised[1]),
            "swapped": self.swapped,
            "people_reported": self.people,
            "seconds": round(self.seconds, 1),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class PairSummary:
    pairs: int
    people: int
    exact: float
    obo: float
    swaps: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "people": self.people,
            "exact": round(self.exact, 4),
            "within_one": round(self.obo, 4),
            "id_swaps": self.swaps,
        }


def score_pair(pair: ClipPair, result: GroupResult, split: float, seconds: float = 0.0) -> PairRow:
    """Match reported people to sides by where their centre stayed; score each side."""

    def on(side: int) -> PersonResult | None:
        found = [p for p in result.people if (p.x < split) == (side == 0)]
        return max(found, key=lambda p: p.frames_seen) if found else None

    rows: list[EvalRow] = []
    recognised: list[str] = []
    swapped = False
    for side, clip in enumerate(pair.sides):
        person = on(side)
        asked = person.asked.get(clip.exercise) if person is not None else None
        if person is None or asked is None:
            rows.append(EvalRow(clip, 0, ("not found",)))
        else:
            # Scored as the one-person evaluation scores a clip (reps, or seconds held).
            rows.append(replace(row_of(clip, asked), notes=person.result.notes))
        recognised.append(person.exercise if person is not None else "-")
        if person is not None:
            lo, hi = person.x_range
            swapped |= hi >= split if side == 0 else lo <= split
    return PairRow(pair, rows[0], rows[1], swapped, len(result.people), seconds, (recognised[0], recognised[1]))


def evaluate_pair(pair: ClipPair, video: Path, estimator: PeopleEstimator) -> PairRow:
    started = time.perf_counter()
    labels = (pair.left.exercise, pair.right.exercise)
    result = analyze_group_video(video, people=2, estimator=estimator, also_count=labels)
    return score_pair(pair, result, seam(pair), time.perf_counter() - started)


def summarize_pairs(rows: Sequence[PairRow]) -> PairSummary:
    sides = [r for row in rows for r in row.rows]
    s = summarize(sides)
    return PairSummary(len(rows), len(sides), s.exact, s.obo, sum(r.swapped for r in rows))


def _mark(row: EvalRow) -> str:
    return "ok" if row.exact else "obo" if row.off_by_one else "MISS"


def format_pair_row(row: PairRow) -> str:
    cells = [
        f"{r.clip.path.stem[:30]:<30} {r.clip.exercise:<7} {r.predicted:>3} {r.clip.lo}-{r.clip.hi:<3} {_mark(r):<4}"
        for r in row.rows
    ]
    return f"{cells[0]} | {cells[1]} | {'SWAP' if row.swapped else 'ids ok'}  {row.seconds:5.1f}s"


def format_pair_table(rows: Sequence[PairRow], summary: PairSummary, header: bool = True) -> str:
    lines = []
    if header:
        lines.append(f"{'left':<30} {'ex':<7} pred label result | right ... | ids")
        lines.extend(format_pair_row(r) for r in rows)
    lines.append(
        f"\n{summary.pairs} pairs, {summary.people} people: exact {summary.exact:.1%}, "
        f"within one {summary.obo:.1%}, id swaps {summary.swaps}"
    )
    return "\n".join(lines) + "\n"


def evaluate_pairs(
    clips: Sequence[LabelledClip],
    out_dir: Path,
    shared: Path,
    *,
    limit: int | None = None,
    estimator: PeopleEstimator | None = None,
    on_row: Callable[[str], None] | None = None,
) -> tuple[list[PairRow], PairSummary]:
    """Compose (once) and score every planned pair; ``on_row`` sees each table line as it is done."""
    tool = compose_tool(shared)
    est = estimator or load_people_estimator(2)
    rows: list[PairRow] = []
    for pair in plan_pairs(clips)[:limit]:
        row = evaluate_pair(pair, compose_pair(pair, out_dir, tool), est)
        rows.append(row)
        if on_row is not None:
            on_row(format_pair_row(row))
    return rows, summarize_pairs(rows)
