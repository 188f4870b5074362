"""What the machine is and how busy it was: ``/proc`` readers for memory and CPU, load average.

The machine is shared, so every timing is reported with how much CPU others took meanwhile.
Where ``/proc`` is missing (not Linux) the readers answer None rather than fail the benchmark.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The libraries whose versions decide the speed, recorded with every run.
TIMED_DISTRIBUTIONS = ("numpy", "opencv-python-headless", "ai-edge-litert", "tensorflow", "av")
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "hypervisor")


def parse_status_kb(text: str, key: str) -> int | None:
    """The ``kB`` value of ``key`` in a ``/proc/<pid>/status`` text, or None."""
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name == key:
            parts = rest.split()
            if parts and parts[0].isdigit():
                return int(parts[0])
    return None


def rss_mb(status_path: Path = Path("/proc/self/status")) -> float | None:
    """Resident set size of this process in MB (``VmRSS``), or None where /proc is missing."""
    try:
        kb = parse_status_kb(status_path.read_text(), "VmRSS")
    except OSError:
        return None
    return None if kb is None else kb / 1024.0


@dataclass(frozen=True, slots=True)
class CpuSample:
    """Machine-wide busy/total jiffies (``/proc/stat``) and this process's CPU seconds."""

    wall: float
    busy: int
    total: int
    own_cpu_s: float

    @classmethod
    def take(cls, stat_path: Path = Path("/proc/stat")) -> CpuSample:
        busy = total = 0
        try:
            first = stat_path.read_text().splitlines()[0].split()
            if first[0] == "cpu":
                vals = [int(v) for v in first[1:]]
                total = sum(vals[:8])  # user nice system idle iowait irq softirq steal
                busy = total - vals[3] - (vals[4] if len(vals) > 4 else 0)
        except (OSError, IndexError, ValueError):
            pass
        t = os.times()
        return cls(time.perf_counter(), busy, total, t.user + t.system)


@dataclass(frozen=True, slots=True)
class CpuUsage:
    """How busy the machine was over an interval, in percent of all its cores."""

    machine_pct: float | None
    self_pct: float
    others_pct: float | None
    self_cpu_s: float

    @classmethod
    def between(cls, a: CpuSample, b: CpuSample, cores: int | None = None) -> CpuUsage:
        cores = cores or os.cpu_count() or 1
        wall = max(b.wall - a.wall, 1e-9)
        own = max(b.own_cpu_s - a.own_cpu_s, 0.0)
        self_pct = 100.0 * own / (wall * cores)
        if b.total <= a.total:
            return cls(None, self_pct, None, own)
        machine = 100.0 * (b.busy - a.busy) / (b.total - a.total)
        return cls(machine, self_pct, max(0.0, machine - self_pct), own)

    def to_dict(self) -> dict[str, float | None]:
        return {
            "machine_busy_pct": round1(self.machine_pct),
            "self_pct": round1(self.self_pct),
            "others_pct": round1(self.others_pct),
        }


class CpuMeter:
    """Adds up :class:`CpuUsage` over many separate intervals (one lane's chunks)."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.busy = 0
        self.total = 0
        self.own = 0.0

    def add(self, a: CpuSample, b: CpuSample) -> None:
        self.wall += b.wall - a.wall
        self.busy += b.busy - a.busy
        self.total += b.total - a.total
        self.own += b.own_cpu_s - a.own_cpu_s

    def usage(self, cores: int | None = None) -> CpuUsage:
        a = CpuSample(0.0, 0, 0, 0.0)
        return CpuUsage.between(a, CpuSample(self.wall, self.busy, self.total, self.own), cores)


def round1(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def loadavg() -> tuple[float, float, float] | None:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return None
    return round(one, 2), round(five, 2), round(fifteen, 2)


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and the versions of the libraries that do the work."""
    cpu = platform.processor() or platform.machine()
    flags: list[str] = []
    family: dict[str, str] = {}
    mem_mb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                cpu = value.strip()
            elif key.strip() in ("cpu family", "model", "stepping") and key.strip() not in family:
                family[key.strip()] = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = [f for f in CPU_FLAGS if f in value.split()]
        kb = parse_status_kb(Path("/proc/meminfo").read_text(), "MemTotal")
        mem_mb = None if kb is None else round(kb / 1024)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return {
        "cpu": cpu,
        "cpu_id": family,
        "cpu_flags": flags,
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_mb": mem_mb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in TIMED_DISTRIBUTIONS},
        "loadavg_start": loadavg(),
    }
