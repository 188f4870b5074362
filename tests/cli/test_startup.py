"""Start-up of the ``fitness`` command: a command imports what it needs, not every library.

``fitness analyze`` on a short video is mostly start-up, and a batch runs it thousands of times:
TensorFlow (seconds and hundreds of MB; the LiteRT path never needs it) and the history's
SQLAlchemy (0.4 s of CPU; only ``--save``/``--csv`` need it) must stay out of its imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from fitness.cli import COMMAND_MODULES, build_parser

REPO = Path(__file__).resolve().parents[2]


def _imported_by(*argv: str) -> set[str]:
    """Top-level packages a real ``fitness ARGV`` imported (from ``python -X importtime``)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fitness.cli", *argv],
        capture_output=True, text=True, env=env, cwd=REPO, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return {name.split(".")[0] for name in lines[1:]}  # the first line is the header


def _person_free_video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (160, 120))
    for i in range(10):
        writer.write(np.full((120, 160, 3), 100 + i, np.uint8))
    writer.release()
    return path


def test_analyze_imports_neither_tensorflow_nor_the_store(tmp_path: Path) -> None:
    modules = _imported_by("analyze", str(_person_free_video(tmp_path / "wall.mp4")))
    assert "ai_edge_litert" in modules and "av" in modules  # it did run the model on the video
    assert not modules & {"tensorflow", "keras", "sqlalchemy", "ray", "streamlit"}
    # No terminal to draw a progress bar on (output captured): no tqdm either.
    assert "tqdm" not in modules


def test_analyze_with_csv_still_writes_it(tmp_path: Path) -> None:
    out = tmp_path / "reps.csv"
    modules = _imported_by("analyze", str(_person_free_video(tmp_path / "wall.mp4")), "--csv", str(out))
    assert out.is_file() and "sqlalchemy" in modules


def test_help_still_lists_every_command() -> None:
    parser = build_parser([])
    text = parser.format_help()
    for module in COMMAND_MODULES:
        assert module.rsplit(".", 1)[-1] in text
    assert "eval" in text


def test_a_command_without_a_module_of_its_name_still_parses() -> None:
    args = build_parser(["eval", "m.csv"]).parse_args(["eval", "m.csv"])
    assert args.command == "eval" and args.manifest == Path("m.csv")
