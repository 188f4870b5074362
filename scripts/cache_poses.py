"""Estimate every labelled clip once and keep its poses in ``artifacts/poses/<stem>.npz``.

    .venv/bin/python scripts/cache_poses.py [--data ../shared/data] [--force] [--only NAME] [--pose-fps N]

Tuning specs, the counter and recognition then replays these poses (seconds, not minutes).
A cached track is kept while its video is unchanged; ``--force`` re-estimates (after a change
to the video reader or the estimator). ``--pose-fps 15`` caches the poses the CLI's default rate
gives (the model run on only enough frames to keep 15 a second; keep them in their own ``--out``).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.errors import FitnessError  # noqa: E402
from fitness.pipeline.pose_track import estimate_track  # noqa: E402
from fitness.pose.estimator import load_estimator  # noqa: E402

log = logging.getLogger("cache_poses")
MANIFESTS = ("manifest.csv", "catalogue_manifest.csv", "scenes_manifest.csv", "workouts_manifest.csv")


def clip_paths(data: Path) -> list[Path]:
    paths: list[Path] = []
    for name in MANIFESTS:
        manifest = data / name
        if not manifest.is_file():
            continue
        with manifest.open(newline="") as fh:
            for row in csv.DictReader(fh):
                path = data / row["file"]
                if path.suffix.lower() in {".mp4", ".avi", ".mov", ".webm", ".mkv"} and path.is_file():
                    paths.append(path)
    return paths


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "poses")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--pose-fps", type=float, default=0.0, help="model rate (0: every frame)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    estimator = load_estimator("lightning")
    for path in clip_paths(args.data):
        if args.only not in path.name:
            continue
        target = args.out / f"{path.stem}.npz"
        if target.is_file() and not args.force and target.stat().st_mtime >= path.stat().st_mtime:
            continue
        started = time.perf_counter()
        try:
            track = estimate_track(path, estimator, pose_fps=args.pose_fps or None)
        except FitnessError as exc:
            log.warning("%s: skipped (%s)", path.name, exc)
            continue
        track.save(target)
        log.info("%s: %d frames in %.1f s", path.name, len(track), time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
