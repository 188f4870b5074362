"""SessionStore against real databases: an SQLite file, and PostgreSQL when FITNESS_TEST_PG_URL is set.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitness.engine.values import Cue, Rep
from fitness.errors import FitnessError, OutputPathError, StorageError
from fitness.store import SessionStore
from fitness.store.liveness import current_owner
from fitness.store.recorder import SessionInfo, SessionRecorder, angle_trace
from fitness.store.schema import sessions
from tests.storage_worker import make_rep
from tests.store.helpers import count_rows, dead_pid


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
            (
                Cue("extension", "Full extension", 151.5, "deg", ">= 150", 1800),
                Cue("elbow_drift", "Elbows in"),
            ),
            "both",
        ),
        Rep(
            3,
            2**40,
            2**40 + 1,
            2**40 + 2,
            -0.5,
            1e-9,
            180.0,
            1,
            1,
            "needs_work",
            (Cue("legacy", "Ünïcode cue ✓"),),
            "right",
        ),
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
_short = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=10)
_cues = st.builds(
    Cue,
    id=_text,
    text=_text,
    measured=st.none() | _deg,
    unit=st.none() | _short,
    target=st.none() | _text,
    t_ms=st.none() | _ms,
)
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
    cues=st.lists(_cues, max_size=4).map(tuple),
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
        ({"cues": ("",)}, "^rep 1: cue text must be text of 1-200 characters, got ''$"),
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


def test_save_session_is_all_or_nothing(store: SessionStore) -> None:
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
    assert (count_rows(store, "reps"), count_rows(store, "cues")) == (9, 3)
    store.delete_session(gone)
    assert [s.id for s in store.list_sessions()] == [keep]
    assert (count_rows(store, "reps"), count_rows(store, "cues")) == (3, 1)


def test_a_session_being_recorded_is_not_deleted_without_force(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live"))
    with pytest.raises(
        StorageError, match=f"^session {sid} is still being recorded \\(pid {os.getpid()} on .+\\); stop"
    ):
        store.delete_session(sid)
    store.delete_session(sid, force=True)
    assert store.list_sessions() == []


def test_mark_interrupted_only_touches_sessions_of_dead_processes(store: SessionStore) -> None:
    me = current_owner()
    ids = [store.start_session(SessionInfo("squat", "live", profile=f"p{i}")) for i in range(5)]
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    owners = [
        {"owner_host": me.host, "owner_pid": me.pid},  # this live process
        {"owner_host": me.host, "owner_pid": dead_pid()},  # died
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
