"""Where the history lives and how to talk to it: URL parsing and redaction, engine set-up
for SQLite and PostgreSQL, SQLite file checks, retries of momentarily busy databases, and
driver errors turned into one-line sentences (a password in a URL is never part of one)."""

from __future__ import annotations

import logging
import os
import re
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from fitness.errors import StorageError

log = logging.getLogger(__name__)

T = TypeVar("T")

ENV_VAR: Final = "FITNESS_DB"
APP_NAME: Final = "fitness-coach"  # the project's name in pyproject.toml, and the data folder's
DB_FILE: Final = "fitness.db"
# The installed (or checked-out) ``fitness`` package: where the code runs from, not the
# working directory, decides where the history lives.
PACKAGE_DIR: Final = Path(__file__).resolve().parents[1]
SQLITE_HEADER: Final = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS: Final = 10_000
PG_CONNECT_TIMEOUT_S: Final = 5
MAX_ATTEMPTS: Final = 8
# Execution option of the engine that writes: on SQLite its transactions BEGIN IMMEDIATE.
WRITE_OPTION: Final = "fitness_write"
# A transaction that met a busy database waits this long before its second try, doubling up
# to RETRY_MAX_DELAY_S: the eight tries wait about 2.3 s in all, on top of SQLite's own busy_timeout.
RETRY_FIRST_DELAY_S: Final = 0.02
RETRY_MAX_DELAY_S: Final = 1.0
# SQLSTATEs after which the same transaction may simply be run again.
RETRYABLE_SQLSTATES: Final = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected

# -- URLs -----------------------------------------------------------------------------------


def checkout_root(package_dir: Path | None = None) -> Path | None:
    """The project folder when the code runs from a source checkout (the ``fitness`` package
    sits beside this project's ``pyproject.toml``, as in a clone or an editable install);
    None for an installed copy (site-packages has no pyproject.toml of ours)."""
    root = (package_dir or PACKAGE_DIR).parent
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return root if isinstance(project, dict) and project.get("name") == APP_NAME else None


def default_db_path(package_dir: Path | None = None) -> Path:
    """Where the history lives unless told otherwise: one place per user whatever the working
    directory. A source checkout keeps ``data/fitness.db`` in the project folder; an installed
    copy uses the user's data folder (``~/.local/share/fitness-coach/fitness.db`` on Linux,
    ``~/Library/Application Support/fitness-coach`` on macOS, ``%LOCALAPPDATA%\\fitness-coach``
    on Windows)."""
    root = checkout_root(package_dir)
    if root is not None:
        return root / "data" / DB_FILE
    import platformdirs  # only the installed case asks

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILE


def configured_db() -> str | None:
    """``$FITNESS_DB`` when set (a path or an SQLAlchemy URL)."""
    return os.environ.get(ENV_VAR, "").strip() or None


def default_db_url() -> str:
    """``$FITNESS_DB`` (a path or an SQLAlchemy URL), else :func:`default_db_path`."""
    return to_url(configured_db() or default_db_path()).render_as_string(hide_password=False)


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


# -- driver errors as sentences ------------------------------------------------------


def _driver_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc)


def is_retryable(exc: SQLAlchemyError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
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


# -- engine set-up --------------------------------------------------------------------


def check_sqlite_file(path: Path, *, make_folder: bool = False) -> None:
    """Refuse a file that is not SQLite before SQLite ever opens it (so it cannot be modified).

    A new file's folder must exist, unless ``make_folder`` (the default location, which is the
    program's to create): a path given by hand into a folder that is not there is a typo, and
    quietly starting an empty history there would hide it."""
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
    if not make_folder and not path.parent.is_dir():
        blocker = next((p for p in path.parents if p.exists()), None)
        why = f": {blocker} is a file" if blocker is not None and not blocker.is_dir() else ""
        raise StorageError(f"the folder {path.parent} for the database {path.name} does not exist{why}")
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
    write = bool(conn.get_execution_options().get(WRITE_OPTION))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(url: URL) -> Engine:
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


def run_transaction(engine: Engine, url: URL, action: str, work: Callable[[Connection], T]) -> T:
    """``work`` in one transaction, retried when the database is momentarily busy; any driver
    failure becomes a one-line :class:`StorageError` saying what was being done (``action``)."""
    delay = RETRY_FIRST_DELAY_S
    attempt = 0
    while True:
        attempt += 1
        try:
            with engine.begin() as conn:
                return work(conn)
        except OperationalError as exc:
            if attempt < MAX_ATTEMPTS and is_retryable(exc):
                log.info("database busy while %s (attempt %d); retrying", action, attempt)
                time.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_DELAY_S)
                continue
            raise storage_error(exc, url, action) from exc
        except SQLAlchemyError as exc:
            raise storage_error(exc, url, action) from exc
