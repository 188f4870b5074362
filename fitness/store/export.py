"""CSV files of reps, from one place: ``fitness history export``, the History page's download
and ``fitness analyze --csv`` all write through here. The columns come from the rep's fields
(:func:`fitness.engine.fields.columns`); a history export puts its session's columns first."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from fitness.engine.fields import columns
from fitness.engine.values import Rep
from fitness.errors import OutputPathError
from fitness.files import atomic_path
from fitness.store.schema import column_name
from fitness.store.values import SessionSummary

SESSION_CSV_COLUMNS: Final = (
    "session_id",
    "profile",
    "exercise",
    "source",
    "model_variant",
    "video_name",
    "started_at",
    "end_reason",
)
# A history export: the session's columns, then the rep's as stored ("rep_index": a bare
# "index" beside "session_id" would not say whose index it is).
CSV_COLUMNS: Final[list[str]] = [*SESSION_CSV_COLUMNS, *(column_name(c) for c in columns(Rep))]
# A list of reps without a session (``fitness analyze --csv``): the rep's JSON field names.
REP_CSV_COLUMNS: Final[list[str]] = [c.name for c in columns(Rep)]


def rep_cells(rep: Rep) -> list[object]:
    return [c.csv_value(c.get(rep)) for c in columns(Rep)]


def csv_row(s: SessionSummary, rep: Rep) -> list[object]:
    """One line of a history export: ``rep`` with the columns of its session ``s``."""
    return [
        s.id,
        s.profile,
        s.exercise,
        s.source,
        s.model_variant,
        s.video_name or "",
        s.started_at.isoformat(),
        s.end_reason,
        *rep_cells(rep),
    ]


def history_rows(sessions: Iterable[SessionSummary], reps_of: dict[int, list[Rep]]) -> list[list[object]]:
    """Every rep of ``sessions``, oldest session first, as history export lines."""
    ordered = sorted(sessions, key=lambda s: (s.started_at, s.id))
    return [csv_row(s, rep) for s in ordered for rep in reps_of.get(s.id, ())]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def check_target(path: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """``path`` if a CSV may be written there, else an :class:`OutputPathError` saying why."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputPathError(f"{target} already exists; choose another name or allow overwriting")
    if not target.parent.is_dir():
        raise OutputPathError(f"cannot write {target}: the folder {target.parent} does not exist")
    return target


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write the file complete or not at all (:func:`fitness.files.atomic_path`)."""
    with atomic_path(target) as tmp:
        try:
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(rows)
        except OSError as exc:
            raise OutputPathError(f"cannot write {target}: {exc.strerror}") from None


def write_reps_csv(path: str | os.PathLike[str], reps: Sequence[Rep]) -> None:
    """One line per rep (``REP_CSV_COLUMNS``), for ``fitness analyze --csv``."""
    write_csv(Path(path), REP_CSV_COLUMNS, (rep_cells(rep) for rep in reps))
