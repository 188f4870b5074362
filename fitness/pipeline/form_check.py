"""Form feedback against labelled footage: faults caught, and good reps left alone.

Two measures, both over poses already estimated (``analyse(clip, exercise)`` returns the
analysis of one clip):

- :func:`fault_rows`: each labelled fault and the cues the rep (or partial rep) it names drew;
  caught when every cue named for it fired;
- :func:`good_form_rows` / :func:`summarize_good_form`: every rep of the labelled counting clips
  that shows good form, and the share of them that drew any cue (a false alarm), per exercise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fitness.engine.values import Cue
from fitness.pipeline.evaluation import load_manifest
from fitness.pipeline.stream import AnalysisResult

Analyse = Callable[[str, str], AnalysisResult | None]  # (clip under the data folder, exercise)
COUNTING_MANIFESTS = ("manifest.csv", "catalogue_manifest.csv")


@dataclass(frozen=True, slots=True)
class LabelledFault:
    """One labelled faulty rep: its time range and the cue ids that name its fault."""

    clip: str  # path under the data folder
    exercise: str
    rep: str  # how the label names the rep ("p2 rep 1")
    start_s: float
    end_s: float
    fault: str  # the label's words
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FaultRow:
    fault: LabelledFault
    found: str  # what the labelled range was matched with: "rep 2", "partial rep", "nothing"
    cues: tuple[Cue, ...]

    @property
    def caught(self) -> bool:
        ids = {c.id for c in self.cues}
        return all(c in ids for c in self.fault.cues)

    def line(self) -> str:
        f = self.fault
        given = "; ".join(str(c) for c in self.cues) or "no cue"
        mark = "caught" if self.caught else "MISSED"
        return f"{Path(f.clip).name} | {f.rep} ({self.found}) | {f.fault} -> {'/'.join(f.cues)} | {given} | {mark}"


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def fault_row(fault: LabelledFault, result: AnalysisResult | None) -> FaultRow:
    """The rep or partial rep of ``result`` that the labelled range is mostly about."""
    if result is None:
        return FaultRow(fault, "no poses", ())
    lo, hi = fault.start_s * 1000.0, fault.end_s * 1000.0
    candidates: list[tuple[float, str, tuple[Cue, ...]]] = []
    for rep in result.reps:
        candidates.append((_overlap(lo, hi, rep.start_ms, rep.end_ms), f"rep {rep.index}", rep.cues))
    for part in result.partial_reps:
        candidates.append((_overlap(lo, hi, part.start_ms, part.end_ms), "partial rep", part.cues))
    best = max(candidates, default=(0.0, "nothing", ()), key=lambda c: c[0])
    return FaultRow(fault, best[1], best[2]) if best[0] > 0 else FaultRow(fault, "nothing", ())


def fault_rows(faults: Iterable[LabelledFault], analyse: Analyse) -> list[FaultRow]:
    return [fault_row(f, analyse(f.clip, f.exercise)) for f in faults]


@dataclass(frozen=True, slots=True)
class GoodRep:
    clip: str
    exercise: str
    t_s: float  # the rep's turning point
    cues: tuple[str, ...]  # cue ids drawn (a false alarm when any)


def good_form_rows(
    data: Path,
    extra_clips: Iterable[tuple[str, str]],
    not_good: Iterable[tuple[str, float, float, str]],
    analyse: Analyse,
) -> list[GoodRep]:
    """Every rep of the counting manifests' clips (counted as their labelled exercise) and of
    ``extra_clips``, except those whose turning point lies in a ``not_good`` range (a clip's
    notes say that part shows a fault)."""
    clips: list[tuple[str, str]] = []
    for name in COUNTING_MANIFESTS:
        manifest = data / name
        if manifest.is_file():
            clips += [(str(c.path.relative_to(data)), c.exercise) for c in load_manifest(manifest)]
    clips += list(extra_clips)
    excluded = list(not_good)
    rows: list[GoodRep] = []
    for clip, exercise in clips:
        result = analyse(clip, exercise)
        if result is None:
            continue
        for rep in result.reps:
            t = rep.bottom_ms / 1000.0
            if any(Path(clip).name == n and a <= t <= b for n, a, b, _ in excluded):
                continue
            rows.append(GoodRep(Path(clip).name, exercise, t, rep.cue_ids))
    return rows


def summarize_good_form(rows: Iterable[GoodRep]) -> dict[str, tuple[int, int, float]]:
    """Per exercise: good-form reps, how many drew any cue, and that share."""
    out: dict[str, list[int]] = {}
    for r in rows:
        acc = out.setdefault(r.exercise, [0, 0])
        acc[0] += 1
        acc[1] += bool(r.cues)
    return {ex: (n, cued, cued / n if n else 0.0) for ex, (n, cued) in sorted(out.items())}
