"""CPU seconds of a whole process tree: this process and everything it started, grandchildren
included, as long as they ran.

A local Ray cluster is a tree under the driver (GCS, raylet, agents, the workers under the
raylet) whose processes are not reaped by the driver, so ``os.times()`` never sees their CPU.
:class:`TreeCpuMeter` reads ``/proc/<pid>/stat`` of every descendant a few times a second and
keeps each one's last cumulative reading: the sum is the tree's CPU time, missing at most the
last fraction of a second of a process that ended between two readings. On a shared machine
this is the measure of a run's cost that other programs' load moves least.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Final

PROC: Final = Path("/proc")
TICKS: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parse_stat(text: str) -> tuple[int, float]:
    """(parent pid, CPU seconds) from a ``/proc/<pid>/stat`` line. The command name (field 2)
    may hold spaces and parentheses, so fields are counted from the last ')'."""
    rest = text.rsplit(")", 1)[1].split()
    # rest[0] is the state (field 3): ppid is field 4, utime 14, stime 15.
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / TICKS


def _read_all(proc: Path) -> dict[int, tuple[int, float]]:
    found: dict[int, tuple[int, float]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            found[int(entry.name)] = parse_stat((entry / "stat").read_text())
        except (OSError, IndexError, ValueError):
            continue  # ended while being read
    return found


def tree_cpu(root: int, proc: Path = PROC) -> dict[int, float]:
    """CPU seconds so far of ``root`` and each of its living descendants, by pid."""
    table = _read_all(proc)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen: dict[int, float] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in table and pid not in seen:
            seen[pid] = table[pid][1]
            stack.extend(children.get(pid, ()))
    return seen


class TreeCpuMeter:
    """``with TreeCpuMeter() as m: ...`` then ``m.cpu_s``: CPU seconds the tree under this
    process spent inside the block (None where there is no ``/proc``)."""

    def __init__(self, interval_s: float = 0.25, root: int | None = None) -> None:
        self._interval = interval_s
        self._root = root if root is not None else os.getpid()
        self._start: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="tree-cpu", daemon=True)
        self._lock = threading.Lock()
        self.available = PROC.is_dir()

    def _sample(self) -> None:
        reading = tree_cpu(self._root)
        with self._lock:
            self._last.update(reading)

    def _watch(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self) -> TreeCpuMeter:
        if self.available:
            self._start = tree_cpu(self._root)
            self._last = dict(self._start)
            self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.available:
            self._stop.set()
            self._thread.join()
            self._sample()

    @property
    def cpu_s(self) -> float | None:
        if not self.available:
            return None
        with self._lock:
            return sum(v - self._start.get(pid, 0.0) for pid, v in self._last.items())
