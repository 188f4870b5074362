"""Join labelled clips of different exercises into whole workouts, with their labels.

    .venv/bin/python scripts/make_workouts.py [--data ../shared/data] [--out artifacts/workouts]
                                              [--count 12] [--seed 13]

Writes ``<out>/workout_NN.mp4`` and ``<out>/workouts_manifest.csv`` (one row per set: its
clip's label over its clip's span). ``fitness eval <out>/workouts_manifest.csv`` scores the
sets found in them; see :mod:`fitness.pipeline.compose` for how they are made.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.errors import FitnessError  # noqa: E402
from fitness.pipeline.compose import compose, eligible, plan_workouts  # noqa: E402
from fitness.pipeline.evaluation import load_manifest  # noqa: E402
from fitness.pipeline.workout_eval import write_composed_manifest  # noqa: E402

log = logging.getLogger("make_workouts")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "workouts")
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    if not (args.data / "manifest.csv").is_file():
        log.error("make_workouts: no labelled footage at %s", args.data)
        return 1
    clips = load_manifest(args.data / "manifest.csv") + load_manifest(args.data / "catalogue_manifest.csv")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        made = [
            compose(plan, args.data, args.out) for plan in plan_workouts(eligible(clips), args.count, seed=args.seed)
        ]
    except FitnessError as exc:
        log.error("make_workouts: %s", exc)
        return 1
    write_composed_manifest(args.out / "workouts_manifest.csv", made)
    log.info("%d workouts, %d sets in %s", len(made), sum(len(w.sets) for w in made), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
