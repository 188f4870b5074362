"""Two-person test footage made from two labelled one-person clips, side by side.

``../shared/tools/compose_side_by_side.sh LEFT RIGHT OUT`` stacks two clips at 480 px height
and 30 fps, the shorter one holding its last frame, so each side keeps its own label. Which clips
are paired is decided by a fixed rule (:func:`plan_pairs`), never by how well a pair counts:
clips are dealt round-robin across exercises and consecutive ones paired, so most pairs mix
two exercises and two camera views, and every clip is used once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from fitness.errors import FitnessError
from fitness.pipeline.evaluation import LabelledClip

log = logging.getLogger(__name__)

COMPOSE_TOOL = "compose_side_by_side.sh"


@dataclass(frozen=True, slots=True)
class ClipPair:
    """Two labelled clips: ``left`` is the person on the left of the composed frame."""

    left: LabelledClip
    right: LabelledClip

    @property
    def name(self) -> str:
        return f"{self.left.path.stem}__{self.right.path.stem}"

    @property
    def sides(self) -> tuple[LabelledClip, LabelledClip]:
        return self.left, self.right


def plan_pairs(clips: Sequence[LabelledClip]) -> list[ClipPair]:
    """Deal the clips round-robin over exercises (each exercise's clips by name), pair neighbours.

    The order alternates exercises, so neighbours differ in exercise whenever more than one
    remains; an odd clip out is left unpaired.
    """
    by_exercise: dict[str, list[LabelledClip]] = {}
    for clip in sorted(clips, key=lambda c: (c.exercise, c.name)):
        by_exercise.setdefault(clip.exercise, []).append(clip)
    dealt = [c for row in zip_longest(*by_exercise.values()) for c in row if c is not None]
    return [ClipPair(dealt[i], dealt[i + 1]) for i in range(0, len(dealt) - 1, 2)]


def compose_tool(shared: Path) -> Path:
    """The compose script under ``shared/tools`` (``shared`` is ``../shared``)."""
    tool = shared / "tools" / COMPOSE_TOOL
    if not tool.is_file():
        raise FitnessError(f"the compose tool {tool} is missing")
    return tool


def _key(pair: ClipPair, tool: Path) -> str:
    """Content key: the two clips' sizes and times, and the tool's text (a changed tool remakes)."""
    h = hashlib.sha256(tool.read_bytes())
    for clip in pair.sides:
        st = clip.path.stat()
        h.update(f"{clip.path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:12]


def compose_pair(pair: ClipPair, out_dir: Path, tool: Path) -> Path:
    """The composed video for ``pair`` in ``out_dir``, made once and reused while its inputs stand."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{pair.name}.{_key(pair, tool)}.mp4"
    if out.is_file() and out.stat().st_size > 0:
        return out
    # A name of this process's own: two runs composing one pair at once do not trip on each other.
    partial = out.with_name(f"{out.stem}.{os.getpid()}.part.mp4")
    cmd = ["bash", str(tool), str(pair.left.path), str(pair.right.path), str(partial)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise FitnessError(f"composing {pair.name} failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    partial.replace(out)
    return out
