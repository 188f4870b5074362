"""Counting the CPU of a process tree (a local Ray cluster is one) from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fitness.bench.proctree import TICKS, TreeCpuMeter, parse_stat, tree_cpu

BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def test_stat_fields_are_counted_after_the_command_name() -> None:
    line = f"4242 (ray::Worker (x) 1) S 17 4242 4242 0 -1 4194560 1 0 0 0 {3 * TICKS} {TICKS} 0 0 20 0 1"
    assert parse_stat(line) == (17, 4.0)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_cpu_of_grandchildren_is_counted() -> None:
    """A child that starts a grandchild which burns 1 s of CPU: about 1 s is counted, though
    neither is ever waited for by this process while the meter runs."""
    inner = BURN.format(s=1.0)
    outer = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {inner!r}], check=True)\n"
    with TreeCpuMeter(interval_s=0.05) as meter:
        child = subprocess.Popen([sys.executable, "-c", outer])
        assert child.pid in tree_cpu(os.getpid())
        child.wait(timeout=120)
    assert meter.cpu_s is not None
    # The grandchild's second is there, less what its last reading missed; the two Python
    # start-ups add a little.
    assert 0.8 <= meter.cpu_s <= 4.0, meter.cpu_s
