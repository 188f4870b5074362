"""Replay the pair sweep with other group settings, MultiPose's detections cached per clip
(artifacts/multipose, made on first use) so a tracker or crop change reruns only what it touches.

usage: .venv/bin/python scripts/tune_group.py [--stride N] [--detect-every N] [--multipose-only] [NAME ...]
  NAME: only pairs whose file name contains it. Prints the eval-pairs table.
Settings are the library's unless given; what this prints is how the README's comparisons were made.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from fitness.pipeline.evaluation import load_manifest
from fitness.pipeline.group import GroupAnalyzer
from fitness.pipeline.multipose_cache import detections
from fitness.pipeline.pair_eval import format_pair_row, format_pair_table, score_pair, seam, summarize_pairs
from fitness.pipeline.pairs import compose_pair, compose_tool, plan_pairs
from fitness.pipeline.stream import VideoInfo
from fitness.pipeline.video_io import open_video
from fitness.pose.estimator import EstimatorOptions, MultiPoseEstimator, PoseEstimator, load_estimator
from fitness.pose.tracking import PeopleEstimator, PeopleOptions
from fitness.pose.types import Pose

REPO = Path(__file__).resolve().parents[1]
CACHE_SCORE = 0.1  # cache everything MultiPose reports down to here; the settings filter later


class CachedPeople(PeopleEstimator):
    """A :class:`PeopleEstimator` whose MultiPose answers come from the cache, frame by frame."""

    def __init__(self, frames: list[list[Pose]], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.frames = frames
        self.index = 0

    def detect(self, frame: np.ndarray) -> list[Pose]:
        poses = [p for p in self.frames[self.index] if p.score >= self.options.min_pose_score]
        self.last_detections = poses
        return poses


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stride", type=int, default=2)
    parser.add_argument("--detect-every", type=int, default=PeopleOptions().detect_every)
    parser.add_argument("--multipose-only", action="store_true", help="MultiPose keypoints, no Lightning crops")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = REPO.parent / "shared"
    multi = load_estimator("multipose", options=EstimatorOptions(min_pose_score=CACHE_SCORE))
    single = load_estimator("lightning")
    assert isinstance(multi, MultiPoseEstimator) and isinstance(single, PoseEstimator)
    refine = not args.multipose_only
    base = PeopleOptions(max_people=2, refine=refine, detect_every=args.detect_every if refine else 1)
    if not refine:
        base = replace(base, min_pose_score=0.25)
    rows = []
    tool = compose_tool(shared)
    for pair in plan_pairs(load_manifest(shared / "data" / "manifest.csv")):
        video = compose_pair(pair, REPO / "artifacts" / "pairs", tool)
        if args.names and not any(n in video.name for n in args.names):
            continue
        _, frames = detections(video, multi, REPO / "artifacts" / "multipose")
        with open_video(video) as v:
            options = replace(base, tracker=replace(base.tracker, rate_hz=v.fps / args.stride))
            est = CachedPeople(frames, multi, single if refine else None, options)
            group = GroupAnalyzer("auto", width=v.width)
            started = time.perf_counter()
            for i, frame in enumerate(v):
                if i % args.stride == 0:
                    est.index = i
                    group.update(est.estimate(frame.rgb, frame.t_ms), frame.t_ms)
            result = group.result(VideoInfo(str(video), v.width, v.height, v.fps, len(frames), 0), 2)
        row = score_pair(pair, result, seam(pair), time.perf_counter() - started)
        rows.append(row)
        sys.stdout.write(format_pair_row(row) + "\n")
    sys.stdout.write(format_pair_table(rows, summarize_pairs(rows), header=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
