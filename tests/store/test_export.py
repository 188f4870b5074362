"""CSV export of the history, one row per rep.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fitness.errors import OutputPathError
from fitness.store import SessionStore
from fitness.store.export import CSV_COLUMNS, safe_cell, write_reps_csv
from fitness.store.recorder import SessionInfo
from fitness.store.values import Selection
from tests.storage_worker import make_rep


def test_export_csv(store: SessionStore, charted: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "reps.csv"
    assert store.export_csv(out, profile="ann") == 6
    lines = out.read_text().splitlines()
    assert lines[0].split(",") == CSV_COLUMNS
    assert lines[1].startswith(
        # The session's count, the reason it was corrected and its notes come before the rep's columns.
        f"{charted['s1']},ann,squat,live,lightning,,2024-03-01T09:00:00+00:00,completed,3,,,1,0,800,1500,1500,"
    )
    assert lines[3].endswith(",needs_work,Go lower; Chest up,left")
    with pytest.raises(OutputPathError, match="already exists"):
        store.export_csv(out)
    assert store.export_csv(out, overwrite=True) == 7
    with pytest.raises(OutputPathError, match="does not exist"):
        store.export_csv(tmp_path / "missing" / "x.csv")


# -- cells a spreadsheet would run (CSV injection) ----------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def test_cells_a_spreadsheet_would_run_are_text(store: SessionStore, tmp_path: Path) -> None:
    """Profile names, video file names, notes, correction notes and cues that start like a
    formula get a leading single quote (OWASP); numbers, negative ones too, stay numbers."""
    for i, text in enumerate(FORMULAS):
        sid = store.save_session(
            SessionInfo("squat", "video", profile=f"{text} {i}", video_name=f"{text}.mp4"),
            [make_rep(1, min_angle=-5.5, cues=(f"{text} cue",))],
        )
        store.set_notes(sid, f"{text} note")
        store.correct_rep_count(sid, 2, f"{text} why")
    out = tmp_path / "history.csv"
    store.export_csv(out)
    with out.open(newline="") as fh:  # a CR inside a cell is data, not a line end
        from_file = fh.read()
    for text in (from_file, store.csv_bytes(Selection()).decode()):
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert len(rows) == len(FORMULAS)
        # File names and cues are kept as they came, tab and CR included.
        assert sorted(r["video_name"] for r in rows) == sorted(f"'{t}.mp4" for t in FORMULAS)
        assert sorted(r["cues"] for r in rows) == sorted(f"'{t} cue" for t in FORMULAS)
        # Names and notes are stored trimmed: a leading tab or CR is gone, and nothing is left to escape.
        for column, tail in (("notes", "note"), ("correction_note", "why")):
            assert sorted(r[column] for r in rows) == sorted(
                [f"'{t} {tail}" for t in FORMULAS[:4]] + ["Tab " + tail, "CR " + tail]
            )
        assert sorted(r["profile"] for r in rows) == sorted(
            [f"'{t} {i}" for i, t in enumerate(FORMULAS[:4])] + ["Tab 4", "CR 5"]
        )
        for row in rows:
            assert (row["min_angle"], row["session_reps"], row["rep_index"]) == ("-5.5", "2", "1")


def test_analyze_csv_escapes_cues_and_keeps_numbers(tmp_path: Path) -> None:
    out = tmp_path / "reps.csv"
    write_reps_csv(out, [make_rep(1, min_angle=-12.25, cues=("=1+1", "fine"))])
    (row,) = list(csv.DictReader(out.open(newline="")))
    assert (row["cues"], row["min_angle"], row["index"]) == ("'=1+1; fine", "-12.25", "1")


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "\rx")] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
    ]
    assert [safe_cell(v) for v in (-1, -2.5, 0, "", "a=b", " =x", "'=x", None)] == [
        -1,
        -2.5,
        0,
        "",
        "a=b",
        " =x",
        "'=x",
        None,
    ]
