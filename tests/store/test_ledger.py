"""The batch ledger: a video content is recorded once, with its session, in one transaction.

Runs on SQLite and (when FITNESS_TEST_PG_URL is set) PostgreSQL, like every store test.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fitness.errors import StorageError
from fitness.store import SessionInfo, SessionStore, VideoMark
from fitness.store.rows import one_set
from fitness.store.schema import batch_videos, reps, sessions
from tests.storage_worker import make_rep
from tests.store.helpers import T0


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def info(name: str = "a.mp4") -> SessionInfo:
    return SessionInfo("squat", "video", video_name=name, extra={"batch": "b1"})


def counts(store: SessionStore) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0) for t in (sessions, reps, batch_videos)
        )


def test_a_video_is_recorded_once_with_its_session_and_reps(store: SessionStore) -> None:
    mark = VideoMark(sha("a"), "b1", "/videos/a.mp4", 8000)
    first = store.record_video(
        mark, info(), [one_set("squat", [make_rep(1), make_rep(2)])], started_at=T0, ended_at=T0 + timedelta(seconds=8)
    )
    assert first is not None
    # The same content again, from another batch under another name: nothing is written.
    again = VideoMark(sha("a"), "b2", "/copies/a-copy.mp4", 8000)
    assert store.record_video(again, info("a-copy.mp4"), [one_set("squat", [make_rep(1)])], started_at=T0) is None
    assert store.record_failure(again, "should not replace a done video") is False
    assert counts(store) == (1, 2, 1)
    [entry] = store.ledger_entries([sha("a")])
    assert (entry.batch, entry.source_path, entry.status, entry.session_id) == ("b1", "/videos/a.mp4", "done", first)
    assert (entry.exercise, entry.rep_count, entry.duration_ms) == ("squat", 2, 8000)
    assert store.known_videos() == {sha("a")}
    assert store.get_session(first).summary.extra["batch"] == "b1"


def test_a_failed_video_is_known_and_can_be_retried(store: SessionStore) -> None:
    mark = VideoMark(sha("bad"), "b1", "/videos/bad.mp4")
    assert store.record_failure(mark, "corrupt\nfile") is True
    assert store.record_failure(mark, "again") is False
    assert store.known_videos() == {sha("bad")} and store.known_videos(include_failed=False) == frozenset()
    assert (
        store.record_video(mark, info(), [one_set("squat", [make_rep(1)])]) is None
    )  # a failure stands unless retried
    [entry] = store.ledger_entries(batch="b1")
    assert (entry.status, entry.reason, entry.session_id, entry.rep_count) == ("failed", "corrupt file", None, None)
    retried = store.record_video(
        VideoMark(sha("bad"), "b2", "/videos/bad.mp4"), info(), [one_set("squat", [make_rep(1)])], retry_failed=True
    )
    assert retried is not None
    [entry] = store.ledger_entries([sha("bad")])
    assert (entry.status, entry.batch, entry.session_id, entry.reason) == ("done", "b2", retried, None)
    assert counts(store) == (1, 1, 1)


def test_a_session_that_cannot_be_saved_leaves_no_ledger_row(store: SessionStore) -> None:
    mark = VideoMark(sha("x"), "b1", "/videos/x.mp4")
    with pytest.raises(StorageError, match="share the same index"):
        store.record_video(mark, info(), [one_set("squat", [make_rep(1), make_rep(1)])])
    bad_name = SessionInfo("squat", "video", video_name="x" * 501)
    with pytest.raises(StorageError, match="video name"):
        store.record_video(mark, bad_name, [one_set("squat", [make_rep(1)])])
    assert counts(store) == (0, 0, 0)
    assert store.known_videos() == frozenset()


def test_deleting_the_session_keeps_the_video_known(store: SessionStore) -> None:
    """A person who deletes a batch session in History does not get it back on the next run."""
    mark = VideoMark(sha("d"), "b1", "/videos/d.mp4")
    session_id = store.record_video(mark, info(), [one_set("squat", [make_rep(1)])])
    assert session_id is not None
    store.delete_session(session_id)
    [entry] = store.ledger_entries([sha("d")])
    assert (entry.status, entry.session_id, entry.exercise) == ("done", None, None)
    assert store.record_video(mark, info(), [one_set("squat", [make_rep(1)])]) is None


def test_marks_are_checked() -> None:
    with pytest.raises(StorageError, match="64 lowercase hex"):
        VideoMark("ABC", "b1", "/v.mp4")
    with pytest.raises(StorageError, match="batch name"):
        VideoMark(sha("v"), "", "/v.mp4")
    with pytest.raises(StorageError, match="source path"):
        VideoMark(sha("v"), "b1", "")


def test_two_writers_of_the_same_video_record_it_once(db_url: str) -> None:
    """The unique hash decides, not a look before the insert: eight threads with their own
    stores record the same content at the same moment; one session results."""
    mark = VideoMark(sha("race"), "b1", "/videos/race.mp4")
    with SessionStore.open(db_url):
        pass  # migrate once, so the racers only race on the ledger
    start = threading.Barrier(8)
    won: list[int | None] = []

    def racer() -> None:
        with SessionStore.open(db_url) as mine:
            start.wait()
            won.append(mine.record_video(mark, info(), [one_set("squat", [make_rep(1), make_rep(2)])]))

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(won) == 8 and len([w for w in won if w is not None]) == 1, won
    with SessionStore.open(db_url) as store:
        assert counts(store) == (1, 2, 1)


def test_ledger_lookups_go_in_chunks(store: SessionStore) -> None:
    marks = [VideoMark(sha(str(i)), "big", f"/v/{i}.mp4") for i in range(1200)]
    for mark in marks[:3]:
        store.record_failure(mark, "x")
    found = store.ledger_entries([m.sha256 for m in marks])  # more hashes than one statement takes
    assert sorted(e.source_path for e in found) == ["/v/0.mp4", "/v/1.mp4", "/v/2.mp4"]
