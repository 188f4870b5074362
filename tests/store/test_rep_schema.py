"""One rep schema: every field of a Rep reaches every table and file, and adding one is one
edit plus one migration (proved on a copy of the package with exactly those two edits)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from fitness.app.tables import APP_STYLE, recent_reps_frame, rep_table, summary_table
from fitness.cli.tables import TERMINAL
from fitness.cli.tables import rep_table as terminal_rep_table
from fitness.engine.fields import columns
from fitness.engine.values import Cue, Rep
from fitness.store import Selection, SessionInfo, SessionStore
from fitness.store.analytics import REP_COLUMNS
from fitness.store.export import CSV_COLUMNS, REP_CSV_COLUMNS, write_reps_csv
from fitness.store.migrations import LATEST_VERSION
from fitness.store.rows import rep_items, rep_row
from fitness.store.schema import column_name, rep_lists, reps
from tests.storage_worker import make_rep

REPO = Path(__file__).resolve().parents[2]
FIELD_NAMES = [f.name for f in fields(Rep)]


def test_every_rep_field_reaches_every_table_and_file() -> None:
    rep = make_rep(3)
    stored = set(reps.c.keys()) | set(rep_lists)
    row = {**rep_row(rep), **rep_items(rep)}
    headers = set(rep_table([rep]).columns) | {rep_table([rep]).index.name}
    terminal = terminal_rep_table([rep]).splitlines()[0]
    for col in columns(Rep):
        if not col.computed:
            assert column_name(col) in stored, col.name
            assert column_name(col) in row, col.name
            assert col.name in rep.to_dict(), col.name  # JSON
        assert column_name(col) in CSV_COLUMNS, col.name
        assert col.name in REP_CSV_COLUMNS, col.name
        assert col.name in REP_COLUMNS, col.name
        assert APP_STYLE.header(col) in headers, col.name
        assert TERMINAL.header(col) in terminal, col.name
    assert [c.name for c in columns(Rep) if not c.computed] == FIELD_NAMES
    # Nothing stored that is not a field: a column without a field would be read by no one
    # (beside the row's id and the session and set it belongs to).
    assert stored - {"id", "session_id", "set_id"} == {column_name(c) for c in columns(Rep) if not c.computed}


def test_the_tables_people_read_say_units() -> None:
    rep = make_rep(1)
    frame = rep_table([rep])
    assert frame.index.name == "Rep" and list(frame.index) == [1]
    assert frame.loc[1, "Start (s)"] == "0.0" and frame.loc[1, "Down (s)"] == "0.9"
    assert frame.loc[1, "Range (°)"] == "90" and frame.loc[1, "Verdict"] == "good"
    assert frame.loc[1, "Cues"] == "—" and list(frame.columns)[-1] == "Cues"  # free text last
    live = recent_reps_frame([make_rep(3)])
    assert list(live.columns) == ["Verdict", "Range (°)", "Down (s)", "Up (s)", "Cues"]
    assert live.loc[3, "Verdict"] == "needs work" and live.loc[3, "Cues"] == "Go lower"


def test_a_cue_keeps_its_evidence_in_every_table_and_file(tmp_path: Path) -> None:
    """The cues table's columns are the Cue's fields; every table and file shows a cue as
    "text (measured; target)" and the JSON keeps each field."""
    cue = Cue("depth", "Go lower: hips to knee height", 118.0, "deg", "<= 95", 1500)
    rep = make_rep(1, cues=(cue, Cue("legacy", "Chest up")))
    shown = "Go lower: hips to knee height (118°; target ≤ 95°); Chest up"
    assert set(rep_lists["cues"].c.keys()) == {
        "rep_id",
        "position",
        "cue_id",
        "text",
        "measured",
        "unit",
        "target",
        "t_ms",
    }
    assert rep_table([rep]).loc[1, "Cues"] == shown
    assert summary_table([rep]).loc[1, "Cues"] == shown and recent_reps_frame([rep]).loc[1, "Cues"] == shown
    assert terminal_rep_table([rep]).splitlines()[2].endswith(shown)
    assert rep.to_dict()["cues"][0] == cue.to_dict()  # every field (tests/engine/test_form_rules.py)
    write_reps_csv(tmp_path / "reps.csv", [rep])
    (row,) = csv.DictReader((tmp_path / "reps.csv").open(newline=""))
    assert row["cues"] == shown
    with SessionStore.open(tmp_path / "h.db") as store:
        sid = store.save_session(SessionInfo("squat", "video"), [rep])
        assert store.get_session(sid).reps == (rep,)
        (saved,) = csv.DictReader(io.StringIO(store.csv_bytes(Selection()).decode()))
        assert saved["cues"] == shown


# -- adding a field: one edit plus one migration -------------------------------------------------

NEW_FIELD = '    tilt_deg: float = field(default=0.0, metadata=about("Tilt", "deg"))\n'
NEW_MIGRATION = """

