"""``fitness history``: list, show, export and delete, against real databases.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from fitness.cli import main as cli_main
from fitness.engine.values import Rep, SetResult
from fitness.store import SessionStore
from fitness.store.recorder import SessionInfo
from tests.storage_worker import make_rep
from tests.store.helpers import T0, closed_port

Seeded = tuple[SessionStore, str, list[int]]


@pytest.fixture()
def store(db_url: str) -> Iterator[SessionStore]:
    with SessionStore.open(db_url) as s:
        yield s


# -- the CLI ---------------------------------------------------------------------------------------------


@pytest.fixture()
def seeded(store: SessionStore) -> Seeded:
    a = store.save_session(
        SessionInfo("squat", "video", profile="ann", video_name="squat_side.mp4"),
        [make_rep(i) for i in range(1, 4)],
        started_at=T0,
    )
    b = store.save_session(
        SessionInfo("pushup", "live", profile="bob"), [make_rep(1)], started_at=T0 + timedelta(days=1)
    )
    url = store.engine.url.render_as_string(hide_password=False)
    return store, url, [a, b]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list(seeded: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    store, url, (a, b) = seeded
    code, out, err = _cli(capsys, "history", "--db", url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "Started",
        "Profile",
        "Exercise",
        "Source",
        "Sets",
        "Reps",
        "Good",
        "Time",
        "Status",
    ]
    assert [line.split()[0] for line in lines[2:]] == [str(b), str(a)]
    assert "video squat_side.mp4" in lines[3] and lines[3].split()[-5:-1] == ["1", "3", "67%", lines[3].split()[-2]]
    code, out, _ = _cli(capsys, "history", "list", "--db", url, "--profile", "ann")
    assert [line.split()[0] for line in out.splitlines()[2:]] == [str(a)]
    code, out, _ = _cli(capsys, "history", "--db", url, "--exercise", "pushup", "--since", "2024-03-02")
    assert [line.split()[0] for line in out.splitlines()[2:]] == [str(b)]
    code, out, _ = _cli(capsys, "history", "--db", url, "--since", "2030-01-01")
    assert (code, out) == (0, f"no sessions found in {store.location}\n")
    code, out, _ = _cli(capsys, "history", "--db", url, "--profile", "carol")
    assert out == "no profile named 'carol' (profiles: ann, bob)\n"


def test_cli_show_table_and_json(seeded: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    store, url, (a, _) = seeded
    code, out, _ = _cli(capsys, "history", "show", str(a), "--db", url)
    assert code == 0
    assert out.splitlines()[0] == f"Session {a}: squat, profile ann, video squat_side.mp4, model lightning"
    assert "3 reps, 2 good (67%)" in out
    row3 = out.splitlines()[-1]
    assert row3.split()[:4] == ["3", "4.00", "4.90", "5.70"] and row3.endswith("left  Go lower")
    code, out, _ = _cli(capsys, "history", "--db", url, "show", str(a), "--json")
    doc = json.loads(out)
    assert doc["rep_list"] == [r.to_dict() for r in store.get_session(a).reps]
    assert [Rep.from_dict(d) for d in doc["rep_list"]] == [make_rep(i) for i in range(1, 4)]
    assert (doc["exercise"], doc["reps"], doc["session"]["id"], doc["session"]["video_name"]) == (
        "squat",
        3,
        a,
        "squat_side.mp4",
    )
    code, out, err = _cli(capsys, "history", "show", "999", "--db", url)
    assert (code, out, err) == (1, "", "fitness: error: no session with id 999\n")


def test_cli_shows_and_exports_a_workout_set_by_set(
    store: SessionStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    squats = SetResult(1, "squat", 0, 5700, reps=tuple(make_rep(i) for i in range(1, 4)), load=40.0, load_unit="kg")
    plank = SetResult(2, "plank", 60_000, 95_000, 54_300, hold_ms=33_000)
    sid = store.save_workout(SessionInfo("squat", "live", profile="ann"), [squats, plank], started_at=T0)
    url = store.engine.url.render_as_string(hide_password=False)
    code, out, _ = _cli(capsys, "history", "--db", url)
    assert code == 0 and out.splitlines()[2].split()[6:8] == ["2", "3"]  # sets, reps
    code, out, _ = _cli(capsys, "history", "show", str(sid), "--db", url)
    lines = out.splitlines()
    assert code == 0 and "2 sets:" in lines
    table = lines[lines.index("2 sets:") + 1 :]
    assert table[0].split()[:3] == ["Set", "Exercise", "Start"] and "Velocity loss (%)" in table[0]
    assert table[2].split()[:2] == ["1", "squat"] and table[3].split()[:2] == ["2", "plank"]
    assert "33.00" in table[3] and "40.0" in table[2]
    code, out, _ = _cli(capsys, "history", "show", str(sid), "--db", url, "--json")
    doc = json.loads(out)
    assert [(x["exercise"], x.get("reps"), x.get("hold_s")) for x in doc["sets"]] == [
        ("squat", 3, None),
        ("plank", None, 33.0),
    ]
    target = tmp_path / "sets.csv"
    code, out, _ = _cli(capsys, "history", "export", "--db", url, "--csv", str(target), "--per", "set")
    assert (code, out.strip()) == (0, f"exported 2 sets to {target}")
    assert len(target.read_text().splitlines()) == 3


def test_cli_export_refuses_to_overwrite_without_force(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, url, _ = seeded
    out_file = tmp_path / "all.csv"
    code, out, _ = _cli(capsys, "history", "export", "--csv", str(out_file), "--db", url)
    assert (code, out) == (0, f"exported 4 reps to {out_file}\n")
    assert len(out_file.read_text().splitlines()) == 5
    out_file.write_text("precious\n")
    code, out, err = _cli(capsys, "history", "export", "--csv", str(out_file), "--db", url)
    assert (code, err) == (1, f"fitness: error: {out_file} already exists; pass --force to replace it\n")
    assert out_file.read_text() == "precious\n"
    code, out, _ = _cli(capsys, "history", "export", "--csv", str(out_file), "--force", "--db", url, "--profile", "bob")
    assert (code, out) == (0, f"exported 1 rep to {out_file}\n")
    assert len(out_file.read_text().splitlines()) == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_delete_asks_or_needs_yes(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, url, (a, b) = seeded
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    code, _, err = _cli(capsys, "history", "delete", str(a), "--db", url)
    assert code == 1
    assert err.startswith(f"fitness: error: not deleting session {a} (squat, ")
    assert err.endswith("3 reps, profile ann) without confirmation: no terminal to ask on; pass --yes\n")
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    code, out, err = _cli(capsys, "history", "delete", str(a), "--db", url)
    assert (code, out) == (1, "") and err.startswith(f"Delete session {a} (") and err.endswith("? [y/N] not deleted\n")
    assert {s.id for s in store.list_sessions()} == {a, b}
    monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
    code, out, _ = _cli(capsys, "history", "delete", str(a), "--db", url)
    assert code == 0 and out.startswith(f"deleted session {a} (squat, ")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, _ = _cli(capsys, "history", "delete", str(b), "--yes", "--db", url)
    assert code == 0 and out.startswith(f"deleted session {b} (pushup, ")
    assert store.list_sessions() == []
    code, _, err = _cli(capsys, "history", "delete", str(b), "--yes", "--db", url)
    assert (code, err) == (1, f"fitness: error: no session with id {b}\n")


def test_cli_bad_databases_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    port = closed_port()
    code, out, err = _cli(capsys, "history", "--db", f"postgresql://coach:hunter2@127.0.0.1:{port}/gym")
    assert (code, out) == (1, "")
    assert err == (
        f"fitness: error: cannot connect to PostgreSQL at 127.0.0.1:{port} (database gym): "
        "connection refused (is the server running and listening there?)\n"
    )
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    code, _, err = _cli(capsys, "history", "show", "1", "--db", str(junk))
    assert code == 1 and err.count("\n") == 1 and "left untouched" in err
    assert junk.read_bytes() == b"not a database at all"


def test_cli_db_in_a_missing_folder_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "h.db"
    code, out, err = _cli(capsys, "history", "--db", str(missing))
    assert (code, out) == (1, "")
    assert err == f"fitness: error: the folder {missing.parent} for the database h.db does not exist\n"
    assert not missing.parent.exists()


def test_an_installed_copy_lists_the_same_history_from_any_folder(tmp_path: Path) -> None:
    """A real copy of the package in a site-packages folder (no pyproject.toml beside it), run
    as `python -m fitness.cli history` from two folders: one history, in the user's data
    folder; no ./data appears where the command ran."""
    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "site-packages"
    for package in ("fitness", "exercises"):
        shutil.copytree(repo / package, site / package, ignore=shutil.ignore_patterns("__pycache__"))
    home = tmp_path / "xdg" / "fitness-coach" / "fitness.db"
    env = {k: v for k, v in os.environ.items() if k != "FITNESS_DB"}
    env.update(PYTHONPATH=str(site), XDG_DATA_HOME=str(tmp_path / "xdg"))

    def history(folder: str) -> str:
        here = tmp_path / folder
        here.mkdir(exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "fitness.cli", "history"],
            cwd=here,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert not (here / "data").exists()
        return done.stdout

    assert history("a") == f"no sessions found in {home}\n"
    with SessionStore.open(home) as store:
        sid = store.save_session(SessionInfo("squat", "live", profile="ann"), [make_rep(1)], started_at=T0)
    rows = [line.split() for line in history("b").splitlines()[2:]]
    assert [row[:1] + row[3:5] for row in rows] == [[str(sid), "ann", "squat"]]


def test_cli_shows_corrected_counts_and_finds_profiles_in_any_case(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    store, url, (a, _) = seeded
    store.correct_rep_count(a, 5, "two reps out of frame")
    store.set_notes(a, "felt strong")
    code, out, _ = _cli(capsys, "history", "--db", url, "--profile", " ANN")
    lines = out.splitlines()
    assert code == 0 and [line.split()[0] for line in lines[2:-1]] == [str(a)]
    assert "5*" in lines[2].split()
    assert lines[-1] == "* count corrected by hand ('fitness history show ID' says why)"
    code, out, _ = _cli(capsys, "history", "show", str(a), "--db", url)
    assert "5 reps (corrected by hand from 3: two reps out of frame), 2 of 3 good (67%)" in out
    assert "Notes: felt strong" in out
    code, out, _ = _cli(capsys, "history", "show", str(a), "--db", url, "--json")
    doc = json.loads(out)
    assert (doc["session"]["rep_count"], doc["session"]["recorded_count"], doc["reps"]) == (5, 3, 3)
    assert doc["session"]["correction_note"] == "two reps out of frame"
