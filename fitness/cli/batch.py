"""``fitness batch``: analyse many videos on a Ray cluster into the workout history, each once."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fitness.batch.runner import BatchOptions, BatchReport, run_batch
from fitness.batch.summary import VideoRow, summary_csv, summary_doc
from fitness.cli.common import check_outputs, write_json
from fitness.cli.pose_rate import add_pose_rate_args
from fitness.cli.tables import format_table
from fitness.errors import OutputPathError
from fitness.pipeline.stream import AUTO, exercise_choices
from fitness.pose.models import VARIANTS

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "batch",
        help="analyse many videos on a Ray cluster into the history, each exactly once",
        description=(
            "Count and coach every video named by INPUT (video files, folders searched recursively, "
            "or manifest CSVs with a 'file' column relative to the manifest) on a Ray cluster, and "
            "record each in the workout history in one transaction. A video is known by its content "
            "hash: running the same batch again (after a crash, a kill or with new files added) "
            "analyses only what is not recorded yet."
        ),
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="video file, folder or manifest CSV")
    p.add_argument(
        "--exercise",
        "-e",
        default=None,
        help=(
            f"one of {', '.join(exercise_choices())} for every video "
            f"(default: a manifest row's exercise, else {AUTO}: recognise it)"
        ),
    )
    p.add_argument("--db", default=None, help="history database URL or SQLite path (default: the app's)")
    p.add_argument(
        "--address",
        default=None,
        help="join the Ray cluster at HOST:PORT (or 'auto': the one 'ray start --head' runs here); "
        "default: start a local cluster for this batch",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="workers (one core and one model each; default: every CPU of the cluster)",
    )
    p.add_argument("--json", type=Path, help="write the per-video summary and totals as JSON ('-' for stdout)")
    p.add_argument("--csv", type=Path, help="write the per-video summary as CSV")
    p.add_argument("--profile", default="default", help="history profile the sessions belong to (default 'default')")
    p.add_argument("--variant", default="lightning", help=f"MoveNet variant: {', '.join(VARIANTS)} (default lightning)")
    p.add_argument("--batch-name", default=None, help="name this batch in the history (default: start time + random)")
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="analyse again the videos an earlier batch recorded as failed",
    )
    add_pose_rate_args(p)
    p.set_defaults(func=run)


def summary_table(rows: Sequence[VideoRow]) -> str:
    """One line per video: name (relative to the working folder when inside it), exercise,
    sets, reps, length, status, and why it failed or who recorded it."""
    here = Path(os.getcwd())

    def name(path: str) -> str:
        try:
            return str(Path(path).relative_to(here))
        except ValueError:
            return path

    def length(seconds: float | None) -> str:
        if seconds is None:
            return "-"
        whole = round(seconds)
        return f"{whole // 60}:{whole % 60:02d}"

    headers = ["Video", "Exercise", "Sets", "Reps", "Length", "Status", "Note"]
    table = [
        [
            name(r.path),
            r.exercise or "-",
            str(r.sets),
            "-" if r.reps is None else str(r.reps),
            length(r.duration_s),
            r.status_text,
            r.reason or (f"batch {r.batch}" if r.earlier and r.batch else ""),
        ]
        for r in rows
    ]
    return format_table(headers, table, [False, False, True, True, True, False, False])


def _write_csv(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror}") from None


def report_doc(report: BatchReport) -> dict[str, Any]:
    cluster = report.cluster
    extra = {
        "store": report.store,
        "cluster": {"address": cluster.address, "local": cluster.local, "cpus": cluster.cpus, "nodes": cluster.nodes},
    }
    return summary_doc(report.batch, report.rows, report.totals, extra)


def run(args: argparse.Namespace) -> int:
    check_outputs(args.json, args.csv)
    opts = BatchOptions(
        inputs=tuple(args.inputs),
        exercise=args.exercise,
        db=args.db,
        address=args.address,
        workers=args.workers,
        variant=args.variant,
        profile=args.profile,
        batch=args.batch_name,
        retry_failed=args.retry_failed,
        pose_fps=args.pose_fps,
        progress=sys.stderr.isatty(),
        verbose=args.verbose > 0,
    )
    report = run_batch(opts)
    # With JSON on stdout the table moves to stderr, so the JSON stays parseable.
    out = sys.stderr if args.json is not None and str(args.json) == "-" else sys.stdout
    out.write(summary_table(report.rows))
    out.write(f"\n{report.totals.line()}\nbatch {report.batch} recorded in {report.store}\n")
    if args.json is not None:
        write_json(args.json, report_doc(report))
    if args.csv is not None:
        _write_csv(args.csv, summary_csv(report.rows))
    failed = report.totals.failed
    if failed:
        sys.stderr.write(f"fitness: error: {failed} of {report.totals.videos} video(s) could not be analysed\n")
        return 1
    return 0
