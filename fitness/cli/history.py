"""``fitness history``: list, show, export and delete saved workouts (each a series of sets)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fitness.cli.common import refuse_clobber
from fitness.cli.tables import format_table, rep_table, set_table
from fitness.errors import FitnessError, OutputPathError
from fitness.store import ENV_VAR, SessionStore, SessionSummary, default_db_path
from fitness.text import clock, plural

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "history",
        help="list, show, export or delete saved workouts",
        description=(
            "Saved workouts. Without an ACTION, lists sessions (newest first). "
            f"The database is --db, else ${ENV_VAR}, else one per user ({default_db_path()})."
        ),
    )
    _add_db_arg(p, argparse.SUPPRESS)
    _add_filter_args(p)
    p.set_defaults(func=run_list, db=None, profile=None, exercise=None, since=None)
    actions = p.add_subparsers(dest="history_command", metavar="ACTION")

    ls = actions.add_parser("list", help="list sessions (the default)")
    _add_db_arg(ls, argparse.SUPPRESS)
    _add_filter_args(ls)
    ls.set_defaults(func=run_list)

    show = actions.add_parser("show", help="one workout, set by set and rep by rep")
    show.add_argument("session_id", type=int, metavar="ID", help="session id (from 'fitness history')")
    show.add_argument("--json", action="store_true", help="print JSON (the analyze command's rep_list shape)")
    _add_db_arg(show, argparse.SUPPRESS)
    show.set_defaults(func=run_show)

    export = actions.add_parser("export", help="write every rep (or set) to a CSV file")
    export.add_argument("--csv", type=Path, required=True, metavar="FILE", help="CSV file to write")
    export.add_argument(
        "--per", choices=("rep", "set"), default="rep", help="one row per rep (default) or per set, with its workout"
    )
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _add_db_arg(export, argparse.SUPPRESS)
    _add_filter_args(export)
    export.set_defaults(func=run_export)

    delete = actions.add_parser("delete", help="delete a session and its reps (asks first)")
    delete.add_argument("session_id", type=int, metavar="ID", help="session id (from 'fitness history')")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _add_db_arg(delete, argparse.SUPPRESS)
    delete.set_defaults(func=run_delete)


def _add_db_arg(parser: argparse.ArgumentParser, default: Any) -> None:
    # SUPPRESS on every level: otherwise a subparser's default would overwrite a --db given
    # before the action (`fitness history --db X show 3`).
    parser.add_argument(
        "--db",
        default=default,
        metavar="URL",
        help=f"database file or SQLAlchemy URL (default ${ENV_VAR}, else {default_db_path()})",
    )


def _add_filter_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=argparse.SUPPRESS, help="only this person's sessions")
    parser.add_argument("--exercise", default=argparse.SUPPRESS, help="only this exercise (squat, pushup, curl, ...)")
    parser.add_argument(
        "--since",
        type=parse_day,
        default=argparse.SUPPRESS,
        metavar="YYYY-MM-DD",
        help="only sessions from this day on",
    )


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-05-31, got {text!r}") from None


# -- actions --------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    with SessionStore.open(args.db) as store:
        found = store.list_sessions(args.profile, args.exercise, args.since)
        if not found:
            sys.stdout.write(_nothing_found(store, args.profile) + "\n")
            return 0
    sys.stdout.write(session_table(found))
    return 0


def run_show(args: argparse.Namespace) -> int:
    with SessionStore.open(args.db) as store:
        detail = store.get_session(args.session_id)
    s = detail.summary
    if args.json:
        doc = {
            "session": s.to_dict(),
            "exercise": s.exercise,
            "reps": len(detail.reps),
            "rep_list": [rep.to_dict() for rep in detail.reps],
            "sets": [found.to_dict() for found in detail.sets],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0
    sys.stdout.write(session_header(s))
    if detail.sets:
        sys.stdout.write(f"\n{plural(len(detail.sets), 'set')}:\n" + set_table(detail.sets))
    if detail.reps:
        sys.stdout.write("\n" + rep_table(detail.reps))
    elif not any(found.hold_ms for found in detail.sets):
        sys.stdout.write("no reps saved in this session\n")
    return 0


def run_export(args: argparse.Namespace) -> int:
    target: Path = args.csv
    refuse_clobber([target], db=args.db)  # --force replaces a CSV, never the history itself
    if target.exists() and not args.force:
        raise OutputPathError(f"{target} already exists; pass --force to replace it")
    with SessionStore.open(args.db) as store:
        count = store.export_csv(target, args.profile, args.exercise, args.since, overwrite=args.force, per=args.per)
    sys.stdout.write(f"exported {plural(count, args.per)} to {target}\n")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with SessionStore.open(args.db) as store:
        s = store.get_session(args.session_id).summary
        what = (
            f"session {s.id} ({s.exercise}, {_when(s.started_at)}, {plural(s.rep_count, 'rep')}, profile {s.profile})"
        )
        if not args.yes:
            if not sys.stdin.isatty():
                raise FitnessError(f"not deleting {what} without confirmation: no terminal to ask on; pass --yes")
            sys.stderr.write(f"Delete {what}? [y/N] ")
            sys.stderr.flush()
            answer = sys.stdin.readline().strip().lower()
            if answer not in ("y", "yes"):
                sys.stderr.write("not deleted\n")
                return 1
        store.delete_session(s.id)
    sys.stdout.write(f"deleted {what}\n")
    return 0


# -- formatting (pure) ------------------------------------------------------------------------------


def _when(ts: datetime) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M")


def _duration(delta: timedelta | None) -> str:
    return "-" if delta is None else clock(delta.total_seconds())


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{round(share * 100)}%"


def _source(s: SessionSummary) -> str:
    if s.source == "video" and s.video_name:
        name = s.video_name if len(s.video_name) <= 28 else "..." + s.video_name[-25:]
        return f"video {name}"
    return s.source


def session_table(found: Sequence[SessionSummary]) -> str:
    headers = ["ID", "Started", "Profile", "Exercise", "Source", "Sets", "Reps", "Good", "Time", "Status"]
    rows = [
        [
            str(s.id),
            _when(s.started_at),
            s.profile,
            s.exercise,
            _source(s),
            _sets(s),
            f"{s.rep_count}*" if s.corrected_reps is not None else str(s.rep_count),
            _percent(s.good_share),
            _duration(s.duration),
            s.end_reason.replace("_", " "),
        ]
        for s in found
    ]
    right = [True, False, False, False, False, True, True, True, True, False]
    table = format_table(headers, rows, right)
    if any(s.corrected_reps is not None for s in found):
        table += "* count corrected by hand ('fitness history show ID' says why)\n"
    return table


def _sets(s: SessionSummary) -> str:
    """The number of sets, and of those planned when the workout followed a plan ("2/3")."""
    return f"{s.plan_sets_done}/{s.planned_sets}" if s.planned_sets else str(s.set_count)


def session_header(s: SessionSummary) -> str:
    lines = [
        f"Session {s.id}: {s.exercise}, profile {s.profile}, {_source(s)}, model {s.model_variant}",
        f"Started {_when(s.started_at)}, time {_duration(s.duration)}, {s.end_reason.replace('_', ' ')}",
        f"{plural(s.rep_count, 'rep')}, {s.good_count} good ({_percent(s.good_share)})",
    ]
    if s.corrected_reps is not None:
        lines[-1] = (
            f"{s.rep_count} reps (corrected by hand from {s.recorded_count}: {s.correction_note}), "
            f"{s.good_count} of {s.recorded_count} good ({_percent(s.good_share)})"
        )
    if s.extra.get("batch"):
        lines.append(f"Analysed by batch {s.extra['batch']} from {s.extra.get('source_path') or s.video_name}")
    if s.planned_sets:
        plan = repr(s.plan_name) if s.plan_name else "a plan since deleted"
        lines.append(f"Plan {plan}: {s.plan_sets_done} of {s.planned_sets} planned sets done")
    if s.notes:
        lines.append(f"Notes: {s.notes}")
    return "\n".join(lines) + "\n"


def _nothing_found(store: SessionStore, profile: str | None) -> str:
    known = store.profiles()
    if profile is not None and store.profile_named(profile) is None:
        names = ", ".join(known) if known else "none yet"
        return f"no profile named {profile!r} (profiles: {names})"
    return f"no sessions found in {store.location}"
