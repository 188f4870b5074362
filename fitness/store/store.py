"""Workout history in a real database: an SQLite file by default, any SQLAlchemy URL for a shared one.

Every rep is committed in its own transaction the moment it completes, so killing the process
loses at most the rep in progress. A session left ``in_progress`` by a process that died is
marked ``interrupted`` the next time a store is opened; sessions of processes that are still
alive (another browser tab, the CLI, another station on the same PostgreSQL) are left alone.

The schema is versioned: ``schema_version`` holds one row per applied migration and
:data:`MIGRATIONS` is the ordered list that builds it, so a fresh database and an upgraded old
one go through the same steps. A database written by a newer program is refused, never touched.

Every failure a person can cause raises :class:`~fitness.errors.StorageError` with a one-line
message; a password in a URL is never part of it.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import operator
import os
import re
import socket
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, get_args

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from fitness.engine.values import Rep, Verdict
from fitness.errors import OutputPathError, StorageError
from fitness.store.recorder import EndReason, SessionInfo

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

T = TypeVar("T")

ENV_VAR: Final = "FITNESS_DB"
DEFAULT_PATH: Final = Path("data") / "fitness.db"
SQLITE_HEADER: Final = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS: Final = 10_000
PG_CONNECT_TIMEOUT_S: Final = 5
# Sessions owned by another host cannot be checked by pid: they count as abandoned only when
# nothing (no rep, no heartbeat) has been written for this long.
STALE_AFTER: Final = timedelta(hours=2)
MAX_ATTEMPTS: Final = 8

END_REASONS: Final[tuple[str, ...]] = get_args(EndReason)
FINAL_REASONS: Final = tuple(r for r in END_REASONS if r != "in_progress")
SOURCES: Final = ("live", "video")
VERDICTS: Final[tuple[str, ...]] = get_args(Verdict)
MAX_NAME: Final = 100
MAX_CUE: Final = 200
MAX_INT32: Final = 2**31 - 1
MAX_INT64: Final = 2**63 - 1

# -- column types ---------------------------------------------------------------------------


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps naive text, PostgreSQL timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one (datetime.now(UTC))")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# -- the current schema (what queries use; MIGRATIONS below is what builds it) -----------------

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(50), nullable=False),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("model_variant", sa.String(50), nullable=False),
    sa.Column("video_name", sa.String(500)),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("end_reason", sa.String(20), nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("extra_json", sa.Text, nullable=False),
    # v2: who is recording an in-progress session, and when it last showed signs of life.
    sa.Column("owner_host", sa.String(255)),
    sa.Column("owner_pid", sa.Integer),
    sa.Column("owner_tag", sa.String(100)),
    sa.Column("heartbeat_at", UTCDateTime),
)

reps = sa.Table(
    "reps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("rep_index", sa.Integer, nullable=False),
    sa.Column("start_ms", sa.BigInteger, nullable=False),
    sa.Column("bottom_ms", sa.BigInteger, nullable=False),
    sa.Column("end_ms", sa.BigInteger, nullable=False),
    sa.Column("min_angle", sa.Double, nullable=False),
    sa.Column("max_angle", sa.Double, nullable=False),
    sa.Column("rom_deg", sa.Double, nullable=False),
    sa.Column("eccentric_ms", sa.BigInteger, nullable=False),
    sa.Column("concentric_ms", sa.BigInteger, nullable=False),
    sa.Column("verdict", sa.String(20), nullable=False),
    sa.Column("side", sa.String(20), nullable=False),
)

cues = sa.Table(
    "cues",
    metadata,
    sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cue", sa.String(MAX_CUE), nullable=False),
)

OUR_TABLES: Final = frozenset({"profiles", "sessions", "reps", "cues"})

# -- migrations -----------------------------------------------------------------------------
# Each one is frozen in time: it spells out its own DDL instead of using the tables above,
# which always describe the newest schema.


def _migration_1_initial(conn: Connection) -> None:
    md = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "profiles",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(MAX_NAME), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.UniqueConstraint("name", name="uq_profiles_name"),
    )
    sa.Table(
        "sessions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(50), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("model_variant", sa.String(50), nullable=False),
        sa.Column("video_name", sa.String(500)),
        sa.Column("started_at", when, nullable=False),
        sa.Column("ended_at", when),
        sa.Column("end_reason", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("extra_json", sa.Text, nullable=False),
        sa.CheckConstraint("source IN ('live', 'video')", name="ck_sessions_source"),
        sa.CheckConstraint(
            "end_reason IN ('in_progress', 'completed', 'stopped', 'interrupted', 'error')",
            name="ck_sessions_end_reason",
        ),
        sa.Index("ix_sessions_profile_started", "profile_id", "started_at"),
    )
    sa.Table(
        "reps",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rep_index", sa.Integer, nullable=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.Column("bottom_ms", sa.BigInteger, nullable=False),
        sa.Column("end_ms", sa.BigInteger, nullable=False),
        sa.Column("min_angle", sa.Double, nullable=False),
        sa.Column("max_angle", sa.Double, nullable=False),
        sa.Column("rom_deg", sa.Double, nullable=False),
        sa.Column("eccentric_ms", sa.BigInteger, nullable=False),
        sa.Column("concentric_ms", sa.BigInteger, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("side", sa.String(20), nullable=False),
        sa.UniqueConstraint("session_id", "rep_index", name="uq_reps_session_index"),
        sa.CheckConstraint("verdict IN ('good', 'needs_work')", name="ck_reps_verdict"),
    )
    sa.Table(
        "cues",
        md,
        sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("cue", sa.String(MAX_CUE), nullable=False),
        sa.Index("ix_cues_cue", "cue"),
    )
    md.create_all(conn)


def _migration_2_session_owner(conn: Connection) -> None:
    when = sa.DateTime(timezone=True).compile(dialect=conn.dialect)
    for column, kind in (
        ("owner_host", "VARCHAR(255)"),
        ("owner_pid", "INTEGER"),
        ("owner_tag", "VARCHAR(100)"),
        ("heartbeat_at", when),
    ):
        conn.exec_driver_sql(f"ALTER TABLE sessions ADD COLUMN {column} {kind}")
    conn.exec_driver_sql("CREATE INDEX ix_sessions_end_reason ON sessions (end_reason)")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, "profiles, sessions, reps, cues", _migration_1_initial),
    Migration(2, "sessions record their owner process and a heartbeat", _migration_2_session_owner),
)
LATEST_VERSION: Final = MIGRATIONS[-1].version

# -- values handed out by the store -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session with its rep aggregates (means are ``None`` for a session without reps)."""

    id: int
    profile: str
    exercise: str
    source: str
    model_variant: str
    video_name: str | None
    started_at: datetime
    ended_at: datetime | None
    end_reason: EndReason
    notes: str | None
    rep_count: int
    good_count: int
    mean_rom_deg: float | None = None
    mean_eccentric_ms: float | None = None
    mean_concentric_ms: float | None = None
    mean_duration_ms: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def good_share(self) -> float | None:
        return self.good_count / self.rep_count if self.rep_count else None

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended_at is None else self.ended_at - self.started_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile": self.profile,
            "exercise": self.exercise,
            "source": self.source,
            "model_variant": self.model_variant,
            "video_name": self.video_name,
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "end_reason": self.end_reason,
            "notes": self.notes,
            "rep_count": self.rep_count,
            "good_count": self.good_count,
            "extra": dict(self.extra),
        }


