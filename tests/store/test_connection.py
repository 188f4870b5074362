"""Where the history lives: bad files, folders, URLs and servers give one clear line each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fitness.errors import StorageError
from fitness.store import SessionStore, connection
from fitness.store.connection import checkout_root, default_db_path, default_db_url, to_url
from tests.store.helpers import closed_port


@pytest.fixture()
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The code as an installed copy sees itself: a ``fitness`` package in a site-packages
    folder with no pyproject.toml beside it; the user's data folder under ``tmp_path/xdg``
    (platformdirs follows XDG_DATA_HOME on Linux). The working directory is restored after."""
    site = tmp_path / "site-packages"
    (site / "fitness").mkdir(parents=True)
    monkeypatch.setattr(connection, "PACKAGE_DIR", site / "fitness")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("FITNESS_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    return site


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


def test_unwritable_locations(tmp_path: Path, installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    # The default location's folder is the program's to create: a file in the way is named.
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    with pytest.raises(
        StorageError,
        match=f"^cannot create the folder {blocker}/fitness-coach for the database: {blocker} is a file$",
    ):
        SessionStore.open()
    # A path given by hand is never created: its folder must be there.
    with pytest.raises(
        StorageError,
        match=f"^the folder {blocker}/data for the database fitness.db does not exist: {blocker} is a file$",
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


def test_unreachable_postgres_names_host_and_port_but_not_the_password() -> None:
    port = closed_port()
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


def test_an_installed_copy_keeps_one_history_per_user(
    tmp_path: Path, installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wherever it is started, the history is the user's one (it once was ./data/fitness.db in
    whatever folder the command ran from), and its folder is made on first use."""
    home = tmp_path / "xdg" / "fitness-coach" / "fitness.db"
    for folder in ("a", "b"):
        here = tmp_path / folder
        here.mkdir()
        monkeypatch.chdir(here)
        assert default_db_url() == f"sqlite:///{home}"
        with SessionStore.open() as store:
            assert store.location == str(home)
            if folder == "a":
                store.create_profile("ann")
            assert store.profiles() == ["ann"]  # the same history from both folders
        assert not (here / "data").exists()
    assert default_db_path() == home


def test_a_checkout_keeps_its_history_in_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FITNESS_DB", raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert checkout_root() == repo
    assert default_db_url() == f"sqlite:///{repo}/data/fitness.db"
    # Another project's pyproject.toml beside a "fitness" folder is not this project.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "someone-else"\n')
    (tmp_path / "fitness").mkdir()
    assert checkout_root(tmp_path / "fitness") is None
    (tmp_path / "pyproject.toml").write_text("not toml [")
    assert checkout_root(tmp_path / "fitness") is None


def test_a_path_into_a_missing_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-such-folder" / "h.db"
    with pytest.raises(StorageError, match=f"^the folder {missing.parent} for the database h.db does not exist$"):
        SessionStore.open(missing)
    monkeypatch.setenv("FITNESS_DB", str(missing))
    with pytest.raises(StorageError, match=r"does not exist$"):
        SessionStore.open()
    assert not missing.parent.exists()


def test_default_location_and_sqlite_settings(tmp_path: Path, installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    here = Path.cwd()
    home = tmp_path / "xdg" / "fitness-coach" / "fitness.db"
    assert default_db_url() == f"sqlite:///{home}"
    with SessionStore.open() as store:
        assert store.location == str(home)
        with store.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("busy_timeout"), pragma("synchronous")) == (
                "wal",
                1,
                10_000,
                2,
            )
    assert home.is_file()
    monkeypatch.setenv("FITNESS_DB", "elsewhere/h.db")
    assert default_db_url() == f"sqlite:///{here}/elsewhere/h.db"
    monkeypatch.setenv("FITNESS_DB", "postgresql://coach@db.example:5433/gym")
    assert default_db_url() == "postgresql+psycopg://coach@db.example:5433/gym"
