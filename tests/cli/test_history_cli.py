"""``fitness history``: list, show, export and delete, against real databases.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from fitness.cli import main as cli_main
from fitness.engine.values import Rep
from fitness.store.recorder import SessionInfo
from fitness.store.store import SessionStore
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
    assert lines[0].split() == ["ID", "Started", "Profile", "Exercise", "Source", "Reps", "Good", "Time", "Status"]
    assert [line.split()[0] for line in lines[2:]] == [str(b), str(a)]
    assert "video squat_side.mp4" in lines[3] and lines[3].split()[-4:-1] == ["3", "67%", lines[3].split()[-2]]
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
