"""Upload folders never outlive their use: removed on request, with their session, when
collected, at process exit, and (after a kill) by the start-up sweep. All on the real file
system, the exit case in a real child process."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fitness.app.uploads import PREFIX, SessionUploads, UploadFolder, sweep_stale

REPO = Path(__file__).resolve().parents[2]
TWO_DAYS_S = 2 * 24 * 3600


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_a_folder_goes_when_removed_or_collected(tmp_path: Path) -> None:
    folder = UploadFolder(tmp_path)
    assert folder.path.parent == tmp_path and folder.path.name.startswith(PREFIX)
    (folder.path / "annotated.mp4").write_bytes(b"\0" * 1024)
    folder.remove()
    folder.remove()  # once is enough; twice is harmless
    assert folder.removed and not folder.path.exists()

    dropped = UploadFolder(tmp_path)
    path = dropped.path
    (path / "annotated.mp4").write_bytes(b"\0" * 1024)
    del dropped
    gc.collect()
    assert not path.exists()


def test_a_session_takes_its_folders_with_it(tmp_path: Path) -> None:
    mine = SessionUploads(tmp_path)
    first, second = mine.new(), mine.new()
    (first.path / "annotated.mp4").write_bytes(b"x")
    theirs = SessionUploads(tmp_path).new()  # another browser session's stays
    second.remove()  # already gone (a newer analysis replaced it): not counted again
    assert mine.remove_all() == 1
    assert first.removed and not first.path.exists()
    assert theirs.path.is_dir()
    mine.release()  # nothing left: a second release is harmless
    assert sorted(tmp_path.iterdir()) == [theirs.path]


CHILD = """
import os, sys
from pathlib import Path
from fitness.app.uploads import SessionUploads, UploadFolder
root = Path(sys.argv[1])
kept = [UploadFolder(root), SessionUploads(root).new()]  # alive until the process ends
for folder in kept:
    (folder.path / "annotated.mp4").write_bytes(b"x" * 4096)
print(" ".join(str(f.path) for f in kept), flush=True)
sys.stdin.readline()  # then a normal exit, unless killed first
"""


def _child(root: Path) -> tuple[subprocess.Popen[str], list[Path]]:
    """A process holding two upload folders (one of its own, one of a session), waiting."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    paths = [Path(p) for p in proc.stdout.readline().split()]
    assert len(paths) == 2 and all(p.is_dir() for p in paths)
    return proc, paths


def test_folders_still_in_use_at_exit_are_removed(tmp_path: Path) -> None:
    proc, paths = _child(tmp_path)
    proc.communicate("go\n", timeout=60)
    assert proc.returncode == 0
    assert not any(p.exists() for p in paths)
    assert list(tmp_path.iterdir()) == []


def test_after_a_kill_the_start_up_sweep_removes_what_is_a_day_old(tmp_path: Path) -> None:
    proc, (old, recent) = _child(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert old.is_dir() and recent.is_dir()  # no code runs after SIGKILL: that is the sweep's job
    _age(old, TWO_DAYS_S)
    # Look-alikes the sweep must leave: a file with the prefix, a link to a folder, a folder of
    # another name, all as old.
    decoy_file = tmp_path / f"{PREFIX}file"
    decoy_file.write_text("x")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    link = tmp_path / f"{PREFIX}link"
    link.symlink_to(target, target_is_directory=True)
    for path in (decoy_file, target, link):
        _age(path, TWO_DAYS_S)
    assert sweep_stale(tmp_path) == [old]
    assert not old.exists() and recent.is_dir()
    assert decoy_file.is_file() and link.is_symlink() and (target / "keep.txt").is_file()
    assert sweep_stale(tmp_path / "missing") == []
