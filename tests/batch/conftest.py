"""What the real batch tests share: the clips, their counts from a plain sequential analysis,
bad videos, a running Ray head, and the ``fitness batch`` command run as a person runs it.

``FITNESS_BATCH_CLIPS=all`` runs the batch tests over every video of ``../shared/data/manifest.csv``
(its 20 labelled clips and the MoveNet fixture; ``make batch-eval``); by default five short clips
keep the suite to a few minutes.
"""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from fitness.batch.cluster import ClusterError, probe_gcs
from fitness.batch.inputs import discover
from fitness.engine.values import Rep
from fitness.store import SessionStore, to_url
from tests.conftest import REPO, shared_data

CLIPS_ENV = "FITNESS_BATCH_CLIPS"
SHORT_CLIPS = (
    "videos/squat/squat_front_tfjs_mediapipe.mp4",
    "videos/pushup/pushup_front_overlay_yuvvan.mp4",
    "videos/squat/squat_side_barbell_formfit.mp4",
    "videos/curl/curl_closeup_kamran.mp4",
    "videos/squat/squat_side_diya.mp4",
)
BAD_VIDEOS = 3  # corrupt bytes, a truncated file, a video without a person
RAY_START_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Expected:
    exercise: str
    reps: tuple[Rep, ...]


@pytest.fixture(scope="session")
def clip_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manifest a batch test runs: the real one, or five of its rows (paths made absolute)."""
    data = shared_data()
    if os.environ.get(CLIPS_ENV) == "all":
        return data / "manifest.csv"
    out = tmp_path_factory.mktemp("clips") / "short.csv"
    with (data / "manifest.csv").open(newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    with out.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "exercise", "reps"])
        for name in SHORT_CLIPS:
            writer.writerow([str(data / name), rows[name]["exercise"], rows[name]["reps"]])
    return out


@pytest.fixture(scope="session")
def expected(clip_manifest: Path) -> dict[str, Expected]:
    """Each clip through ``analyze_video`` one after another, as ``fitness analyze`` does it
    (its default of two inference threads, its default pose rate): what the batch must
    reproduce exactly."""
    from fitness.pipeline.stream import AUTO
    from fitness.pipeline.video_analysis import POSE_FPS, analyze_video
    from fitness.pose.estimator import load_estimator

    estimator = load_estimator("lightning")
    found: dict[str, Expected] = {}
    for video in discover([clip_manifest]):
        result = analyze_video(video.path, video.exercise or AUTO, estimator=estimator, pose_fps=POSE_FPS)
        found[str(video.path)] = Expected(result.exercise, result.reps)
    return found


@pytest.fixture(scope="session")
def bad_videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of videos no one can count: random bytes, the first 300 kB of a real clip, and
    two seconds of an empty room (a valid H.264 video with no person in it)."""
    import av

    folder = tmp_path_factory.mktemp("bad")
    rng = np.random.default_rng(15)
    (folder / "corrupt.mp4").write_bytes(rng.integers(0, 256, 60_000, dtype=np.uint8).tobytes())
    clip = shared_data() / "videos/curl/curl_side_formfit.mp4"
    (folder / "truncated.mp4").write_bytes(clip.read_bytes()[:300_000])
    with av.open(str(folder / "empty_room.mp4"), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(60):
            frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 40 + i, np.uint8), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return folder


@dataclass(frozen=True)
class Footage:
    """The clips (a manifest), the bad videos (a folder) and what the clips must count to."""

    manifest: Path
    bad: Path
    expected: dict[str, Expected]

    @property
    def total(self) -> int:
        return len(self.expected) + BAD_VIDEOS


@pytest.fixture(scope="session")
def footage(clip_manifest: Path, bad_videos: Path, expected: dict[str, Expected]) -> Footage:
    return Footage(clip_manifest, bad_videos, expected)


def batch_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3", **extra}
    for name in ("RAY_ADDRESS", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        if name not in extra:
            env.pop(name, None)
    return env


def batch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "fitness.cli", "batch", *args]


def run_batch(*args: str, env: dict[str, str] | None = None, timeout: float = 1500) -> subprocess.CompletedProcess[str]:
    """``fitness batch ARGS`` in a fresh process, as a person types it."""
    return subprocess.run(
        batch_command(*args),
        env=env or batch_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ledger_count(url: str) -> int:
    """Rows in the batch ledger, read with a bare engine (0 before the batch created it)."""
    engine = sa.create_engine(to_url(url))
    try:
        with engine.connect() as conn:
            if "batch_videos" not in sa.inspect(conn).get_table_names():
                return 0
            return int(conn.exec_driver_sql("SELECT count(*) FROM batch_videos").scalar_one())
    finally:
        engine.dispose()


def check_recorded(url: str, expected: dict[str, Expected], failed: int) -> dict[str, int]:
    """Every clip once, with reps identical to the sequential analysis; ``failed`` failures.
    Returns each clip's session id."""
    with SessionStore.open(url) as store:
        entries = store.ledger_entries()
        assert len(entries) == len(expected) + failed
        assert len({e.sha256 for e in entries}) == len(entries)
        done = {e.source_path: e for e in entries if e.status == "done"}
        assert sorted(done) == sorted(expected)
        sessions = store.list_sessions()
        assert len(sessions) == len(expected)  # no session without its ledger row, none twice
        assert sum(s.rep_count for s in sessions) == sum(len(x.reps) for x in expected.values())
        ids: dict[str, int] = {}
        for path, want in expected.items():
            entry = done[path]
            assert entry.session_id is not None
            detail = store.get_session(entry.session_id)
            assert detail.summary.exercise == want.exercise, path
            assert detail.reps == want.reps, path
            assert detail.summary.extra["source_path"] == path and detail.summary.extra["batch"] == entry.batch
            assert detail.summary.video_name == Path(path).name and detail.summary.source == "video"
            ids[path] = entry.session_id
        return ids


@dataclass(frozen=True)
class RayHead:
    address: str
    env: dict[str, str]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def ray_head() -> Iterator[RayHead]:
    """A real two-CPU Ray cluster started as the README says (``ray start --head``), with token
    authentication and its own temp folder; stopped (its own process group) afterwards."""
    # Ray puts socket paths under its temp folder; they must stay under 108 characters.
    tmp = Path(tempfile.mkdtemp(prefix="rh", dir="/tmp"))
    token = tmp / "token"
    token.write_text(secrets.token_hex(32))
    env = batch_env(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(token))
    address = f"127.0.0.1:{free_port()}"
    ray = Path(sys.executable).with_name("ray")
    cmd = [str(ray), "start", "--head", "--block", f"--port={address.rsplit(':', 1)[1]}", "--num-cpus=2"]
    cmd += ["--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={tmp}"]
    log = (tmp / "head.log").open("w")
    head = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + RAY_START_TIMEOUT_S
        while True:
            try:
                probe_gcs(address, timeout_s=2.0)
                break
            except ClusterError:
                if head.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"ray start --head did not come up: {(tmp / 'head.log').read_text()[-2000:]}")
                time.sleep(1.0)
        yield RayHead(address, env)
    finally:
        stop_group(head, grace_s=5.0)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def stop_group(process: subprocess.Popen[str] | subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    """End ``process`` and everything it started in its own session (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
