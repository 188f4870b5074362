"""CSV files of reps and sets, from one place: ``fitness history export``, the History page's
downloads and ``fitness analyze --csv`` all write through here. The columns come from the
rep's and the set's fields (:func:`fitness.engine.fields.columns`); a history export puts its
workout's columns first (and, per rep, the set it belongs to).

Every text cell is made safe to open in a spreadsheet (:func:`safe_cell`): profile names,
notes, video file names and cues are typed by people or come from files, and a cell such as
``=HYPERLINK(...)`` would otherwise run as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final, Literal

from fitness.engine.fields import columns
from fitness.engine.values import Rep, SetResult
from fitness.errors import OutputPathError
from fitness.files import atomic_path
from fitness.store.schema import column_name
from fitness.store.values import SessionSummary

Per = Literal["rep", "set"]

SESSION_CSV_COLUMNS: Final = (
    "session_id",
    "profile",
    "exercise",
    "source",
    "model_variant",
    "video_name",
    "started_at",
    "end_reason",
    # The session's count (corrected by hand when a person said the coach miscounted: then it
    # differs from the number of its rows below), why it was corrected, and its notes.
    "session_reps",
    "correction_note",
    "notes",
)
# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"): a text cell
# starting with one of these gets a leading single quote, shown as text and never run.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
# A history export: the session's columns, then the rep's as stored ("rep_index": a bare
# "index" beside "session_id" would not say whose index it is).
CSV_COLUMNS: Final[list[str]] = [*SESSION_CSV_COLUMNS, "set_index", *(column_name(c) for c in columns(Rep))]
# A per-set export: the session's columns, then the set's as stored (its exercise named apart
# from the workout's, which is the exercise the session was started with).
SET_NAMES: Final = {"exercise": "set_exercise"}
SET_CSV_COLUMNS: Final[list[str]] = [
    *SESSION_CSV_COLUMNS,
    *(SET_NAMES.get(c.name, column_name(c, SetResult)) for c in columns(SetResult)),
]
# A list of reps without a session (``fitness analyze --csv``): the rep's JSON field names.
REP_CSV_COLUMNS: Final[list[str]] = [c.name for c in columns(Rep)]


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet runs: text starting like a formula gets a
    leading ``'`` (per OWASP); numbers stay numbers, so a negative number is still one."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _safe_rows(rows: Iterable[Sequence[object]]) -> Iterator[list[object]]:
    return ([safe_cell(v) for v in row] for row in rows)


def rep_cells(rep: Rep) -> list[object]:
    return [c.csv_value(c.get(rep)) for c in columns(Rep)]


def columns_for(per: Per) -> list[str]:
    return SET_CSV_COLUMNS if per == "set" else CSV_COLUMNS


def _session_cells(s: SessionSummary) -> list[object]:
    return [
        s.id,
        s.profile,
        s.exercise,
        s.source,
        s.model_variant,
        s.video_name or "",
        s.started_at.isoformat(),
        s.end_reason,
        s.rep_count,
        s.correction_note or "",
        s.notes or "",
    ]


def csv_row(s: SessionSummary, rep: Rep, set_index: int | str = "") -> list[object]:
    """One line of a history export: ``rep`` (of set ``set_index``) with the columns of its session ``s``."""
    return [*_session_cells(s), set_index, *rep_cells(rep)]


def history_rows(
    sessions: Iterable[SessionSummary], reps_of: Mapping[int, list[Rep]], set_index: Mapping[tuple[int, int], int]
) -> list[list[object]]:
    """Every rep of ``sessions``, oldest session first, as history export lines
    (``set_index``: each rep's set, by session id and rep index)."""
    ordered = sorted(sessions, key=lambda s: (s.started_at, s.id))
    return [csv_row(s, rep, set_index.get((s.id, rep.index), "")) for s in ordered for rep in reps_of.get(s.id, ())]


def set_cells(found: SetResult) -> list[object]:
    return [c.csv_value(c.get(found)) for c in columns(SetResult)]


def set_rows(sessions: Iterable[SessionSummary], sets_of: Mapping[int, list[SetResult]]) -> list[list[object]]:
    """Every set of ``sessions``, oldest session first: the session's columns and the set's
    (its reps counted, its velocity loss, its hold time and load)."""
    ordered = sorted(sessions, key=lambda s: (s.started_at, s.id))
    return [[*_session_cells(s), *set_cells(found)] for s in ordered for found in sets_of.get(s.id, ())]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(_safe_rows(rows))
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
                writer.writerows(_safe_rows(rows))
        except OSError as exc:
            raise OutputPathError(f"cannot write {target}: {exc.strerror}") from None


def write_reps_csv(path: str | os.PathLike[str], reps: Sequence[Rep]) -> None:
    """One line per rep (``REP_CSV_COLUMNS``), for ``fitness analyze --csv``."""
    write_csv(Path(path), REP_CSV_COLUMNS, (rep_cells(rep) for rep in reps))
