"""``fitness batch`` for real: a real Ray cluster with two CPUs, the real model, real footage,
SQLite and PostgreSQL. Each run is the command in a fresh process, as a person types it.

* SQLite: the command starts its own local cluster; PostgreSQL: it joins a cluster started
  with ``ray start --head`` (token authentication on), as on a real cluster.
* Every clip's reps are IDENTICAL to a plain sequential ``analyze_video`` of it; bad videos are
  recorded as failed with their reason and the others finish.
* Restart: the driver is SIGKILLed after a few videos are recorded; the same command run
  again records the rest; every video is in the store exactly once.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.batch.conftest import (
    BAD_VIDEOS,
    Footage,
    RayHead,
    batch_command,
    batch_env,
    check_recorded,
    ledger_count,
    run_batch,
    stop_group,
)
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

KILL_AFTER = 2  # videos recorded before the driver is killed


def _cluster_args(db_url: str, ray_head: RayHead | None) -> tuple[list[str], dict[str, str]]:
    """SQLite: a local cluster of two CPUs; PostgreSQL: the running head (two CPUs)."""
    if ray_head is None:
        return ["--workers", "2"], batch_env()
    return ["--address", ray_head.address], ray_head.env


@pytest.fixture()
def head_for(db_url: str, request: pytest.FixtureRequest) -> RayHead | None:
    return request.getfixturevalue("ray_head") if db_url.startswith("postgresql") else None


def test_the_batch_counts_every_clip_as_the_sequential_analysis_does(
    db_url: str, head_for: RayHead | None, footage: Footage, tmp_path: Path
) -> None:
    args, env = _cluster_args(db_url, head_for)
    clip_manifest, bad_videos, expected = footage.manifest, footage.bad, footage.expected
    summary, table = tmp_path / "summary.json", tmp_path / "summary.csv"
    done = run_batch(
        str(clip_manifest), str(bad_videos), "--db", db_url, *args, "--json", str(summary), "--csv", str(table), env=env
    )
    total = footage.total
    assert done.returncode == 1, done.stderr[-3000:]
    assert (
        done.stderr.strip().splitlines()[-1]
        == f"fitness: error: {BAD_VIDEOS} of {total} video(s) could not be analysed"
    )
    assert "Traceback" not in done.stderr and "WARNING" not in done.stderr, done.stderr[-3000:]
    ids = check_recorded(db_url, expected, failed=BAD_VIDEOS)

    doc = json.loads(summary.read_text())
    rows = {r["path"]: r for r in doc["videos"]}
    assert len(rows) == total and doc["totals"]["done"] == len(expected) and doc["totals"]["failed"] == BAD_VIDEOS
    assert doc["totals"]["workers"] == 2 and doc["cluster"]["cpus"] == 2
    assert doc["cluster"]["local"] is (head_for is None)
    for path, want in expected.items():
        row = rows[path]
        assert (row["status"], row["exercise"], row["sets"], row["reps"]) == ("done", want.exercise, 1, len(want.reps))
        assert row["session_id"] == ids[path] and row["batch"] == doc["batch"] and not row["earlier"]
    reasons = {Path(p).name: r["reason"] for p, r in rows.items() if r["status"] == "failed"}
    assert "not a video that can be decoded" in reasons["corrupt.mp4"]
    assert "truncated.mp4" in reasons["truncated.mp4"]
    assert reasons["empty_room.mp4"] == "no person found in any of the 60 frames"
    assert table.read_text().splitlines()[0].startswith("path,status,exercise,sets,reps")
    assert len(table.read_text().splitlines()) == total + 1
    for name in ("corrupt.mp4", "empty_room.mp4", Path(next(iter(expected))).name):
        assert name in done.stdout  # the summary table names every video

    # The same batch again: nothing analysed, nothing written, everything reported as earlier.
    again = run_batch(str(clip_manifest), str(bad_videos), "--db", db_url, *args, "--json", str(summary), env=env)
    assert again.returncode == 1, again.stderr[-3000:]
    doc2 = json.loads(summary.read_text())
    assert doc2["totals"]["earlier"] == total and doc2["totals"]["video_s"] == 0
    assert all(r["earlier"] and r["batch"] == doc["batch"] for r in doc2["videos"])
    assert check_recorded(db_url, expected, failed=BAD_VIDEOS) == ids


def test_a_killed_batch_run_again_records_every_video_exactly_once(
    db_url: str, head_for: RayHead | None, footage: Footage, tmp_path: Path
) -> None:
    args, env = _cluster_args(db_url, head_for)
    inputs = [str(footage.manifest), str(footage.bad), "--db", db_url, *args]
    expected, total = footage.expected, footage.total
    # Its own session, so that whatever Ray processes this driver starts can be ended with it.
    driver = subprocess.Popen(
        batch_command(*inputs),
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 900
        while ledger_count(db_url) < KILL_AFTER:
            assert driver.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, "no video recorded in 15 minutes"
            time.sleep(0.2)
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
    finally:
        stop_group(driver, grace_s=5.0)
    before = ledger_count(db_url)
    assert KILL_AFTER <= before < total, f"{before} of {total} recorded when killed: the kill came too late to matter"

    summary = tmp_path / "rerun.json"
    rerun = run_batch(*inputs, "--json", str(summary), env=env)
    assert rerun.returncode == 1, rerun.stderr[-3000:]  # the bad videos stay failed
    check_recorded(db_url, expected, failed=BAD_VIDEOS)
    doc = json.loads(summary.read_text())
    assert doc["totals"]["earlier"] == before
    assert doc["totals"]["done"] + doc["totals"]["failed"] == total
    assert sum(not r["earlier"] for r in doc["videos"]) == total - before
