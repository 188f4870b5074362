"""``SessionStore.delete_last_rep``: the live page's undo, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fitness.errors import StorageError
from fitness.store import SessionStore
from fitness.store.recorder import SessionInfo, SessionRecorder
from tests.storage_worker import make_rep


@pytest.fixture()
def store(db_url: str) -> Iterator[SessionStore]:
    with SessionStore.open(db_url) as s:
        yield s


def _reps_and_cues(store: SessionStore) -> tuple[int, int]:
    with store.engine.connect() as conn:
        reps = conn.exec_driver_sql("SELECT COUNT(*) FROM reps").scalar_one()
        cues = conn.exec_driver_sql("SELECT COUNT(*) FROM cues").scalar_one()
    return int(reps), int(cues)


def test_the_newest_rep_goes_with_its_cues_and_nothing_else(store: SessionStore) -> None:
    other = store.save_session(SessionInfo("squat", "video"), [make_rep(i) for i in range(1, 4)])
    with SessionRecorder(store, SessionInfo("squat", "live")) as recorder:
        for i in range(1, 4):  # rep 3 draws a cue
            recorder.add(make_rep(i))
        sid = recorder.session_id
        assert sid is not None
        assert _reps_and_cues(store) == (6, 2)
        assert store.delete_last_rep(sid) == 3  # while the session is being recorded
        assert _reps_and_cues(store) == (5, 1)
        assert store.get_session(sid).summary.rep_count == 2
        recorder.add(make_rep(3))  # the next rep takes the freed number
    assert [r.index for r in store.get_session(sid).reps] == [1, 2, 3]
    assert store.delete_last_rep(sid) == 3  # and once it has ended
    assert store.delete_last_rep(sid) == 2
    detail = store.get_session(sid)
    assert [r.index for r in detail.reps] == [1] and detail.summary.end_reason == "completed"
    assert [r.index for r in store.get_session(other).reps] == [1, 2, 3]


def test_a_session_without_reps_or_an_unknown_one_is_a_sentence(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live"))
    with pytest.raises(StorageError, match=f"^session {sid} has no reps to remove$"):
        store.delete_last_rep(sid)
    with pytest.raises(StorageError, match=r"^no session with id 999$"):
        store.delete_last_rep(999)
