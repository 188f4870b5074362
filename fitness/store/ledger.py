"""The batch ledger: which video contents have been analysed into this history.

``fitness batch`` identifies a video by the SHA-256 of its bytes, so a file that was renamed,
moved or copied to a second folder is still the same video. A video's ledger row is written in
the SAME transaction as its session and reps (:meth:`~fitness.store.store.SessionStore.record_video`),
and the unique constraint on the hash decides which of two writers of the same video wins: the
loser's transaction writes nothing. Killing a batch at any instant therefore leaves each video
either fully recorded or not at all, and running it again records exactly the missing ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitness.errors import StorageError
from fitness.store.rows import check_text, now
from fitness.store.schema import MAX_BATCH, batch_videos, reps, sessions

LedgerStatus = Literal["done", "failed"]
SHA256_HEX: Final = 64
# Hashes looked up per statement: well under SQLite's and PostgreSQL's bind-parameter limits.
LOOKUP_CHUNK: Final = 500


@dataclass(frozen=True, slots=True)
class VideoMark:
    """What a batch says about a video it records: its content, the batch and the file it read."""

    sha256: str
    batch: str
    source_path: str
    duration_ms: int | None = None

    def __post_init__(self) -> None:
        if len(self.sha256) != SHA256_HEX or any(c not in "0123456789abcdef" for c in self.sha256):
            raise StorageError(f"a video's content hash must be 64 lowercase hex digits, got {self.sha256!r}")
        check_text(self.batch, "batch name", MAX_BATCH)
        if not self.source_path or "\x00" in self.source_path:
            raise StorageError(f"a video's source path must be non-empty text, got {self.source_path!r}")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the ledger knows about one video content (with its session's exercise and rep count)."""

    sha256: str
    batch: str
    source_path: str
    status: LedgerStatus
    reason: str | None
    session_id: int | None
    exercise: str | None
    rep_count: int | None
    duration_ms: int | None
    recorded_at: datetime


def claim(conn: Connection, mark: VideoMark, status: LedgerStatus, reason: str | None, *, retry_failed: bool) -> bool:
    """Insert ``mark``'s row; False (and nothing written) when the content is already recorded.

    ``retry_failed``: a row that says the content failed before is replaced. The insert runs in
    a savepoint: on PostgreSQL a unique violation would otherwise abort the whole transaction.
    """
    if retry_failed:
        conn.execute(
            sa.delete(batch_videos).where(
                batch_videos.c.content_sha256 == mark.sha256, batch_videos.c.status == "failed"
            )
        )
    try:
        with conn.begin_nested():
            conn.execute(
                sa.insert(batch_videos).values(
                    content_sha256=mark.sha256,
                    batch=mark.batch,
                    source_path=mark.source_path,
                    status=status,
                    reason=reason,
                    duration_ms=mark.duration_ms,
                    recorded_at=now(),
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True


def link(conn: Connection, sha256: str, session_id: int) -> None:
    conn.execute(sa.update(batch_videos).where(batch_videos.c.content_sha256 == sha256).values(session_id=session_id))


def record(
    conn: Connection, mark: VideoMark, write_session: Callable[[Connection], int], *, retry_failed: bool
) -> int | None:
    """Claim ``mark`` as done and write its session (``write_session``) in the same transaction;
    the session id, or None (and nothing written) when this content is already recorded."""
    if not claim(conn, mark, "done", None, retry_failed=retry_failed):
        return None
    session_id = write_session(conn)
    link(conn, mark.sha256, session_id)
    return session_id


def known_hashes(conn: Connection, *, include_failed: bool) -> frozenset[str]:
    """Every content hash in the ledger (only the done ones unless ``include_failed``)."""
    query = sa.select(batch_videos.c.content_sha256)
    if not include_failed:
        query = query.where(batch_videos.c.status == "done")
    return frozenset(conn.scalars(query))


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]


def _entry_select() -> sa.Select[Any]:
    rep_count = (
        sa.select(sa.func.count(reps.c.id)).where(reps.c.session_id == batch_videos.c.session_id).scalar_subquery()
    )
    return sa.select(
        batch_videos.c.content_sha256,
        batch_videos.c.batch,
        batch_videos.c.source_path,
        batch_videos.c.status,
        batch_videos.c.reason,
        batch_videos.c.session_id,
        sessions.c.exercise,
        sa.case((batch_videos.c.session_id.is_(None), None), else_=rep_count).label("rep_count"),
        batch_videos.c.duration_ms,
        batch_videos.c.recorded_at,
    ).select_from(batch_videos.outerjoin(sessions, sessions.c.id == batch_videos.c.session_id))


def _entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        sha256=row.content_sha256,
        batch=row.batch,
        source_path=row.source_path,
        status=cast(LedgerStatus, row.status),
        reason=row.reason,
        session_id=row.session_id,
        exercise=row.exercise,
        rep_count=None if row.rep_count is None else int(row.rep_count),
        duration_ms=None if row.duration_ms is None else int(row.duration_ms),
        recorded_at=row.recorded_at,
    )


def entries(conn: Connection, hashes: Iterable[str] | None = None, batch: str | None = None) -> list[LedgerEntry]:
    """Ledger rows by content hash and/or batch (all of them when both are None), oldest first."""
    order = (batch_videos.c.recorded_at, batch_videos.c.id)
    base = _entry_select()
    if batch is not None:
        base = base.where(batch_videos.c.batch == batch)
    if hashes is None:
        return [_entry(r) for r in conn.execute(base.order_by(*order))]
    found: list[LedgerEntry] = []
    for chunk in _chunks(sorted(set(hashes))):
        found.extend(_entry(r) for r in conn.execute(base.where(batch_videos.c.content_sha256.in_(chunk))))
    return sorted(found, key=lambda e: e.recorded_at)
