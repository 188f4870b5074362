"""Helpers for the storage tests: real databases per test, and a writer process to kill or race.

Run as ``python -m tests.storage_worker MODE URL ...`` (from the repo root):

- ``crash URL``: start a session, then for each stdin line ``rep`` save the next rep and print
  ``saved N``; for ``set EXERCISE START_MS`` start the next set (reps go to it) and print
  ``set ID``; for ``held MS`` record the current set's hold time and print ``held MS``; for
  ``hold`` begin a transaction holding an unsaved rep, print ``holding N`` and wait to be killed.
- ``write URL PROFILE EXERCISE K M``: open the store, print ``ready``, wait for ``go``, then
  record K sessions of M reps (each rep its own transaction) and print ``done START END``
  (wall-clock seconds, so the test can check that the two writers really overlapped).
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from fitness.engine.values import Cue, Rep
from fitness.store import SessionStore
from fitness.store.connection import to_url
from fitness.store.recorder import SessionInfo, SessionRecorder
from fitness.store.rows import rep_row
from fitness.store.schema import reps

PG_ENV = "FITNESS_TEST_PG_URL"


def make_rep(index: int, /, **changes: object) -> Rep:
    """A plausible squat rep; every third one draws a cue."""
    start = (index - 1) * 2000
    cues = (Cue.from_value("Go lower"),) if index % 3 == 0 else ()
    fields: dict[str, object] = {
        "index": index,
        "start_ms": start,
        "bottom_ms": start + 900,
        "end_ms": start + 1700,
        "min_angle": 80.0 + index % 7,
        "max_angle": 170.5,
        "rom_deg": 90.5 - index % 7,
        "eccentric_ms": 900,
        "concentric_ms": 800,
        "verdict": "needs_work" if cues else "good",
        "cues": cues,
        "side": "left",
    }
    fields.update(changes)
    fields["cues"] = tuple(Cue.from_value(c) for c in fields["cues"])  # type: ignore[attr-defined]
    return Rep(**fields)  # type: ignore[arg-type]


@contextmanager
def fresh_pg_schema(admin_url: str) -> Iterator[str]:
    """A URL whose every connection works in a brand-new, empty schema, dropped afterwards.

    As empty as a new database for the store (its tables, its schema_version), but a schema
    costs nothing to create, where CREATE DATABASE copies a template (~0.3 s per test).
    """
    url = to_url(admin_url)
    name = f"fitness_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        try:
            yield url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        admin.dispose()


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def crash(url: str) -> int:
    store = SessionStore.open(url)
    session_id = store.start_session(SessionInfo("squat", "live", profile="crash-test"))
    _say(f"session {session_id} pid {os.getpid()}")
    index = 0
    set_id: int | None = None
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["set"]:
            set_id = store.start_set(session_id, words[1], int(words[2]))
            _say(f"set {set_id}")
            continue
        if words[:1] == ["held"] and set_id is not None:
            store.end_set(set_id, hold_ms=int(words[1]))
            _say(f"held {words[1]}")
            continue
        index += 1
        if line.strip() == "hold":
            conn = store.engine.execution_options(fitness_write=True).connect()
            conn.begin()
            conn.execute(sa.insert(reps).values(session_id=session_id, set_id=set_id, **rep_row(make_rep(index))))
            _say(f"holding {index}")
            time.sleep(600)
            return 1
        store.add_rep(session_id, make_rep(index), set_id=set_id)
        _say(f"saved {index}")
    return 0


def write(url: str, profile: str, exercise: str, sessions: int, reps_each: int) -> int:
    store = SessionStore.open(url)
    _say("ready")
    if sys.stdin.readline().strip() != "go":
        return 2
    began = time.time()
    for _ in range(sessions):
        with SessionRecorder(store, SessionInfo(exercise, "live", profile=profile)) as recorder:
            for i in range(1, reps_each + 1):
                recorder.add(make_rep(i))
    store.close()
    _say(f"done {began:.6f} {time.time():.6f}")
    return 0


def main(argv: list[str]) -> int:
    mode, url, *rest = argv
    if mode == "crash":
        return crash(url)
    if mode == "write":
        profile, exercise, k, m = rest
        return write(url, profile, exercise, int(k), int(m))
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