@dataclass(frozen=True, slots=True)
class SessionDetail:
    summary: SessionSummary
    reps: tuple[Rep, ...]


@dataclass(frozen=True, slots=True)
class Owner:
    """The process recording a session. ``tag`` (boot id + process start time) tells a live
    owner from an unrelated process that later got the same pid."""

    host: str
    pid: int
    tag: str


# -- pure helpers -------------------------------------------------------------------------------


def default_db_url() -> str:
    """``$FITNESS_DB`` (a path or an SQLAlchemy URL), else ``data/fitness.db`` in the working directory."""
    configured = os.environ.get(ENV_VAR, "").strip()
    return to_url(configured or DEFAULT_PATH).render_as_string(hide_password=False)


def to_url(url_or_path: str | os.PathLike[str]) -> URL:
    """A path becomes an absolute ``sqlite:///`` URL; ``postgresql://`` gets the psycopg 3 driver."""
    text = os.fspath(url_or_path).strip()
    if not text:
        raise StorageError("no database location given (empty path or URL)")
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().absolute()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StorageError(f"cannot parse the database URL {redact(text)}") from None
    if url.drivername in ("postgresql", "postgres"):
        # SQLAlchemy's default PostgreSQL driver is psycopg2, which this project does not ship.
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise StorageError("an in-memory SQLite database would forget every session; give a file path")
        url = url.set(database=str(Path(url.database).expanduser().absolute()))
    return url


def redact(text: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host`` in free text."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def describe(url: URL) -> str:
    """Where the history lives, for messages: a file path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def one_line(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def since_to_utc(since: date | datetime | None, tz: tzinfo | None = None) -> datetime | None:
    """A date means that day's midnight in ``tz`` (None: this machine's local time)."""
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, dtime())
    if since.tzinfo is None:
        since = since.replace(tzinfo=tz) if tz is not None else since.astimezone()
    return since.astimezone(UTC)


def local_day(ts: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day ``ts`` fell on in ``tz`` (None: this machine's local time, DST-aware)."""
    return ts.astimezone(tz).date()


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_tag(pid: int) -> str | None:
    """An identity for the live process ``pid`` (``""`` when the OS cannot say more than
    "it exists"), or None when there is no such process or it is a zombie."""
    if Path("/proc/self/stat").exists():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = stat[stat.rfind(")") + 2 :].split()
        if not fields or fields[0] in ("Z", "X"):
            return None
        # fields[19] is /proc/<pid>/stat field 22, the start time in clock ticks since boot.
        return f"{_boot_id()}:{fields[19]}" if len(fields) > 19 else ""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it exists, it is just someone else's
    return ""


def current_owner() -> Owner:
    pid = os.getpid()
    return Owner(host=socket.gethostname(), pid=pid, tag=process_tag(pid) or "")


def owner_is_alive(
    host: str | None,
    pid: int | None,
    tag: str | None,
    heartbeat_at: datetime | None,
    *,
    me: Owner,
    now: datetime,
    stale_after: timedelta = STALE_AFTER,
    probe: Callable[[int], str | None] = process_tag,
) -> bool:
    """Whether the process that started an in-progress session may still be recording it."""
    if host is None or pid is None:
        return False  # written before owners were recorded (schema v1): no process can claim it
    if host != me.host:
        return heartbeat_at is not None and now - heartbeat_at < stale_after
    live_tag = probe(pid)
    if live_tag is None:
        return False
    return not tag or not live_tag or live_tag == tag


def _as_int(value: object, name: str, index: object) -> int:
    if isinstance(value, bool):
        raise StorageError(f"rep {index}: {name} must be a whole number, got {value!r}")
    try:
        return operator.index(cast(Any, value))
    except TypeError:
        raise StorageError(f"rep {index}: {name} must be a whole number, got {value!r}") from None


