"""Schema versions: a v1 database upgraded in place, a newer one and foreign tables refused.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from fitness.engine.values import Cue, Rep
from fitness.errors import StorageError
from fitness.store import SessionStore
from fitness.store.connection import to_url
from fitness.store.migrations import LATEST_VERSION
from fitness.store.recorder import SessionInfo
from fitness.store.schema import metadata, schema_version, sessions
from tests.storage_worker import make_rep
from tests.store.helpers import T0, dead_pid


def test_fresh_database_has_the_latest_schema(store: SessionStore) -> None:
    assert store.schema_version() == LATEST_VERSION
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        reflected = {c["name"] for c in inspector.get_columns(table.name)}
        assert reflected == set(table.columns.keys()), table.name


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
        assert [r.cue_texts for r in old.reps] == [(), ("Go lower",)]
        assert old.reps[1] == Rep(
            2, 0, 500, 1000, 85.5, 170.0, 84.5, 500, 500, "needs_work", (Cue("legacy", "Go lower"),), "left"
        )
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
            conn.execute(sa.update(sessions).values(end_reason="in_progress", owner_pid=dead_pid()))
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


def test_v3_merges_profiles_that_are_one_person(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A v1 history with "Alice", " alice" and "ALICE " (three profiles then, one person now):
    the upgrade keeps the oldest profile (" alice"), trimmed, and moves every session and rep
    to it."""
    _build_v1(db_url)
    engine = sa.create_engine(to_url(db_url))
    with engine.begin() as conn:
        run = lambda sql, **kw: conn.execute(sa.text(sql), kw)  # noqa: E731
        # Created out of id order: the oldest is the one kept, whatever its id.
        for name, when in (
            ("ALICE ", "2024-01-03"),
            (" alice", "2024-01-01"),
            ("Alice", "2024-01-02"),
            ("bob", "2024-01-04"),
        ):
            run("INSERT INTO profiles (name, created_at) VALUES (:n, :t)", n=name, t=f"{when} 08:00:00+00:00")
        ids = {str(name): int(pid) for name, pid in conn.execute(sa.text("SELECT name, id FROM profiles"))}
        for name in ("ALICE ", " alice", "Alice", "Alice", "bob"):
            run(
                "INSERT INTO sessions (profile_id, exercise, source, model_variant, video_name, started_at,"
                " ended_at, end_reason, notes, extra_json)"
                " VALUES (:p, 'squat', 'live', 'lightning', NULL, '2024-02-01 10:00:00+00:00', NULL, 'completed',"
                " NULL, '{}')",
                p=ids[name],
            )
        reps_before = conn.execute(sa.text("SELECT COUNT(*) FROM reps")).scalar_one()
    engine.dispose()
    with caplog.at_level("WARNING", logger="fitness.store.migrations"), SessionStore.open(db_url) as store:
        assert store.profiles() == ["alice", "bob", "old-timer"]
        found = store.list_sessions()
        assert len(found) == 2 + 5
        assert sorted(s.profile for s in found) == ["alice"] * 4 + ["bob", "old-timer", "old-timer"]
        with store.engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT id, name, name_key FROM profiles WHERE name_key = 'alice'")).one()
            assert tuple(kept) == (ids[" alice"], "alice", "alice")
            assert conn.execute(sa.text("SELECT COUNT(*) FROM reps")).scalar_one() == reps_before
        # From now on the key keeps them one.
        assert store.create_profile("ALICE") == ids[" alice"]
    assert "profiles 'Alice', 'ALICE ' are one person: merged into 'alice' (3 session(s) moved)" in caplog.text


def test_v4_adds_corrected_counts_to_old_sessions(db_url: str) -> None:
    _build_v1(db_url)
    with SessionStore.open(db_url) as store:
        old = store.get_session(1).summary
        assert (old.rep_count, old.recorded_count, old.corrected_reps, old.correction_note) == (2, 2, None, None)
        assert store.correct_rep_count(1, 3, "one rep out of frame") == 3
        assert store.get_session(1).summary.rep_count == 3
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(sa.update(sessions).where(sessions.c.id == 1).values(corrected_reps=-1))
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(sa.update(sessions).where(sessions.c.id == 1).values(correction_note=None))


def test_v5_gives_old_cues_their_rule_ids_and_keeps_their_text(db_url: str) -> None:
    """Cues saved as bare text: those a rule of their session's exercise wrote get its id,
    the others "legacy"; nothing was measured for any of them. A new cue keeps its evidence."""
    _build_v1(db_url)
    engine = sa.create_engine(to_url(db_url))
    with engine.begin() as conn:
        # Rep 2 of the squat session already has "Go lower" (no rule's text); add two more.
        conn.execute(sa.text("INSERT INTO cues VALUES (2, 1, 'Keep your chest up')"))
        conn.execute(sa.text("INSERT INTO cues VALUES (2, 2, 'Lock out your arms at the top')"))  # a push-up cue
    engine.dispose()
    with SessionStore.open(db_url) as store:
        assert store.get_session(1).reps[1].cues == (
            Cue("legacy", "Go lower"),
            Cue("chest_up", "Keep your chest up"),
            Cue("legacy", "Lock out your arms at the top"),  # another exercise's rule: not this one's
        )
        measured = Cue("depth", "Go lower: hips to knee height", 118.0, "deg", "<= 95", 1500)
        sid = store.save_session(SessionInfo("squat", "video"), [make_rep(1, cues=(measured,))])
        assert store.get_session(sid).reps[0].cues == (measured,)
