"""SessionStore against real databases: an SQLite file, and PostgreSQL when FITNESS_TEST_PG_URL is set.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import io
import json
import math
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitness.cli import main as cli_main
from fitness.engine.values import Rep, Verdict
from fitness.errors import FitnessError, OutputPathError, StorageError
from fitness.store.connection import default_db_url, to_url
from fitness.store.export import CSV_COLUMNS
from fitness.store.liveness import Owner, current_owner, owner_is_alive
from fitness.store.localtime import since_to_utc
from fitness.store.migrations import LATEST_VERSION
from fitness.store.recorder import SessionInfo, SessionRecorder, angle_trace
from fitness.store.schema import metadata, schema_version, sessions
from fitness.store.store import SessionStore
from tests.storage_worker import make_rep

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
Seeded = tuple[SessionStore, str, list[int]]


@pytest.fixture()
def store(db_url: str) -> Iterator[SessionStore]:
    with SessionStore.open(db_url) as s:
        yield s


def _count(store: SessionStore, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())


# -- round trips ------------------------------------------------------------------------------------


def test_fresh_database_has_the_latest_schema(store: SessionStore) -> None:
    assert store.schema_version() == LATEST_VERSION
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        reflected = {c["name"] for c in inspector.get_columns(table.name)}
        assert reflected == set(table.columns.keys()), table.name


def test_every_rep_field_round_trips(store: SessionStore) -> None:
    info = SessionInfo(
        "curl", "video", profile="Zoë", model_variant="thunder", video_name="curl.mp4", extra={"fps": 30}
    )
    sid = store.start_session(info)
    sent = [
        Rep(1, 120, 640, 1510, 35.25, 162.5, 127.25, 870, 520, "good", (), "left"),
        Rep(
            2,
            1600,
            2300,
            3333,
            41.0,
            150.125,
            109.125,
            1033,
            700,
            "needs_work",
            ("Full extension", "Elbows in"),
            "both",
        ),
        Rep(3, 2**40, 2**40 + 1, 2**40 + 2, -0.5, 1e-9, 180.0, 1, 1, "needs_work", ("Ünïcode cue ✓",), "right"),
    ]
    for rep in sent:
        store.add_rep(sid, rep)
    store.end_session(sid, "completed", notes="felt strong")
    detail = store.get_session(sid)
    assert detail.reps == tuple(sent)
    assert [r.to_dict() for r in detail.reps] == [r.to_dict() for r in sent]
    s = detail.summary
    assert (s.profile, s.exercise, s.source, s.model_variant, s.video_name) == (
        "Zoë",
        "curl",
        "video",
        "thunder",
        "curl.mp4",
    )
    assert (s.end_reason, s.notes, dict(s.extra), s.rep_count, s.good_count) == (
        "completed",
        "felt strong",
        {"fps": 30},
        3,
        1,
    )
    assert s.started_at.tzinfo is not None and s.ended_at is not None and s.ended_at >= s.started_at


def test_numpy_scalars_are_stored_as_plain_numbers(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live"))
    rep = make_rep(1, start_ms=np.int64(5), min_angle=np.float64(81.5), rom_deg=np.float32(89.0))
    store.add_rep(sid, rep)
    back = store.get_session(sid).reps[0]
    assert (back.start_ms, back.min_angle, back.rom_deg) == (5, 81.5, 89.0)
    assert type(back.start_ms) is int and type(back.min_angle) is float


_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40)
_ms = st.integers(min_value=0, max_value=2**45)
_deg = st.floats(allow_nan=False, allow_infinity=False, width=64)
_reps = st.builds(
    Rep,
    index=st.integers(min_value=0, max_value=2**31 - 1),
    start_ms=_ms,
    bottom_ms=_ms,
    end_ms=_ms,
    min_angle=_deg,
    max_angle=_deg,
    rom_deg=_deg,
    eccentric_ms=_ms,
    concentric_ms=_ms,
    verdict=st.sampled_from(["good", "needs_work"]),
    cues=st.lists(_text, max_size=4).map(tuple),
    side=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rep=_reps)
def test_any_valid_rep_round_trips(store: SessionStore, rep: Rep) -> None:
    sid = store.save_session(SessionInfo("squat", "video", video_name="clip.mp4"), [rep])
    assert store.get_session(sid).reps == (rep,)


# -- lifecycle --------------------------------------------------------------------------------------


def test_session_lifecycle_and_its_rules(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live", profile="ann"))
    [listed] = store.list_sessions()
    assert (listed.id, listed.end_reason, listed.ended_at, listed.rep_count) == (sid, "in_progress", None, 0)
    store.add_rep(sid, make_rep(1))
    with pytest.raises(StorageError, match=f"^rep 1 is already saved in session {sid}$"):
        store.add_rep(sid, make_rep(1))
    with pytest.raises(StorageError, match=r"^a session ends as one of completed, stopped, interrupted, error"):
        store.end_session(sid, "in_progress")
    store.end_session(sid, "stopped")
    with pytest.raises(StorageError, match=f"^session {sid} has already ended \\(stopped\\)$"):
        store.end_session(sid, "completed")
    with pytest.raises(StorageError, match=f"^session {sid} has already ended \\(stopped\\); start a new one$"):
        store.add_rep(sid, make_rep(2))
    assert store.get_session(sid).summary.rep_count == 1


def test_extra_data_is_merged_in_the_same_commit_as_the_rep_and_the_end(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live", extra={"device": "webcam"}))
    store.add_rep(sid, make_rep(1), extra={"trace": {"t_ms": [0, 100], "angle": [170.0, None]}})
    assert store.get_session(sid).summary.extra == {
        "device": "webcam",
        "trace": {"t_ms": [0, 100], "angle": [170.0, None]},
    }
    # A value JSON cannot hold fails the whole commit: the rep is not saved either.
    with pytest.raises(StorageError, match=r"^session extra data must be JSON-serialisable"):
        store.add_rep(sid, make_rep(2), extra={"trace": {"angle": [math.nan]}})
    assert store.get_session(sid).summary.rep_count == 1
    store.end_session(sid, "stopped", extra={"trace": {"t_ms": [0, 100, 200], "angle": [170.0, None, 90.0]}})
    summary = store.get_session(sid).summary
    assert summary.end_reason == "stopped"
    assert summary.extra == {"device": "webcam", "trace": {"t_ms": [0, 100, 200], "angle": [170.0, None, 90.0]}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_angle": math.nan}, "^rep 1: min_angle must be a finite number, got nan$"),
        ({"rom_deg": math.inf}, "^rep 1: rom_deg must be a finite number, got inf$"),
        ({"start_ms": 1.5}, "^rep 1: start_ms must be a whole number, got 1.5$"),
        ({"verdict": "great"}, "^rep 1: verdict must be one of good, needs_work, got 'great'$"),
        ({"cues": ("",)}, "^rep 1: each cue must be text of 1-200 characters, got ''$"),
        ({"side": ""}, "^rep 1: side must be a short name like 'left', got ''$"),
        ({"index": -1}, "^rep index must be between 0 and 2147483647, got -1$"),
    ],
)
def test_invalid_reps_are_refused_with_a_reason(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with SessionStore.open(tmp_path / "h.db") as store:
        sid = store.start_session(SessionInfo("squat", "live"))
        with pytest.raises(StorageError, match=message):
            store.add_rep(sid, make_rep(1, **change))
        assert store.get_session(sid).reps == ()


def test_unknown_session_id_is_named(store: SessionStore) -> None:
    for call in (
        lambda: store.get_session(999),
        lambda: store.add_rep(999, make_rep(1)),
        lambda: store.end_session(999, "completed"),
        lambda: store.delete_session(999),
        lambda: store.session_detail(999),
    ):
        with pytest.raises(StorageError, match=r"^no session with id 999$"):
            call()


def test_save_analysis_is_all_or_nothing(store: SessionStore) -> None:
    info = SessionInfo("pushup", "video", profile="bob", video_name="pushups.mp4")
    sent = [make_rep(i) for i in range(1, 5)]
    sid = store.save_session(info, sent)
    detail = store.get_session(sid)
    assert detail.reps == tuple(sent)
    assert (detail.summary.end_reason, detail.summary.video_name) == ("completed", "pushups.mp4")
    with pytest.raises(StorageError, match="two reps share the same index"):
        store.save_session(info, [make_rep(1), make_rep(1)])
    with pytest.raises(StorageError, match=r"^rep 2: max_angle must be a finite number"):
        store.save_session(info, [make_rep(1), make_rep(2, max_angle=math.nan)])
    with pytest.raises(StorageError, match=r"^started_at must be timezone-aware"):
        store.save_session(info, [], started_at=datetime(2024, 1, 1))  # a naive datetime
    assert [s.id for s in store.list_sessions()] == [sid]


def test_delete_removes_reps_and_cues(store: SessionStore) -> None:
    keep = store.save_session(SessionInfo("squat", "video"), [make_rep(i) for i in range(1, 4)])
    gone = store.save_session(SessionInfo("squat", "video"), [make_rep(i) for i in range(1, 7)])
    assert (_count(store, "reps"), _count(store, "cues")) == (9, 3)
    store.delete_session(gone)
    assert [s.id for s in store.list_sessions()] == [keep]
    assert (_count(store, "reps"), _count(store, "cues")) == (3, 1)


def test_a_session_being_recorded_is_not_deleted_without_force(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live"))
    with pytest.raises(
        StorageError, match=f"^session {sid} is still being recorded \\(pid {os.getpid()} on .+\\); stop"
    ):
        store.delete_session(sid)
    store.delete_session(sid, force=True)
    assert store.list_sessions() == []


# -- recovery of sessions whose process died ----------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: the pid no longer exists (not even as a zombie)
    return proc.pid


def test_mark_interrupted_only_touches_sessions_of_dead_processes(store: SessionStore) -> None:
    me = current_owner()
    ids = [store.start_session(SessionInfo("squat", "live", profile=f"p{i}")) for i in range(5)]
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    owners = [
        {"owner_host": me.host, "owner_pid": me.pid},  # this live process
        {"owner_host": me.host, "owner_pid": _dead_pid()},  # died
        {"owner_host": me.host, "owner_pid": me.pid, "owner_tag": "another-boot:1"},  # pid reused by us
        {"owner_host": "station-2", "owner_pid": 1},  # other host, fresh heartbeat
        {"owner_host": "station-3", "owner_pid": 1, "heartbeat_at": long_ago},  # other host, silent 3 h
    ]
    with store.engine.begin() as conn:
        for sid, values in zip(ids, owners, strict=True):
            conn.execute(sa.update(sessions).where(sessions.c.id == sid).values(**values))
    assert sorted(store.mark_interrupted()) == [ids[1], ids[2], ids[4]]
    by_id = {s.id: s for s in store.list_sessions()}
    assert [by_id[i].end_reason for i in ids] == [
        "in_progress",
        "interrupted",
        "interrupted",
        "in_progress",
        "interrupted",
    ]
    ended = by_id[ids[4]].ended_at
    assert ended is not None and abs(ended - long_ago) < timedelta(seconds=1)
    assert store.mark_interrupted() == []


def test_owner_is_alive_rules() -> None:
    me = Owner("here", 100, "boot:1")
    now = datetime(2024, 1, 1, tzinfo=UTC)

    def probe(pid: int) -> str | None:
        return {100: "boot:1", 200: "boot:7", 300: ""}.get(pid)

    def alive(host: str | None, pid: int | None, tag: str | None, beat: datetime | None = now) -> bool:
        return owner_is_alive(host, pid, tag, beat, me=me, now=now, probe=probe)

    assert alive("here", 100, "boot:1")
    assert not alive("here", 200, "boot:1")  # same pid number, a different process
    assert not alive("here", 400, "boot:1")  # no such process
    assert alive("here", 300, "boot:1")  # the OS cannot tell more than "it exists"
    assert not alive(None, None, None)  # recorded before owners existed
    assert alive("there", 1, "x", now - timedelta(minutes=5))
    assert not alive("there", 1, "x", now - timedelta(hours=3))


# -- chart queries: exact numbers on known data -------------------------------------------------------


def _rep(index: int, rom: float, ecc: int, con: int, *, span: tuple[int, int], cues: tuple[str, ...] = ()) -> Rep:
    start, end = span
    verdict: Verdict = "needs_work" if cues else "good"
    return Rep(index, start, start + ecc, end, 80.0, 80.0 + rom, rom, ecc, con, verdict, cues, "left")


@pytest.fixture()
def charted(store: SessionStore) -> dict[str, int]:
    """Five sessions whose aggregates are worked out by hand in the tests below."""
    ann = lambda ex: SessionInfo(ex, "live", profile="ann")  # noqa: E731
    ids = {
        "s1": store.save_session(
            ann("squat"),
            [
                _rep(1, 90.0, 800, 600, span=(0, 1500)),
                _rep(2, 100.0, 1000, 800, span=(2000, 3900), cues=("Go lower",)),
                _rep(3, 110.0, 1200, 1000, span=(4000, 6300), cues=("Go lower", "Chest up")),
            ],
            started_at=T0,
        ),
        "s2": store.save_session(
            ann("squat"), [_rep(1, 120.0, 900, 700, span=(0, 1600))], started_at=T0 + timedelta(hours=9)
        ),
        "s3": store.save_session(
            ann("pushup"),
            [_rep(1, 60.0, 500, 500, span=(0, 1000)), _rep(2, 70.0, 700, 500, span=(1000, 2200), cues=("Hips up",))],
            started_at=T0 + timedelta(days=1, hours=-1.5),
        ),
        "s4": store.save_session(ann("squat"), [], "stopped", started_at=T0 + timedelta(days=2)),
        "s5": store.save_session(
            SessionInfo("squat", "live", profile="bob"),
            [_rep(1, 95.0, 800, 800, span=(0, 1700), cues=("Go lower",))],
            started_at=T0 + timedelta(days=1, hours=3),
        ),
    }
    return ids


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_reps_per_day(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.reps_per_day(profile="ann", tz=UTC)
    assert list(frame.columns) == ["day", "exercise", "sessions", "reps", "good", "good_share"]
    rows = _rows(frame)
    assert rows[:2] == [(date(2024, 3, 1), "squat", 2, 4, 2, 0.5), (date(2024, 3, 2), "pushup", 1, 2, 1, 0.5)]
    assert rows[2][:5] == (date(2024, 3, 3), "squat", 1, 0, 0) and math.isnan(rows[2][5])
    everyone = _rows(store.reps_per_day(tz=UTC))
    assert (date(2024, 3, 2), "squat", 1, 1, 0, 0.0) in everyone and len(everyone) == 4
    # The same sessions seen from UTC-10: the first one falls on the leap day.
    hawaii = _rows(store.reps_per_day(profile="ann", exercise="squat", tz=timezone(timedelta(hours=-10))))
    assert [r[:5] for r in hawaii] == [
        (date(2024, 2, 29), "squat", 1, 3, 1),
        (date(2024, 3, 1), "squat", 1, 1, 1),
        (date(2024, 3, 2), "squat", 1, 0, 0),
    ]


def test_good_share_per_session(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.good_share_per_session(profile="ann", tz=UTC)
    assert list(frame.columns) == [
        "session_id",
        "started_at",
        "day",
        "profile",
        "exercise",
        "reps",
        "good",
        "good_share",
    ]
    got: list[tuple[Any, ...]] = [(r.session_id, r.reps, r.good, r.good_share) for r in frame.itertuples()]
    assert got[:3] == [(charted["s1"], 3, 1, 1 / 3), (charted["s2"], 1, 1, 1.0), (charted["s3"], 2, 1, 0.5)]
    assert got[3][:3] == (charted["s4"], 0, 0) and math.isnan(got[3][3])
    assert frame["started_at"].iloc[0] == T0


def test_rom_and_tempo_trends(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.session_trends(profile="ann", tz=UTC)
    assert list(frame.columns) == [
        "session_id",
        "started_at",
        "day",
        "profile",
        "exercise",
        "reps",
        "mean_rom_deg",
        "mean_eccentric_ms",
        "mean_concentric_ms",
        "mean_duration_ms",
    ]
    got = [
        (
            r.session_id,
            r.exercise,
            r.reps,
            r.mean_rom_deg,
            r.mean_eccentric_ms,
            r.mean_concentric_ms,
            r.mean_duration_ms,
        )
        for r in frame.itertuples()
    ]
    assert got == [
        (charted["s1"], "squat", 3, 100.0, 1000.0, 800.0, 1900.0),
        (charted["s2"], "squat", 1, 120.0, 900.0, 700.0, 1600.0),
        (charted["s3"], "pushup", 2, 65.0, 600.0, 500.0, 1100.0),
    ]  # s4 has no reps, s5 is bob's


def test_cue_frequency(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.cue_frequency(profile="ann")
    assert list(frame.columns) == ["exercise", "cue", "count", "reps", "share"]
    assert _rows(frame) == [
        ("pushup", "Hips up", 1, 2, 0.5),
        ("squat", "Go lower", 2, 4, 0.5),
        ("squat", "Chest up", 1, 4, 0.25),
    ]
    assert _rows(store.cue_frequency(exercise="squat")) == [
        ("squat", "Go lower", 3, 5, 0.6),
        ("squat", "Chest up", 1, 5, 0.2),
    ]
    assert store.cue_frequency(profile="nobody").empty


def test_one_sessions_rep_detail(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.session_detail(charted["s1"])
    assert list(frame.columns) == [
        "index",
        "start_ms",
        "bottom_ms",
        "end_ms",
        "duration_ms",
        "min_angle",
        "max_angle",
        "rom_deg",
        "eccentric_ms",
        "concentric_ms",
        "verdict",
        "cues",
        "side",
    ]
    assert frame["index"].tolist() == [1, 2, 3]
    assert frame["duration_ms"].tolist() == [1500, 1900, 2300]
    assert frame["cues"].tolist() == ["", "Go lower", "Go lower; Chest up"]
    assert frame["verdict"].tolist() == ["good", "needs_work", "needs_work"]


def test_list_sessions_filters(store: SessionStore, charted: dict[str, int]) -> None:
    ids = charted
    assert [s.id for s in store.list_sessions()] == [ids["s4"], ids["s5"], ids["s3"], ids["s2"], ids["s1"]]
    assert [s.id for s in store.list_sessions(profile="bob")] == [ids["s5"]]
    assert [s.id for s in store.list_sessions(exercise="pushup")] == [ids["s3"]]
    assert [s.id for s in store.list_sessions(since=date(2024, 3, 2), tz=UTC)] == [ids["s4"], ids["s5"], ids["s3"]]
    assert [s.id for s in store.list_sessions(profile="ann", exercise="squat", limit=1)] == [ids["s4"]]
    assert store.profiles() == ["ann", "bob"]


def test_export_csv(store: SessionStore, charted: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "reps.csv"
    assert store.export_csv(out, profile="ann") == 6
    lines = out.read_text().splitlines()
    assert lines[0].split(",") == CSV_COLUMNS
    assert lines[1].startswith(
        f"{charted['s1']},ann,squat,live,lightning,,2024-03-01T09:00:00+00:00,completed,1,0,800,1500,1500,"
    )
    assert lines[3].endswith(",needs_work,Go lower; Chest up,left")
    with pytest.raises(OutputPathError, match="already exists"):
        store.export_csv(out)
    assert store.export_csv(out, overwrite=True) == 7
    with pytest.raises(OutputPathError, match="does not exist"):
        store.export_csv(tmp_path / "missing" / "x.csv")


# -- SessionRecorder --------------------------------------------------------------------------------


def test_recorder_commits_each_rep_and_completes(store: SessionStore) -> None:
    with SessionRecorder(store, SessionInfo("squat", "live")) as rec:
        assert rec.session_id is not None and rec.active
        for i in (1, 2):
            assert rec.add(make_rep(i))
            assert store.get_session(rec.session_id).summary.rep_count == i  # visible at once
    assert rec.end_reason == "completed" and not rec.active
    assert not rec.add(make_rep(3))  # after finish: dropped, not a new session
    rec.finish("stopped")  # a second finish is a no-op
    detail = store.get_session(rec.session_id)
    assert (detail.summary.end_reason, len(detail.reps)) == ("completed", 2)


@pytest.mark.parametrize(("error", "reason"), [(ValueError, "error"), (KeyboardInterrupt, "stopped")])
def test_recorder_ends_on_exceptions(store: SessionStore, error: type[BaseException], reason: str) -> None:
    rec = SessionRecorder(store, SessionInfo("squat", "live"))
    with pytest.raises(error), rec:
        rec.add(make_rep(1))
        raise error()
    assert store.get_session(rec.session_id).summary.end_reason == reason  # type: ignore[arg-type]


def test_recorder_needs_start() -> None:
    rec = SessionRecorder(None, SessionInfo("squat", "live"))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="start"):
        rec.add(make_rep(1))
    with pytest.raises(RuntimeError, match="start"):
        rec.finish()


def test_recorder_is_thread_safe(store: SessionStore) -> None:
    rec = SessionRecorder(store, SessionInfo("squat", "live"))
    sid = rec.start()
    threads = [
        threading.Thread(target=lambda t=t: [rec.add(make_rep(t * 100 + i)) for i in range(20)]) for t in range(4)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    rec.finish()
    assert len(rec.reps) == 80
    assert sorted(r.index for r in store.get_session(sid).reps) == sorted(r.index for r in rec.reps)


# -- schema versions and migrations ---------------------------------------------------------------


def _v1_ddl(dialect: str) -> list[str]:
    """Schema version 1, spelled out by hand as an old program would have left it."""
    pk = "SERIAL PRIMARY KEY" if dialect == "postgresql" else "INTEGER PRIMARY KEY"
    ts = "TIMESTAMP WITH TIME ZONE" if dialect == "postgresql" else "DATETIME"
    dbl = "DOUBLE PRECISION"
    return [
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR(200) NOT NULL,"
        f" applied_at {ts} NOT NULL)",
        f"CREATE TABLE profiles (id {pk}, name VARCHAR(100) NOT NULL UNIQUE, created_at {ts} NOT NULL)",
        f"""CREATE TABLE sessions (id {pk}, profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            exercise VARCHAR(50) NOT NULL, source VARCHAR(10) NOT NULL, model_variant VARCHAR(50) NOT NULL,
            video_name VARCHAR(500), started_at {ts} NOT NULL, ended_at {ts}, end_reason VARCHAR(20) NOT NULL,
            notes TEXT, extra_json TEXT NOT NULL)""",
        f"""CREATE TABLE reps (id {pk}, session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            rep_index INTEGER NOT NULL, start_ms BIGINT NOT NULL, bottom_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL,
            min_angle {dbl} NOT NULL, max_angle {dbl} NOT NULL, rom_deg {dbl} NOT NULL, eccentric_ms BIGINT NOT NULL,
            concentric_ms BIGINT NOT NULL, verdict VARCHAR(20) NOT NULL, side VARCHAR(20) NOT NULL,
            UNIQUE (session_id, rep_index))""",
        """CREATE TABLE cues (rep_id INTEGER NOT NULL REFERENCES reps (id) ON DELETE CASCADE, position INTEGER NOT NULL,
            cue VARCHAR(200) NOT NULL, PRIMARY KEY (rep_id, position))""",
    ]


def _build_v1(url: str) -> None:
    engine = sa.create_engine(to_url(url))
    dialect = engine.dialect.name
    when = "2024-01-05 10:00:00+00:00" if dialect == "postgresql" else "2024-01-05 10:00:00.000000"
    with engine.begin() as conn:
        for stmt in _v1_ddl(dialect):
            conn.exec_driver_sql(stmt)
        run = lambda sql, **kw: conn.execute(sa.text(sql), kw)  # noqa: E731
        run("INSERT INTO schema_version VALUES (1, 'profiles, sessions, reps, cues', :t)", t=when)
        run("INSERT INTO profiles (name, created_at) VALUES ('old-timer', :t)", t=when)
        for reason in ("completed", "in_progress"):
            run(
                "INSERT INTO sessions (profile_id, exercise, source, model_variant, video_name, started_at,"
                " ended_at, end_reason, notes, extra_json)"
                " VALUES (1, 'squat', 'live', 'lightning', NULL, :t, NULL, :r, NULL, '{}')",
                t=when,
                r=reason,
            )
        for sid, idx, verdict in ((1, 1, "good"), (1, 2, "needs_work"), (2, 1, "good")):
            run(
                "INSERT INTO reps (session_id, rep_index, start_ms, bottom_ms, end_ms, min_angle, max_angle,"
                " rom_deg, eccentric_ms, concentric_ms, verdict, side)"
                " VALUES (:s, :i, 0, 500, 1000, 85.5, 170.0, 84.5, 500, 500, :v, 'left')",
                s=sid,
                i=idx,
                v=verdict,
            )
        run("INSERT INTO cues VALUES (2, 0, 'Go lower')")
    engine.dispose()


def test_a_v1_database_is_upgraded_in_place(db_url: str) -> None:
    _build_v1(db_url)
    with SessionStore.open(db_url) as store:
        assert store.schema_version() == LATEST_VERSION
        old, unfinished = store.get_session(1), store.get_session(2)
        assert [r.cues for r in old.reps] == [(), ("Go lower",)]
        assert old.reps[1] == Rep(2, 0, 500, 1000, 85.5, 170.0, 84.5, 500, 500, "needs_work", ("Go lower",), "left")
        assert old.summary.started_at == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
        assert (old.summary.profile, old.summary.end_reason) == ("old-timer", "completed")
        # No owner was recorded in v1, so no live process can claim it: interrupted at its start time.
        assert unfinished.summary.end_reason == "interrupted"
        assert unfinished.summary.ended_at == unfinished.summary.started_at
        inspector = sa.inspect(store.engine)
        for table in metadata.sorted_tables:
            assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys())
        sid = store.start_session(SessionInfo("squat", "live", profile="old-timer"))
        store.add_rep(sid, make_rep(1))
        assert store.get_session(sid).summary.rep_count == 1
        with store.engine.connect() as conn:
            versions = conn.execute(sa.select(schema_version.c.version).order_by(schema_version.c.version)).scalars()
            assert list(versions) == list(range(1, LATEST_VERSION + 1))


def test_a_newer_schema_is_refused_untouched(db_url: str) -> None:
    with SessionStore.open(db_url) as store:
        store.save_session(SessionInfo("squat", "live"), [make_rep(1)])
        with store.engine.begin() as conn:
            conn.execute(
                sa.insert(schema_version).values(version=LATEST_VERSION + 1, description="future", applied_at=T0)
            )
            conn.execute(sa.update(sessions).values(end_reason="in_progress", owner_pid=_dead_pid()))
    before = Path(db_url).read_bytes() if "://" not in db_url else None
    newer = LATEST_VERSION + 1
    message = (
        f"has schema version {newer}, newer than this program understands \\({LATEST_VERSION}\\); update fitness-coach"
    )
    with pytest.raises(StorageError, match=message):
        SessionStore.open(db_url)
    if before is not None:
        assert Path(db_url).read_bytes() == before
    # Nothing was recovered or rewritten: the dead session is still as it was.
    engine = sa.create_engine(to_url(db_url))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sessions.c.end_reason)).scalar_one() == "in_progress"
    engine.dispose()


def test_foreign_tables_are_not_taken_over(db_url: str) -> None:
    engine = sa.create_engine(to_url(db_url))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE sessions (id INTEGER PRIMARY KEY, payload TEXT)")
    engine.dispose()
    with pytest.raises(
        StorageError, match="has tables named sessions but no schema_version: it is not a fitness history"
    ):
        SessionStore.open(db_url)


# -- bad locations -------------------------------------------------------------------------------------


@pytest.mark.parametrize("head", [b"", SQLITE_MAGIC := b"SQLite format 3\x00"])
def test_a_corrupt_file_is_refused_and_never_modified(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "fitness.db"
    data = head + os.urandom(8192)
    path.write_bytes(data)
    with pytest.raises(StorageError) as err:
        SessionStore.open(path)
    message = str(err.value)
    assert message == (
        f"{path} is not a readable fitness history (corrupt, or not an SQLite database); "
        "it was left untouched: move it aside to start a new history"
    )
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fitness.db"]  # no -wal / -shm beside it
    assert SQLITE_MAGIC  # (both a foreign file and a damaged SQLite file)


def test_unwritable_locations(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(
        StorageError, match=f"^cannot create the folder {blocker}/data for the database: {blocker} is a file$"
    ):
        SessionStore.open(blocker / "data" / "fitness.db")
    with pytest.raises(StorageError, match=f"^the database path {tmp_path} is a folder, not a file$"):
        SessionStore.open(tmp_path)


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions, so a read-only folder cannot be simulated"
)
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="is not writable"):
            SessionStore.open(folder / "fitness.db")
    finally:
        folder.chmod(0o700)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_postgres_names_host_and_port_but_not_the_password() -> None:
    port = _closed_port()
    secret = "Sup3r-s3cret-pw"
    with pytest.raises(StorageError) as err:
        SessionStore.open(f"postgresql://coach:{secret}@127.0.0.1:{port}/fitness")
    message = str(err.value)
    assert message == (
        f"cannot connect to PostgreSQL at 127.0.0.1:{port} (database fitness): "
        "connection refused (is the server running and listening there?)"
    )
    assert secret not in message and "\n" not in message


def test_bad_urls() -> None:
    with pytest.raises(StorageError, match=r"^an in-memory SQLite database would forget every session"):
        SessionStore.open("sqlite://")
    with pytest.raises(StorageError, match=r"^unsupported database URL mysql://u:\*\*\*@db/x"):
        SessionStore.open("mysql://u:pw@db/x")
    with pytest.raises(StorageError, match=r"^no database location given"):
        SessionStore.open("  ")
    assert to_url("postgres://u:p@h:5/d").drivername == "postgresql+psycopg"


def test_default_location_and_sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FITNESS_DB", raising=False)
    here = Path.cwd()
    assert default_db_url() == f"sqlite:///{here}/data/fitness.db"
    with SessionStore.open() as store:
        assert store.location == str(here / "data" / "fitness.db")
        with store.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("busy_timeout"), pragma("synchronous")) == (
                "wal",
                1,
                10_000,
                2,
            )
    assert (tmp_path / "data" / "fitness.db").is_file()
    monkeypatch.setenv("FITNESS_DB", "elsewhere/h.db")
    assert default_db_url() == f"sqlite:///{here}/elsewhere/h.db"
    monkeypatch.setenv("FITNESS_DB", "postgresql://coach@db.example:5433/gym")
    assert default_db_url() == "postgresql+psycopg://coach@db.example:5433/gym"


def test_since_means_local_midnight() -> None:
    tz = timezone(timedelta(hours=2))
    assert since_to_utc(date(2024, 3, 2), tz) == datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
    assert since_to_utc(datetime(2024, 3, 2, 12, tzinfo=UTC)) == datetime(2024, 3, 2, 12, tzinfo=UTC)
    assert since_to_utc(None) is None


def test_sqlite_file_is_a_real_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with SessionStore.open(path) as store:
        store.save_session(SessionInfo("squat", "video"), [make_rep(1)])
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone() == (1,)
    finally:
        conn.close()


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
    port = _closed_port()
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


def test_errors_are_fitness_errors() -> None:
    assert issubclass(StorageError, FitnessError) and issubclass(OutputPathError, FitnessError)


def test_angle_trace_keeps_at_most_max_points_and_turns_nan_into_gaps() -> None:
    t = [i * 33.3 for i in range(1801)]  # one minute at 30 fps
    a: list[float | None] = [float(i % 90) for i in range(1801)]
    a[4], a[8] = math.nan, None
    trace = angle_trace(t, a, max_points=600)
    assert len(trace["t_ms"]) == len(trace["angle"]) == 451  # every 4th sample
    assert trace["t_ms"][:4] == [0, 133, 266, 400] and trace["angle"][:4] == [0.0, None, None, 12.0]
    assert all(isinstance(x, int) for x in trace["t_ms"])
    short = angle_trace([0.0, 100.0, 200.0], [1.234, math.nan, None])
    assert short == {"t_ms": [0, 100, 200], "angle": [1.2, None, None]}
    with pytest.raises(ValueError, match="3 times but 2 angles"):
        angle_trace([0.0, 1.0, 2.0], [1.0, 2.0])
