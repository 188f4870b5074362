"""``fitness batch`` given something wrong: one line naming it, in seconds, before any work."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.conftest import RayHead, free_port, run_batch
from tests.cli_helpers import one_line_error, run_cli
from tests.conftest import shared_data

# Well under Ray's own minute-long connection attempts; covers a busy machine.
QUICK_S = 8.0


@pytest.fixture()
def clip() -> str:
    return str(shared_data() / "videos/squat/squat_front_tfjs_mediapipe.mp4")


def _timed_error(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, float]:
    start = time.perf_counter()
    code, out, err = run_cli(capsys, "batch", *argv)
    elapsed = time.perf_counter() - start
    assert code == 1 and out == ""
    return one_line_error(err), elapsed


def test_an_input_that_does_not_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line, _ = _timed_error(capsys, str(tmp_path / "nope.mp4"), "--db", str(tmp_path / "h.db"))
    assert line == f"fitness: error: no such file or folder: {tmp_path / 'nope.mp4'}"
    assert not (tmp_path / "h.db").exists()  # the store is not even created


def test_an_empty_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "notes.txt").write_text("no videos")
    line, _ = _timed_error(capsys, str(tmp_path / "videos"), "--db", str(tmp_path / "h.db"))
    assert f"{tmp_path / 'videos'} has no videos in it or its subfolders" in line


def test_an_unreachable_database_fails_before_the_cluster(
    capsys: pytest.CaptureFixture[str], clip: str, tmp_path: Path
) -> None:
    """The database is checked before the cluster: with both unreachable, the database is named."""
    db = f"postgresql://fitness@127.0.0.1:{free_port()}/history"
    summary = tmp_path / "s.json"
    line, elapsed = _timed_error(
        capsys, clip, "--db", db, "--address", f"127.0.0.1:{free_port()}", "--json", str(summary)
    )
    assert "cannot connect to PostgreSQL at 127.0.0.1" in line and "connection refused" in line
    assert elapsed < QUICK_S and not summary.exists()


@pytest.mark.parametrize("address", ["127.0.0.1:{port}", "no-such-host.invalid:6379"], ids=["refused", "unknown-host"])
def test_an_unreachable_address_is_named_in_seconds(
    capsys: pytest.CaptureFixture[str], clip: str, tmp_path: Path, address: str
) -> None:
    where = address.format(port=free_port())
    line, elapsed = _timed_error(capsys, clip, "--db", str(tmp_path / "h.db"), "--address", where)
    assert line.startswith(f"fitness: error: cannot reach the Ray cluster at {where}: ")
    assert "ray start --head" in line and elapsed < QUICK_S


@pytest.fixture()
def silent_server() -> Iterator[str]:
    """Accepts TCP connections and never says a word: a firewall's tarpit, a wrong service."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


def test_an_address_that_answers_nothing_does_not_hang(
    capsys: pytest.CaptureFixture[str], clip: str, tmp_path: Path, silent_server: str
) -> None:
    line, elapsed = _timed_error(capsys, clip, "--db", str(tmp_path / "h.db"), "--address", silent_server)
    assert line.startswith(f"fitness: error: cannot reach the Ray cluster at {silent_server}: ")
    assert elapsed < QUICK_S


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--address", "bogus"], "--address must be auto or HOST:PORT"),
        (["--workers", "0"], "--workers must be at least 1, got 0"),
        (["--exercise", "yoga"], "unknown exercise 'yoga'"),
    ],
)
def test_bad_flags(
    capsys: pytest.CaptureFixture[str], clip: str, tmp_path: Path, flags: list[str], message: str
) -> None:
    line, _ = _timed_error(capsys, clip, "--db", str(tmp_path / "h.db"), *flags)
    assert message in line


@pytest.mark.slow
def test_a_cluster_with_tokens_says_how_to_join(ray_head: RayHead, clip: str, tmp_path: Path) -> None:
    """Ray sends no token to an address typed by hand unless told to: the message says how."""
    env = {k: v for k, v in ray_head.env.items() if k != "RAY_AUTH_MODE"}
    start = time.perf_counter()
    done = run_batch(clip, "--db", str(tmp_path / "h.db"), "--address", ray_head.address, env=env, timeout=120)
    assert done.returncode == 1 and time.perf_counter() - start < 30  # includes starting Python
    assert done.stderr.strip().splitlines() == [
        f"fitness: error: the Ray cluster at {ray_head.address} requires token authentication: set "
        "RAY_AUTH_MODE=token and give this machine the head node's token (~/.ray/auth_token, RAY_AUTH_TOKEN "
        "or RAY_AUTH_TOKEN_PATH)"
    ]