def _as_float(value: object, name: str, index: object) -> float:
    try:
        number = float(cast(Any, value))
    except (TypeError, ValueError):
        raise StorageError(f"rep {index}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        # SQLite would silently store NaN as NULL; a chart would then miss the rep.
        raise StorageError(f"rep {index}: {name} must be a finite number, got {number}")
    return number


def _is_text(value: object, limit: int) -> bool:
    # PostgreSQL cannot store NUL in text; refusing it everywhere keeps both backends alike.
    return isinstance(value, str) and 0 < len(value) <= limit and "\x00" not in value


def rep_row(rep: Rep) -> dict[str, Any]:
    """The ``reps`` row for ``rep`` (numpy scalars become plain numbers), validated."""
    index = _as_int(rep.index, "index", rep.index)
    if not 0 <= index <= MAX_INT32:
        raise StorageError(f"rep index must be between 0 and {MAX_INT32}, got {index}")
    row: dict[str, Any] = {"rep_index": index}
    for name in ("start_ms", "bottom_ms", "end_ms", "eccentric_ms", "concentric_ms"):
        row[name] = _as_int(getattr(rep, name), name, index)
        if abs(row[name]) > MAX_INT64:
            raise StorageError(f"rep {index}: {name} is out of range: {row[name]}")
    for name in ("min_angle", "max_angle", "rom_deg"):
        row[name] = _as_float(getattr(rep, name), name, index)
    if rep.verdict not in VERDICTS:
        raise StorageError(f"rep {index}: verdict must be one of {', '.join(VERDICTS)}, got {rep.verdict!r}")
    row["verdict"] = rep.verdict
    if not _is_text(rep.side, 20):
        raise StorageError(f"rep {index}: side must be a short name like 'left', got {rep.side!r}")
    row["side"] = rep.side
    for cue in rep.cues:
        if not _is_text(cue, MAX_CUE):
            raise StorageError(f"rep {index}: each cue must be text of 1-{MAX_CUE} characters, got {cue!r}")
    return row


def _check_text(value: object, what: str, limit: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _is_text(value, limit) or not value.strip():
        raise StorageError(f"{what} must be text of 1-{limit} characters, got {value!r}")
    return value


def _check_info(info: SessionInfo) -> str:
    _check_text(info.exercise, "exercise", 50)
    _check_text(info.model_variant, "model variant", 50)
    _check_text(info.video_name, "video name", 500, optional=True)
    _check_text(info.profile, "profile name", MAX_NAME)
    if info.source not in SOURCES:
        raise StorageError(f"session source must be one of {', '.join(SOURCES)}, got {info.source!r}")
    return _extra_json(info.extra)


def _extra_json(extra: Mapping[str, Any]) -> str:
    try:
        return json.dumps(dict(extra), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"session extra data must be JSON-serialisable: {exc}") from None


def _check_reason(reason: str) -> EndReason:
    if reason not in FINAL_REASONS:
        raise StorageError(f"a session ends as one of {', '.join(FINAL_REASONS)}, not {reason!r}")
    return cast(EndReason, reason)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(ts: datetime | None, name: str) -> datetime | None:
    if ts is not None and ts.tzinfo is None:
        raise StorageError(f"{name} must be timezone-aware (e.g. datetime.now(UTC)), got {ts.isoformat()}")
    return ts


# -- turning driver errors into sentences --------------------------------------------------------


def _driver_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc)


def _is_retryable(exc: SQLAlchemyError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in ("40001", "40P01"):  # serialization failure, deadlock
        return True
    text = _driver_message(exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def _pg_reason(text: str, secret: str | None) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    if secret:
        first = first.replace(secret, "***")
    reason = first.rsplit("failed: ", 1)[-1]
    reason = re.sub(r"^(FATAL|ERROR):\s+", "", reason)
    if "Connection refused" in reason:
        return "connection refused (is the server running and listening there?)"
    if "timeout" in reason.lower():
        return "timed out (is the host reachable?)"
    return one_line(reason, 160)


def storage_error(exc: SQLAlchemyError, url: URL, action: str) -> StorageError:
    """A one-line :class:`StorageError` for a driver failure while ``action`` (never the password)."""
    text = _driver_message(exc)
    low = text.lower()
    where = describe(url)
    if url.get_backend_name() == "sqlite":
        if "not a database" in low or "malformed" in low:
            return StorageError(
                f"{where} is not a readable fitness history (corrupt, or not an SQLite database); "
                "it was left untouched: move it aside to start a new history"
            )
        if "unable to open" in low:
            return StorageError(f"cannot open or create the database {where}: check the folder exists and is writable")
        if "readonly" in low or "read-only" in low:
            return StorageError(f"cannot write the database {where}: the file or its folder is read-only")
        if "locked" in low or "busy" in low:
            return StorageError(
                f"the database {where} stayed locked by another program for over {BUSY_TIMEOUT_MS // 1000}s "
                f"while {action}; try again"
            )
        return StorageError(f"database error while {action} ({where}): {one_line(text, 160)}")
    if url.get_backend_name() == "postgresql":
        host = url.host or "local socket"
        port = url.port or 5432
        if "connection" in low and ("failed" in low or "refused" in low or "timeout" in low):
            return StorageError(
                f"cannot connect to PostgreSQL at {host}:{port} (database {url.database or '?'}): "
                f"{_pg_reason(text, url.password)}"
            )
        if "closed the connection" in low or "terminating connection" in low or "consuming input failed" in low:
            return StorageError(f"lost the connection to PostgreSQL at {host}:{port} while {action}; try again")
    secret = url.password
    detail = one_line(text.replace(secret, "***") if secret else text, 160)
    return StorageError(f"database error while {action} ({where}): {detail}")


# -- engine set-up ------------------------------------------------------------------------------


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite ever opens it (so it cannot be modified)."""
    if path.is_dir():
        raise StorageError(f"the database path {path} is a folder, not a file")
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StorageError(f"cannot read the database {path}: {exc.strerror}") from None
        if head and head != SQLITE_HEADER:
            raise StorageError(
                f"{path} is not a readable fitness history (corrupt, or not an SQLite database); "
                "it was left untouched: move it aside to start a new history"
            )
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in path.parents if p.exists()), None)
        reason = f"{blocker} is a file" if blocker is not None and not blocker.is_dir() else exc.strerror
        raise StorageError(f"cannot create the folder {path.parent} for the database: {reason}") from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(f"cannot create the database {path}: the folder {path.parent} is not writable")


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module so that DDL is transactional and writers can
    # ask for BEGIN IMMEDIATE (see _on_sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            log.warning("SQLite refused WAL mode (got %s); concurrent writers will wait longer", mode)
        # FULL: a committed rep survives a power cut, not just a killed process; one fsync per
        # rep (every few seconds) costs nothing.
        cur.execute("PRAGMA synchronous = FULL")
    finally:
        cur.close()


def _on_sqlite_begin(conn: Connection) -> None:
    # A deferred transaction that later writes can fail at once with SQLITE_BUSY when another
    # writer got in first; taking the write lock up front lets busy_timeout do the waiting.
    write = bool(conn.get_execution_options().get("fitness_write"))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _create_engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            engine = sa.create_engine(url)
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        if url.get_backend_name() == "postgresql":
            connect_args: dict[str, Any] = {}
            if "connect_timeout" not in url.query:
                connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
            if "application_name" not in url.query:
                connect_args["application_name"] = "fitness-coach"
            return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        log.warning("database backend %s is not tested with fitness-coach", url.get_backend_name())
        return sa.create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise StorageError(f"unsupported database URL {describe(url)}: {one_line(str(exc), 120)}") from None


# -- the store ----------------------------------------------------------------------------------


class SessionStore:
    """Workout history over SQLAlchemy. Open with :meth:`open`; safe to share between threads."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._writer = engine.execution_options(fitness_write=True)
        self._url = url

    @classmethod
    def open(cls, url_or_path: str | os.PathLike[str] | None = None, *, recover: bool = True) -> SessionStore:
        """Open (creating or upgrading) the history at ``url_or_path`` (default: :func:`default_db_url`).

        With ``recover``, sessions left in progress by dead processes are marked interrupted.
        """
        url = to_url(url_or_path if url_or_path is not None else default_db_url())
        if url.get_backend_name() == "sqlite":
            _check_sqlite_file(Path(str(url.database)))
        store = cls(_create_engine(url), url)
        try:
            store._upgrade()
            if recover:
                marked = store.mark_interrupted()
                if marked:
                    log.info("marked %d abandoned session(s) as interrupted: %s", len(marked), marked)
        except BaseException:
            store.close()
            raise
        log.debug("opened workout history at %s", store.location)
        return store

    @property
    def location(self) -> str:
        """The file path or the URL (password hidden)."""
        return describe(self._url)

    @property
    def backend(self) -> str:
        return self._url.get_backend_name()

    @property
    def engine(self) -> Engine:
        """The underlying engine, for tests and maintenance tools."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --

    def _run(self, action: str, work: Callable[[Connection], T], *, write: bool) -> T:
        """``work`` in one transaction, retried when the database is momentarily busy."""
        engine = self._writer if write else self._engine
        delay = 0.02
        attempt = 0
        while True:
            attempt += 1
            try:
                with engine.begin() as conn:
                    return work(conn)
            except OperationalError as exc:
                if attempt < MAX_ATTEMPTS and _is_retryable(exc):
                    log.info("database busy while %s (attempt %d); retrying", action, attempt)
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                raise storage_error(exc, self._url, action) from exc
            except SQLAlchemyError as exc:
                raise storage_error(exc, self._url, action) from exc

    # -- schema --

    def schema_version(self) -> int:
        return self._run("reading the schema version", _read_version, write=False)

    def _upgrade(self) -> None:
        # Look first without the write lock: a newer or foreign database is refused untouched.
        found = self._run("opening the database", self._checked_version, write=False)
        if found < LATEST_VERSION:
            self._run("upgrading the database", self._migrate, write=True)

    def _checked_version(self, conn: Connection) -> int:
        # One look at the table list: on PostgreSQL each statement sees the latest commits, so a
        # second look could see another process's brand-new tables but not its schema_version.
        tables = set(sa.inspect(conn).get_table_names())
        version = _read_version(conn, tables)
        if version > LATEST_VERSION:
            raise StorageError(
                f"the database {self.location} has schema version {version}, newer than this program "
                f"understands ({LATEST_VERSION}); update fitness-coach to open it"
            )
        if version == 0:
            clash = OUR_TABLES & tables
            if clash:
                raise StorageError(
                    f"the database {self.location} has tables named {', '.join(sorted(clash))} but no "
                    "schema_version: it is not a fitness history; refusing to touch it"
                )
        return version

    def _migrate(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            # Two processes opening a fresh database at once: one migrates, the other waits.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x666974})
        version = self._checked_version(conn)  # again, under the lock
        if version == 0:
            schema_version.create(conn, checkfirst=True)
        for migration in MIGRATIONS[version:]:
            log.info("upgrading %s to schema version %d: %s", self.location, migration.version, migration.description)
            migration.apply(conn)
            conn.execute(
                sa.insert(schema_version).values(
                    version=migration.version, description=migration.description, applied_at=_now()
                )
            )

    # -- profiles --

    def create_profile(self, name: str) -> int:
        """The id of profile ``name``, created if it does not exist yet."""
        _check_text(name, "profile name", MAX_NAME)
        return self._run("creating a profile", lambda conn: _profile_id(conn, name), write=True)

    def profiles(self) -> list[str]:
        def work(conn: Connection) -> list[str]:
            return list(conn.scalars(sa.select(profiles.c.name).order_by(profiles.c.name)))

        return self._run("listing profiles", work, write=False)

    # -- recording --

    def start_session(self, info: SessionInfo, *, started_at: datetime | None = None) -> int:
        """Create an ``in_progress`` session owned by this process; returns its id."""
        extra = _check_info(info)
        owner = current_owner()
        when = _aware(started_at, "started_at") or _now()

        def work(conn: Connection) -> int:
            values = _session_values(conn, info, extra, when)
            values.update(
                end_reason="in_progress",
                owner_host=owner.host,
                owner_pid=owner.pid,
                owner_tag=owner.tag,
                heartbeat_at=when,
            )
            return int(conn.execute(sa.insert(sessions).values(**values).returning(sessions.c.id)).scalar_one())

        session_id = self._run("starting a session", work, write=True)
        log.info("session %d started (%s, %s, profile %s)", session_id, info.exercise, info.source, info.profile)
        return session_id

    def add_rep(self, session_id: int, rep: Rep, *, extra: Mapping[str, Any] | None = None) -> None:
        """Save one completed rep, committed before this returns.

        ``extra``: keys to merge into the session's extra data in the same transaction (the
        live page stores the angle trace so far this way: one commit per rep, not two). A value
        JSON cannot hold fails inside that transaction, so the rep is not saved either.
        """
        row = rep_row(rep)
        cue_list = list(rep.cues)

        def work(conn: Connection) -> None:
            reason = _end_reason(conn, session_id)
            if reason != "in_progress":
                raise StorageError(f"session {session_id} has already ended ({reason}); start a new one")
            _insert_reps(conn, session_id, [(row, cue_list)])
            values: dict[str, Any] = {"heartbeat_at": _now()}
            if extra:
                values["extra_json"] = _merged_extra(conn, session_id, extra)
            conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(**values))

        self._run(f"saving rep {row['rep_index']} of session {session_id}", work, write=True)

    def touch(self, session_id: int) -> None:
        """Record that the session is still alive (for long rests on a shared server)."""

        def work(conn: Connection) -> None:
            _end_reason(conn, session_id)
            conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(heartbeat_at=_now()))

        self._run(f"updating session {session_id}", work, write=True)

    def end_session(
        self,
        session_id: int,
        reason: EndReason = "completed",
        *,
        notes: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Close an in-progress session as ``reason`` (completed, stopped, interrupted or error);
        ``extra`` keys are merged into its extra data in the same transaction."""
        final = _check_reason(reason)

        def work(conn: Connection) -> None:
            current = _end_reason(conn, session_id)
            if current != "in_progress":
                raise StorageError(f"session {session_id} has already ended ({current})")
            values: dict[str, Any] = {"end_reason": final, "ended_at": _now(), "heartbeat_at": _now()}
            if notes is not None:
                values["notes"] = notes
            if extra:
                values["extra_json"] = _merged_extra(conn, session_id, extra)
            conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(**values))

        self._run(f"ending session {session_id}", work, write=True)
        log.info("session %d ended: %s", session_id, final)

    def set_notes(self, session_id: int, notes: str | None) -> None:
        def work(conn: Connection) -> None:
            _end_reason(conn, session_id)
            conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(notes=notes))

        self._run(f"saving notes of session {session_id}", work, write=True)

    def save_session(
        self,
        info: SessionInfo,
        reps: Sequence[Rep],
        end_reason: EndReason = "completed",
        *,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> int:
        """A finished session and all its reps in ONE transaction: all saved, or nothing."""
        extra = _check_info(info)
        final = _check_reason(end_reason)
        rows = [(rep_row(rep), list(rep.cues)) for rep in reps]
        indexes = [row["rep_index"] for row, _ in rows]
        if len(set(indexes)) != len(indexes):
            raise StorageError("two reps share the same index; each rep in a session needs its own")
        start = _aware(started_at, "started_at") or _now()
        end = _aware(ended_at, "ended_at") or max(start, _now())

        def work(conn: Connection) -> int:
            values = _session_values(conn, info, extra, start)
            values.update(end_reason=final, ended_at=end, heartbeat_at=end)
            session_id = int(conn.execute(sa.insert(sessions).values(**values).returning(sessions.c.id)).scalar_one())
            _insert_reps(conn, session_id, rows)
            return session_id

        session_id = self._run("saving a session", work, write=True)
        log.info("session %d saved with %d reps (%s)", session_id, len(rows), final)
        return session_id

    def mark_interrupted(self, *, stale_after: timedelta = STALE_AFTER) -> list[int]:
        """Mark sessions whose recording process is gone as ``interrupted``; returns their ids.

        On this host a session's owner is checked by pid (and process start time, so a reused
        pid does not count); a session owned by another host counts as abandoned only after
        ``stale_after`` without a rep or heartbeat. Its ``ended_at`` is its last sign of life.
        """
        me = current_owner()

        def work(conn: Connection) -> list[int]:
            now = _now()
            rows = conn.execute(
                sa.select(
                    sessions.c.id,
                    sessions.c.owner_host,
                    sessions.c.owner_pid,
                    sessions.c.owner_tag,
                    sessions.c.heartbeat_at,
                ).where(sessions.c.end_reason == "in_progress")
            ).all()
            dead = [
                int(r.id)
                for r in rows
                if not owner_is_alive(
                    r.owner_host, r.owner_pid, r.owner_tag, r.heartbeat_at, me=me, now=now, stale_after=stale_after
                )
            ]
            if dead:
                conn.execute(
                    sa.update(sessions)
                    .where(sessions.c.id.in_(dead), sessions.c.end_reason == "in_progress")
                    .values(
                        end_reason="interrupted",
                        ended_at=sa.func.coalesce(sessions.c.heartbeat_at, sessions.c.started_at),
                    )
                )
            return dead

        return self._run("recovering interrupted sessions", work, write=True)

    # -- reading --

    def list_sessions(
        self,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
        *,
        limit: int | None = None,
        tz: tzinfo | None = None,
    ) -> list[SessionSummary]:
        """Sessions, newest first, with their rep aggregates. ``since`` as in :func:`since_to_utc`."""
        clauses = _filters(profile, exercise, since_to_utc(since, tz))

        def work(conn: Connection) -> list[SessionSummary]:
            stmt = _summary_select().where(*clauses)
            if limit is not None:
                stmt = stmt.limit(limit)
            return [_summary(row) for row in conn.execute(stmt)]

        return self._run("listing sessions", work, write=False)

    def get_session(self, session_id: int) -> SessionDetail:
        """One session with its reps (in rep order)."""

        def work(conn: Connection) -> SessionDetail:
            row = conn.execute(_summary_select().where(sessions.c.id == session_id)).first()
            if row is None:
                raise StorageError(f"no session with id {session_id}")
            found = _load_reps(conn, [sessions.c.id == session_id])
            return SessionDetail(_summary(row), tuple(found.get(session_id, ())))

        return self._run(f"reading session {session_id}", work, write=False)

    def delete_session(self, session_id: int, *, force: bool = False) -> None:
        """Delete a session with its reps and cues. A session still being recorded by a live
        process is refused unless ``force``."""
        me = current_owner()

        def work(conn: Connection) -> None:
            row = conn.execute(
                sa.select(
                    sessions.c.end_reason,
                    sessions.c.owner_host,
                    sessions.c.owner_pid,
                    sessions.c.owner_tag,
                    sessions.c.heartbeat_at,
                ).where(sessions.c.id == session_id)
            ).first()
            if row is None:
                raise StorageError(f"no session with id {session_id}")
            alive = row.end_reason == "in_progress" and owner_is_alive(
                row.owner_host, row.owner_pid, row.owner_tag, row.heartbeat_at, me=me, now=_now()
            )
            if alive and not force:
                raise StorageError(
                    f"session {session_id} is still being recorded (pid {row.owner_pid} on {row.owner_host}); "
                    "stop it first"
                )
            rep_ids = sa.select(reps.c.id).where(reps.c.session_id == session_id).scalar_subquery()
            conn.execute(sa.delete(cues).where(cues.c.rep_id.in_(rep_ids)))
            conn.execute(sa.delete(reps).where(reps.c.session_id == session_id))
            conn.execute(sa.delete(sessions).where(sessions.c.id == session_id))

        self._run(f"deleting session {session_id}", work, write=True)
        log.info("session %d deleted", session_id)

    def delete_last_rep(self, session_id: int) -> int:
        """Delete the newest rep (highest index) of a session, with its cues, whether the session
        is still being recorded or has ended: the live page's "undo the last rep". Returns that
        rep's index; a :class:`StorageError` for an unknown session or one without reps."""

        def work(conn: Connection) -> int:
            _end_reason(conn, session_id)  # an unknown session is an error, not "no reps"
            last = conn.execute(
                sa.select(reps.c.id, reps.c.rep_index)
                .where(reps.c.session_id == session_id)
                .order_by(reps.c.rep_index.desc())
                .limit(1)
            ).first()
            if last is None:
                raise StorageError(f"session {session_id} has no reps to remove")
            conn.execute(sa.delete(cues).where(cues.c.rep_id == last.id))
            conn.execute(sa.delete(reps).where(reps.c.id == last.id))
            return int(last.rep_index)

        index = self._run(f"removing the last rep of session {session_id}", work, write=True)
        log.info("rep %d of session %d deleted", index, session_id)
        return index

    def export_csv(
        self,
        path: str | os.PathLike[str],
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
        *,
        overwrite: bool = False,
        tz: tzinfo | None = None,
    ) -> int:
        """Write one CSV row per rep (with its session's columns); returns the number of rows.

        The file appears complete or not at all (written beside it, then renamed)."""
        target = Path(path)
        if target.exists() and not overwrite:
            raise OutputPathError(f"{target} already exists; choose another name or allow overwriting")
        if not target.parent.is_dir():
            raise OutputPathError(f"cannot write {target}: the folder {target.parent} does not exist")
        clauses = _filters(profile, exercise, since_to_utc(since, tz))

        def work(conn: Connection) -> list[list[object]]:
            summaries = {s.id: s for s in (_summary(r) for r in conn.execute(_summary_select().where(*clauses)))}
            by_session = _load_reps(conn, clauses)
            ordered = sorted(summaries.values(), key=lambda s: (s.started_at, s.id))
            return [csv_row(s, rep) for s in ordered for rep in by_session.get(s.id, ())]

        rows = self._run("exporting sessions", work, write=False)
        _write_csv_atomically(target, [CSV_COLUMNS, *rows])
        log.info("exported %d reps to %s", len(rows), target)
        return len(rows)

    # -- chart queries (pandas DataFrames) --

    def reps_per_day(
        self,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
        *,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Columns ``day, exercise, sessions, reps, good, good_share`` (one row per day and exercise)."""
        return reps_per_day_frame(self.list_sessions(profile, exercise, since, tz=tz), tz)

    def good_share_per_session(
        self,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
        *,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Columns ``session_id, started_at, day, profile, exercise, reps, good, good_share``, oldest first."""
        return good_share_frame(self.list_sessions(profile, exercise, since, tz=tz), tz)

    def session_trends(
        self,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
        *,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Per-session means for ROM and tempo trends, oldest first; sessions without reps are left out.

        Columns ``session_id, started_at, day, profile, exercise, reps, mean_rom_deg,
        mean_eccentric_ms, mean_concentric_ms, mean_duration_ms``."""
        return trends_frame(self.list_sessions(profile, exercise, since, tz=tz), tz)

    def cue_frequency(
        self,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
        *,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Columns ``exercise, cue, count, reps, share``: how many of an exercise's reps drew each
        cue (``reps`` is that exercise's total); most frequent first."""
        clauses = _filters(profile, exercise, since_to_utc(since, tz))

        def work(conn: Connection) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
            counted = conn.execute(
                sa.select(sessions.c.exercise, cues.c.cue, sa.func.count(sa.distinct(cues.c.rep_id)))
                .select_from(cues.join(reps).join(sessions).join(profiles))
                .where(*clauses)
                .group_by(sessions.c.exercise, cues.c.cue)
            ).all()
            totals = conn.execute(
                sa.select(sessions.c.exercise, sa.func.count(reps.c.id))
                .select_from(reps.join(sessions).join(profiles))
                .where(*clauses)
                .group_by(sessions.c.exercise)
            ).all()
            return [(str(e), str(c), int(n)) for e, c, n in counted], {str(e): int(n) for e, n in totals}

        counted, totals = self._run("counting cues", work, write=False)
        return cue_frame(counted, totals)

    def session_detail(self, session_id: int) -> pd.DataFrame:
        """One session's reps: the :class:`Rep` fields (cues joined with ``"; "``) plus ``duration_ms``."""
        return rep_frame(self.get_session(session_id).reps)


def save_analysis(
    store: SessionStore, info: SessionInfo, reps: Sequence[Rep], end_reason: EndReason = "completed"
) -> int:
    """Record an analysed video (``fitness analyze --save``) in one transaction; returns the session id."""
    return store.save_session(info, reps, end_reason)


# -- statements and row helpers ----------------------------------------------------------------


def _read_version(conn: Connection, tables: set[str] | None = None) -> int:
    if tables is None:
        tables = set(sa.inspect(conn).get_table_names())
    if "schema_version" not in tables:
        return 0
    return int(conn.scalar(sa.select(sa.func.max(schema_version.c.version))) or 0)


def _profile_id(conn: Connection, name: str) -> int:
    found = conn.scalar(sa.select(profiles.c.id).where(profiles.c.name == name))
    if found is not None:
        return int(found)
    try:
        # A savepoint: on PostgreSQL a unique violation (another process created the same
        # profile a moment ago) would otherwise abort the whole transaction.
        with conn.begin_nested():
            return int(
                conn.execute(
                    sa.insert(profiles).values(name=name, created_at=_now()).returning(profiles.c.id)
                ).scalar_one()
            )
    except sa.exc.IntegrityError:
        return int(conn.execute(sa.select(profiles.c.id).where(profiles.c.name == name)).scalar_one())


def _session_values(conn: Connection, info: SessionInfo, extra: str, started_at: datetime) -> dict[str, Any]:
    return {
        "profile_id": _profile_id(conn, info.profile),
        "exercise": info.exercise,
        "source": info.source,
        "model_variant": info.model_variant,
        "video_name": info.video_name,
        "started_at": started_at,
        "extra_json": extra,
    }


def _merged_extra(conn: Connection, session_id: int, extra: Mapping[str, Any]) -> str:
    stored = conn.scalar(sa.select(sessions.c.extra_json).where(sessions.c.id == session_id))
    current = json.loads(stored or "{}")
    return _extra_json({**(current if isinstance(current, dict) else {}), **extra})


def _end_reason(conn: Connection, session_id: int) -> str:
    reason = conn.scalar(sa.select(sessions.c.end_reason).where(sessions.c.id == session_id))
    if reason is None:
        raise StorageError(f"no session with id {session_id}")
    return str(reason)


def _insert_reps(conn: Connection, session_id: int, rows: Sequence[tuple[dict[str, Any], list[str]]]) -> None:
    wanted = [row["rep_index"] for row, _ in rows]
    taken = set(
        conn.scalars(sa.select(reps.c.rep_index).where(reps.c.session_id == session_id, reps.c.rep_index.in_(wanted)))
    )
    if taken:
        raise StorageError(f"rep {min(taken)} is already saved in session {session_id}")
    for row, cue_list in rows:
        rep_id = conn.execute(sa.insert(reps).values(session_id=session_id, **row).returning(reps.c.id)).scalar_one()
        if cue_list:
            conn.execute(
                sa.insert(cues), [{"rep_id": rep_id, "position": i, "cue": cue} for i, cue in enumerate(cue_list)]
            )


def _filters(profile: str | None, exercise: str | None, since: datetime | None) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if profile is not None:
        clauses.append(profiles.c.name == profile)
    if exercise is not None:
        clauses.append(sessions.c.exercise == exercise)
    if since is not None:
        clauses.append(sessions.c.started_at >= since)
    return clauses


def _summary_select() -> sa.Select[Any]:
    good = sa.func.sum(sa.case((reps.c.verdict == "good", 1), else_=0))
    return (
        sa.select(
            sessions.c.id,
            profiles.c.name.label("profile"),
            sessions.c.exercise,
            sessions.c.source,
            sessions.c.model_variant,
            sessions.c.video_name,
            sessions.c.started_at,
            sessions.c.ended_at,
            sessions.c.end_reason,
            sessions.c.notes,
            sessions.c.extra_json,
            sa.func.count(reps.c.id).label("rep_count"),
            sa.func.coalesce(good, 0).label("good_count"),
            sa.cast(sa.func.avg(reps.c.rom_deg), sa.Double).label("mean_rom"),
            sa.cast(sa.func.avg(reps.c.eccentric_ms), sa.Double).label("mean_ecc"),
            sa.cast(sa.func.avg(reps.c.concentric_ms), sa.Double).label("mean_con"),
            sa.cast(sa.func.avg(reps.c.end_ms - reps.c.start_ms), sa.Double).label("mean_dur"),
        )
        .select_from(sessions.join(profiles).outerjoin(reps))
        .group_by(sessions.c.id, profiles.c.name)
        .order_by(sessions.c.started_at.desc(), sessions.c.id.desc())
    )


def _opt_float(value: object) -> float | None:
    return None if value is None else float(cast(Any, value))


def _summary(row: sa.Row[Any]) -> SessionSummary:
    return SessionSummary(
        id=int(row.id),
        profile=str(row.profile),
        exercise=str(row.exercise),
        source=str(row.source),
        model_variant=str(row.model_variant),
        video_name=row.video_name,
        started_at=row.started_at,
        ended_at=row.ended_at,
        end_reason=cast(EndReason, row.end_reason),
        notes=row.notes,
        rep_count=int(row.rep_count),
        good_count=int(row.good_count),
        mean_rom_deg=_opt_float(row.mean_rom),
        mean_eccentric_ms=_opt_float(row.mean_ecc),
        mean_concentric_ms=_opt_float(row.mean_con),
        mean_duration_ms=_opt_float(row.mean_dur),
        extra=json.loads(row.extra_json or "{}"),
    )


def _load_reps(conn: Connection, clauses: Sequence[sa.ColumnElement[bool]]) -> dict[int, list[Rep]]:
    """Reps of the sessions matching ``clauses``, grouped by session id, in rep order."""
    cue_rows = conn.execute(
        sa.select(cues.c.rep_id, cues.c.cue)
        .select_from(cues.join(reps).join(sessions).join(profiles))
        .where(*clauses)
        .order_by(cues.c.rep_id, cues.c.position)
    ).all()
    cues_of: dict[int, list[str]] = defaultdict(list)
    for rep_id, cue in cue_rows:
        cues_of[int(rep_id)].append(str(cue))
    rows = conn.execute(
        sa.select(reps)
        .select_from(reps.join(sessions).join(profiles))
        .where(*clauses)
        .order_by(reps.c.session_id, reps.c.rep_index)
    ).all()
    out: dict[int, list[Rep]] = defaultdict(list)
    for r in rows:
        out[int(r.session_id)].append(
            Rep(
                index=int(r.rep_index),
                start_ms=int(r.start_ms),
                bottom_ms=int(r.bottom_ms),
                end_ms=int(r.end_ms),
                min_angle=float(r.min_angle),
                max_angle=float(r.max_angle),
                rom_deg=float(r.rom_deg),
                eccentric_ms=int(r.eccentric_ms),
                concentric_ms=int(r.concentric_ms),
                verdict=cast(Verdict, r.verdict),
                cues=tuple(cues_of.get(int(r.id), ())),
                side=str(r.side),
            )
        )
    return out


# -- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS: Final[list[object]] = [
    "session_id",
    "profile",
    "exercise",
    "source",
    "model_variant",
    "video_name",
    "started_at",
    "end_reason",
    "rep_index",
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


def csv_row(s: SessionSummary, rep: Rep) -> list[object]:
    return [
        s.id,
        s.profile,
        s.exercise,
        s.source,
        s.model_variant,
        s.video_name or "",
        s.started_at.isoformat(),
        s.end_reason,
        rep.index,
        rep.start_ms,
        rep.bottom_ms,
        rep.end_ms,
        rep.duration_ms,
        rep.min_angle,
        rep.max_angle,
        rep.rom_deg,
        rep.eccentric_ms,
        rep.concentric_ms,
        rep.verdict,
        "; ".join(rep.cues),
        rep.side,
    ]


def _write_csv_atomically(target: Path, rows: Sequence[Sequence[object]]) -> None:
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {target}: {exc.strerror}") from None


# -- DataFrames for the charts (pure: summaries in, frame out) -----------------------------------

DAY_COLUMNS: Final = ["day", "exercise", "sessions", "reps", "good", "good_share"]
GOOD_COLUMNS: Final = ["session_id", "started_at", "day", "profile", "exercise", "reps", "good", "good_share"]
TREND_COLUMNS: Final = [
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
CUE_COLUMNS: Final = ["exercise", "cue", "count", "reps", "share"]
REP_COLUMNS: Final = [
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


def _frame(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd  # only the chart paths pay for importing pandas

    return pd.DataFrame(list(rows), columns=list(columns))


def _share(good: int, total: int) -> float:
    return good / total if total else math.nan


def reps_per_day_frame(summaries: Sequence[SessionSummary], tz: tzinfo | None = None) -> pd.DataFrame:
    totals: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for s in summaries:
        acc = totals[(local_day(s.started_at, tz), s.exercise)]
        acc[0] += 1
        acc[1] += s.rep_count
        acc[2] += s.good_count
    rows = [
        {"day": day, "exercise": ex, "sessions": n, "reps": r, "good": g, "good_share": _share(g, r)}
        for (day, ex), (n, r, g) in sorted(totals.items())
    ]
    return _frame(rows, DAY_COLUMNS)


def _chronological(summaries: Sequence[SessionSummary]) -> list[SessionSummary]:
    return sorted(summaries, key=lambda s: (s.started_at, s.id))


def good_share_frame(summaries: Sequence[SessionSummary], tz: tzinfo | None = None) -> pd.DataFrame:
    rows = [
        {
            "session_id": s.id,
            "started_at": s.started_at,
            "day": local_day(s.started_at, tz),
            "profile": s.profile,
            "exercise": s.exercise,
            "reps": s.rep_count,
            "good": s.good_count,
            "good_share": _share(s.good_count, s.rep_count),
        }
        for s in _chronological(summaries)
    ]
    return _frame(rows, GOOD_COLUMNS)


def trends_frame(summaries: Sequence[SessionSummary], tz: tzinfo | None = None) -> pd.DataFrame:
    rows = [
        {
            "session_id": s.id,
            "started_at": s.started_at,
            "day": local_day(s.started_at, tz),
            "profile": s.profile,
            "exercise": s.exercise,
            "reps": s.rep_count,
            "mean_rom_deg": s.mean_rom_deg,
            "mean_eccentric_ms": s.mean_eccentric_ms,
            "mean_concentric_ms": s.mean_concentric_ms,
            "mean_duration_ms": s.mean_duration_ms,
        }
        for s in _chronological(summaries)
        if s.rep_count
    ]
    return _frame(rows, TREND_COLUMNS)


def cue_frame(counted: Sequence[tuple[str, str, int]], totals: Mapping[str, int]) -> pd.DataFrame:
    rows = [
        {"exercise": ex, "cue": cue, "count": n, "reps": totals.get(ex, 0), "share": _share(n, totals.get(ex, 0))}
        for ex, cue, n in sorted(counted, key=lambda t: (t[0], -t[2], t[1]))
    ]
    return _frame(rows, CUE_COLUMNS)


def rep_frame(reps: Sequence[Rep]) -> pd.DataFrame:
    rows = [{**rep.to_dict(), "cues": "; ".join(rep.cues), "duration_ms": rep.duration_ms} for rep in reps]
    return _frame(rows, REP_COLUMNS)
