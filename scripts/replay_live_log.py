"""Replay a live set from the app's DEBUG log through the counter, frame by frame.

    FITNESS_LOG_LEVEL=DEBUG make app            # then do the set that miscounted
    .venv/bin/python scripts/replay_live_log.py streamlit.log --exercise squat [--from 9000 --to 11000]

The app logs what the counter saw on every processed webcam frame (``frame <t> ms: view signal
e=... angle=... phase=... reps=... pose=[17 x [x, y, score]]``). This feeds those poses to a
fresh counter, prints the live and the replayed state side by side for the frames in
``--from``/``--to`` (ms), and lists the replayed reps: a live miscount becomes a case to debug
and to put in a test, without the browser.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.pipeline.stream import StreamAnalyzer  # noqa: E402
from fitness.pose.types import Pose  # noqa: E402

log = logging.getLogger("replay")
FRAME_RE = re.compile(r"frame (\d+) ms: (.*?) pose=(.*)$")


def read_streams(path: Path) -> list[list[tuple[int, str, Pose | None]]]:
    """Every stream in the log (a stream's clock starts again at 0), as (t_ms, live state, pose)."""
    streams: list[list[tuple[int, str, Pose | None]]] = []
    for line in path.read_text(errors="replace").splitlines():
        found = FRAME_RE.search(line)
        if not found:
            continue
        t = int(found[1])
        points = None if found[3] == "None" else json.loads(found[3])  # None: nobody found on that frame
        pose = None if points is None else Pose(np.array(points), float(np.mean([p[2] for p in points])))
        if not streams or t < streams[-1][-1][0]:
            streams.append([])
        streams[-1].append((t, found[2], pose))
    return streams


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="the app's log, written with FITNESS_LOG_LEVEL=DEBUG")
    parser.add_argument("--exercise", default="squat", help="what the set was counted as (default: squat)")
    parser.add_argument("--stream", type=int, default=1, help="which stream in the log, from 1 (default: 1)")
    parser.add_argument("--from", dest="start", type=float, default=0.0, help="first ms to print")
    parser.add_argument("--to", dest="end", type=float, default=-1.0, help="last ms to print (default: none)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    streams = read_streams(args.log)
    if not 1 <= args.stream <= len(streams):
        log.error("%s has %d live stream(s) with DEBUG frame lines; no stream %d", args.log, len(streams), args.stream)
        return 2
    analyzer = StreamAnalyzer(args.exercise, keep_frames=False)
    for t, live, pose in streams[args.stream - 1]:
        result = analyzer.update(pose, float(t))
        if args.start <= t <= args.end:
            extension = None if result.extension is None else round(result.extension, 3)
            angle = None if result.angle is None else round(result.angle, 1)
            log.info(
                "%6d ms  live: %s | replay: %s %s e=%s angle=%s phase=%s reps=%d",
                t, live, result.view, result.signal, extension, angle, result.phase.value, result.reps,
            )  # fmt: skip
    counter = analyzer.counter
    reps = [] if counter is None else counter.reps
    log.info("replayed %d reps:", len(reps))
    for rep in reps:
        log.info(
            "  rep %d: %.2f-%.2f s, %.0f-%.0f deg, %s %s",
            rep.index, rep.start_ms / 1000, rep.end_ms / 1000, rep.min_angle, rep.max_angle, rep.verdict,
            "; ".join(rep.cues),
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