def _migration_tilt(conn: Connection) -> None:
    kind = sa.Double().compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE reps ADD COLUMN tilt_deg {kind} NOT NULL DEFAULT 0")


MIGRATIONS = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "reps record the torso tilt", _migration_tilt))
LATEST_VERSION = MIGRATIONS[-1].version
"""
CHECK = """
import json, sys
from fitness.app.tables import rep_table
from fitness.cli.tables import rep_table as terminal_rep_table
from fitness.engine.values import Cue, Rep
from fitness.store import Selection, SessionInfo, SessionStore
from fitness.store import CSV_COLUMNS, REP_CSV_COLUMNS, Selection, SessionInfo, SessionStore
from fitness.store.analytics import REP_COLUMNS

rep = Rep(1, 0, 500, 1000, 80.0, 170.0, 90.0, 500, 500, "good", (), "left", tilt_deg=12.5)
with SessionStore.open(sys.argv[1]) as store:
    sid = store.save_session(SessionInfo("squat", "video"), [rep])
    back = store.get_session(sid).reps[0]
    lines = store.csv_bytes(Selection()).decode().splitlines()
    version = store.schema_version()
print(json.dumps({
    "schema_version": version,
    "round_trip": back.tilt_deg,
    "json": rep.to_dict()["tilt_deg"],
    "history_csv": lines[1].split(",")[lines[0].split(",").index("tilt_deg")],
    "csv_headers": ["tilt_deg" in CSV_COLUMNS, "tilt_deg" in REP_CSV_COLUMNS],
    "rep_frame": "tilt_deg" in REP_COLUMNS,
    "app_table": rep_table([rep]).loc[1, "Tilt (°)"],
    "terminal_table": "Tilt (°)" in terminal_rep_table([rep]).splitlines()[0],
}))
"""


def _copy_with_new_field(dest: Path, *, migration: bool) -> Path:
    for part in ("fitness", "exercises", "tests"):
        shutil.copytree(REPO / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    values = dest / "fitness" / "engine" / "values.py"
    text = values.read_text()
    anchor = "\n    @computed("
    assert anchor in text, "Rep's computed duration moved: update this test's anchor"
    values.write_text(text.replace(anchor, "\n" + NEW_FIELD + anchor, 1))
    if migration:
        steps = dest / "fitness" / "store" / "migrations.py"
        steps.write_text(steps.read_text() + NEW_MIGRATION)
    return dest


def _run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, *argv], cwd=root, env=env, capture_output=True, text=True, check=False)


def test_a_new_field_is_one_edit_plus_one_migration(tmp_path: Path) -> None:
    """On copies of the package: the field alone fails the schema test; with its migration the
    schema test passes (on PostgreSQL too when FITNESS_TEST_PG_URL is set) and the field is
    stored, read back, exported and shown everywhere."""
    schema_test = "tests/store/test_schema.py::test_the_tables_describe_the_migrated_database"
    only_field = _copy_with_new_field(tmp_path / "field-only", migration=False)
    # The field alone: the derived table has a column the database lacks, and the schema test says so.
    forgot = _run(only_field, "-m", "pytest", "-q", "-p", "no:cacheprovider", schema_test + "[sqlite]")
    assert forgot.returncode == 1 and "tilt_deg" in forgot.stdout, forgot.stdout[-2000:]

    both = _copy_with_new_field(tmp_path / "field-and-migration", migration=True)
    passed = _run(both, "-m", "pytest", "-q", "-p", "no:cacheprovider", schema_test)
    assert passed.returncode == 0, passed.stdout[-2000:]
    checked = _run(both, "-c", CHECK, str(tmp_path / "history.db"))
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert json.loads(checked.stdout) == {
        "schema_version": LATEST_VERSION + 1,
        "round_trip": 12.5,
        "json": 12.5,
        "history_csv": "12.5",
        "csv_headers": [True, True],
        "rep_frame": True,
        "app_table": "12",
        "terminal_table": True,
    }
