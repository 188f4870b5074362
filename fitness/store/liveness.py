"""Is the process that started a session still recording it? Sessions left ``in_progress``
by a process that died are marked interrupted; those of live processes (another tab, the CLI,
another station on a shared PostgreSQL) are left alone."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

# Sessions owned by another host cannot be checked by pid: they count as abandoned only when
# nothing (no rep, no heartbeat) has been written for this long.
STALE_AFTER: Final = timedelta(hours=2)
# /proc/<pid>/stat field 22 (starttime, clock ticks since boot), counted from the field after
# the command name, which is field 3.
STAT_START_TIME: Final = 22 - 3


@dataclass(frozen=True, slots=True)
class Owner:
    """The process recording a session. ``tag`` (boot id + process start time) tells a live
    owner from an unrelated process that later got the same pid."""

    host: str
    pid: int
    tag: str


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
        return f"{_boot_id()}:{fields[STAT_START_TIME]}" if len(fields) > STAT_START_TIME else ""
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
