"""Real processes against a real database: one killed with SIGKILL mid-session, two writing at once.

Runs on an SQLite file and, when FITNESS_TEST_PG_URL is set, in a fresh PostgreSQL schema.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fitness.store import SessionStore
from fitness.store.migrations import LATEST_VERSION
from fitness.store.recorder import SessionInfo
from tests.storage_worker import make_rep

REPO = Path(__file__).resolve().parents[2]
LINE_TIMEOUT_S = 30


class Worker:
    """``python -m tests.storage_worker ...`` with line-by-line talk over stdin/stdout."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.storage_worker", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("<eof>")

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix: str) -> str:
        try:
            line = self._lines.get(timeout=LINE_TIMEOUT_S)
        except queue.Empty:
            self.kill()
            pytest.fail(f"worker said nothing for {LINE_TIMEOUT_S}s (waiting for {prefix!r}); stderr: {self.stderr()}")
        if not line.startswith(prefix):
            self.kill()
            pytest.fail(f"worker said {line!r}, expected {prefix!r}; stderr: {self.stderr()}")
        return line

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)  # reaped, so its pid is gone (not a zombie) when we look

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


def test_sigkill_mid_session_keeps_every_committed_rep(db_url: str) -> None:
    saved = 5
    worker = Worker("crash", db_url)
    try:
        sid = int(worker.expect("session ").split()[1])
        for i in range(1, saved + 1):
            worker.send("rep")
            assert worker.expect("saved ") == f"saved {i}"

        # While the writer lives, another process opening the store must leave its session alone.
        with SessionStore.open(db_url) as store:
            summary = store.get_session(sid).summary
            assert (summary.end_reason, summary.rep_count) == ("in_progress", saved)
            assert store.mark_interrupted() == []

        # Rep 6 is half-written (inside an open transaction, holding the write lock) when it dies.
        worker.send("hold")
        assert worker.expect("holding ") == f"holding {saved + 1}"
    finally:
        worker.kill()
    assert worker.proc.returncode == -signal.SIGKILL

    with SessionStore.open(db_url) as store:
        detail = store.get_session(sid)
        assert detail.summary.end_reason == "interrupted"
        assert detail.reps == tuple(make_rep(i) for i in range(1, saved + 1))
        assert detail.summary.ended_at is not None and detail.summary.ended_at >= detail.summary.started_at
        # Nothing is left locked: a new session can be written straight away.
        new = store.start_session(SessionInfo("squat", "live", profile="crash-test"))
        store.add_rep(new, make_rep(1))
        store.end_session(new)
        assert store.get_session(new).summary.rep_count == 1
    if "://" not in db_url:
        conn = sqlite3.connect(db_url)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            conn.close()


def test_sigkill_mid_workout_keeps_every_completed_rep_and_set(db_url: str) -> None:
    """A workout of squats, a plank and push-ups, killed while a push-up is being written:
    every set and every committed rep stays, the hold keeps its time, the workout shows as
    interrupted."""
    worker = Worker("crash", db_url)
    try:
        sid = int(worker.expect("session ").split()[1])
        for i in range(1, 4):  # a first set, started by its first rep (the live page as it was)
            worker.send("rep")
            assert worker.expect("saved ") == f"saved {i}"
        worker.send("set plank 5800")
        worker.expect("set ")
        worker.send("held 31500")
        assert worker.expect("held ") == "held 31500"
        worker.send("set pushup 5900")
        worker.expect("set ")
        for i in range(4, 6):
            worker.send("rep")
            assert worker.expect("saved ") == f"saved {i}"
        worker.send("hold")
        assert worker.expect("holding ") == "holding 6"
    finally:
        worker.kill()
    assert worker.proc.returncode == -signal.SIGKILL

    with SessionStore.open(db_url) as store:
        detail = store.get_session(sid)
        assert detail.summary.end_reason == "interrupted"
        assert [(s.index, s.exercise, [r.index for r in s.reps], s.hold_ms) for s in detail.sets] == [
            (1, "squat", [1, 2, 3], None),
            (2, "plank", [], 31500),
            (3, "pushup", [4, 5], None),
        ]
        assert detail.reps == tuple(make_rep(i) for i in range(1, 6))
        assert detail.sets[2].end_ms == make_rep(5).end_ms
        listed = store.list_sessions()
        assert [(s.id, s.set_count, s.rep_count, s.end_reason) for s in listed] == [(sid, 3, 5, "interrupted")]


def test_two_writer_processes_lose_nothing(db_url: str) -> None:
    sessions_each, reps_each = 5, 20
    # Both open a database that does not exist yet, so they also race to create the schema,
    # and both record under the same new profile, so they race to create it too.
    writers = [
        Worker("write", db_url, "gym", exercise, str(sessions_each), str(reps_each)) for exercise in ("squat", "pushup")
    ]
    try:
        for w in writers:
            w.expect("ready")
        for w in writers:
            w.send("go")
        spans = [tuple(float(x) for x in w.expect("done ").split()[1:]) for w in writers]
        for w in writers:
            assert w.proc.wait(timeout=30) == 0
            err = w.stderr()
            assert "locked" not in err and "Traceback" not in err, err
    finally:
        for w in writers:
            w.kill()
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1, f"the writers did not overlap: {spans}"

    with SessionStore.open(db_url) as store:
        assert store.schema_version() == LATEST_VERSION
        assert store.profiles() == ["gym"]
        found = store.list_sessions(profile="gym")
        assert len(found) == 2 * sessions_each
        assert {s.end_reason for s in found} == {"completed"}
        assert sorted(s.exercise for s in found) == ["pushup"] * sessions_each + ["squat"] * sessions_each
        assert {s.rep_count for s in found} == {reps_each}
        for s in found:
            assert [r.index for r in store.get_session(s.id).reps] == list(range(1, reps_each + 1))
        with store.engine.connect() as conn:
            count = lambda table: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one()  # noqa: E731
            assert count("reps") == 2 * sessions_each * reps_each
            assert count("cues") == 2 * sessions_each * (reps_each // 3)
            assert count("schema_version") == LATEST_VERSION
