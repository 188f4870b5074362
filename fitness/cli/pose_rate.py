"""``--pose-fps`` and ``--every-frame``: how many frames a second the model reads, for the commands
that analyse videos (``analyze``, ``eval``, ``batch``)."""

from __future__ import annotations

import argparse

from fitness.pipeline.video_analysis import POSE_FPS


def _pose_rate(text: str) -> float | None:
    """``--pose-fps``: a positive rate, or 0 for every frame (None)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected 0 (every frame) or a positive frame rate, got {text!r}")
    return value or None


def add_pose_rate_args(parser: argparse.ArgumentParser) -> None:
    """``--pose-fps N`` (default :data:`~fitness.pipeline.video_analysis.POSE_FPS`) and ``--every-frame``,
    both into ``args.pose_fps`` (None: every frame)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--pose-fps",
        type=_pose_rate,
        default=POSE_FPS,
        metavar="N",
        help=(
            f"run the model on only enough frames to keep N a second (default {POSE_FPS:g}: every other frame "
            "of a 30 fps video, every frame of a 25 fps one; 0: every frame). Counts on the labelled clips "
            "are the same as at every frame; in long multi-set workouts a few more sets are miscounted, "
            "a rep's start and bottom can move by a frame or more, and a fault seen on only one or two "
            "frames can go unseen"
        ),
    )
    group.add_argument(
        "--every-frame",
        dest="pose_fps",
        action="store_const",
        const=None,
        help="run the model on every frame (the same as --pose-fps 0; about twice the work on 30 fps video; "
        "the most exact for whole workouts and one-frame faults)",
    )
