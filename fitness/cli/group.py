"""Several people: ``fitness analyze --people N|auto`` (called from :mod:`fitness.cli.analyze`) and
``fitness eval-pairs`` (two-person clips composed from labelled clips, each side scored)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from fitness.cli.common import check_outputs, write_json
from fitness.errors import FitnessError
from fitness.pipeline.group import GroupResult, PeopleProbe

log = logging.getLogger(__name__)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def register(sub: Any) -> None:
    e = sub.add_parser(
        "eval-pairs",
        help="score group counting on two-person clips made from labelled clips",
        description=(
            "Compose side-by-side pairs of labelled one-person clips (../shared/tools/compose_side_by_side.sh), "
            "count everyone with --people 2 and score each side against its own label: within one, exact, "
            "and whether the two people's ids ever swapped sides."
        ),
    )
    e.add_argument(
        "manifest", type=Path, nargs="+", help="manifest CSV(s) of one-person clips; the clips of all are paired"
    )
    e.add_argument("--out", type=Path, default=Path("artifacts/pairs"), help="where composed pairs are kept")
    e.add_argument("--tools", type=Path, default=SHARED, help="folder holding tools/compose_side_by_side.sh")
    e.add_argument("--json", type=Path, help="write the table and metrics as JSON ('-' for stdout)")
    e.add_argument("--limit", type=int, default=None, help="only the first N pairs")
    e.set_defaults(func=run_eval_pairs)


def format_group_report(result: GroupResult) -> str:
    """The per-person table and notes printed by ``fitness analyze --people``."""
    lines = [f"{result.video.path}: {len(result.people)} people"]
    if result.people:
        lines.append("person      x  exercise           reps  good  seen (s)")
        for p in result.people:
            good = sum(r.verdict == "good" for r in p.result.reps)
            spec = p.result.spec
            name = spec.name.lower() if spec is not None else "no exercise found"
            seen = f"{p.first_ms / 1000:.1f}-{p.last_ms / 1000:.1f}"
            lines.append(f"{p.person:>6}  {p.x:5.2f}  {name:<17} {p.count:>5}  {good:>4}  {seen}")
    lines.extend(f"note: {n}" for n in result.notes)
    for p in result.people:
        lines.extend(f"note (person {p.person}): {n}" for n in p.result.notes)
    return "\n".join(lines) + "\n"


def run_group(args: argparse.Namespace, people: int | None) -> int:
    """``fitness analyze VIDEO --people N``: everyone counted, one row each."""
    from fitness.cli.analyze import _progress_bar
    from fitness.pipeline.group import analyze_group_video, load_people_estimator

    if args.csv is not None or args.save:
        raise FitnessError("--csv and --save are for one person; with --people use --json")
    estimator = load_people_estimator(people, runtime=args.runtime, threads=args.threads)
    progress, close = _progress_bar(args.input.name)
    try:
        result = analyze_group_video(
            args.input, args.exercise, people=people, estimator=estimator, annotate_to=args.output, progress=progress
        )
    finally:
        close()
    report = sys.stderr if args.json is not None and str(args.json) == "-" else sys.stdout
    report.write(format_group_report(result))
    if args.json is not None:
        write_json(args.json, result.to_dict())
    if args.output is not None:
        sys.stderr.write(f"wrote {args.output}\n")
    return 0


def run_eval_pairs(args: argparse.Namespace) -> int:
    from fitness.pipeline.evaluation import load_manifest
    from fitness.pipeline.pair_eval import evaluate_pairs, format_pair_table

    check_outputs(args.json)
    clips = [clip for manifest in args.manifest for clip in load_manifest(manifest)]
    if len(clips) < 2:
        raise FitnessError(f"{' '.join(map(str, args.manifest))}: fewer than two labelled clips to pair")

    def show(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    rows, summary = evaluate_pairs(clips, args.out, args.tools, limit=args.limit, on_row=show)
    sys.stdout.write(format_pair_table(rows, summary, header=False))
    if args.json is not None:
        write_json(
            args.json,
            {
                "manifests": [str(m) for m in args.manifest],
                "metrics": summary.to_dict(),
                "pairs": [r.to_dict() for r in rows],
            },
        )
    return 0


def probe_from_args(args: argparse.Namespace) -> PeopleProbe | None:
    """One-person mode's occasional MultiPose look for other people (skipped for a custom --model)."""
    from fitness.pipeline.group import PeopleProbe
    from fitness.pose.estimator import MultiPoseEstimator, load_estimator

    if args.model is not None:
        return None  # a custom model run: leave it alone
    multi = load_estimator("multipose", args.runtime, threads=args.threads)
    assert isinstance(multi, MultiPoseEstimator)
    return PeopleProbe(multi)
