"""Write a made-up two-year training history into a database, for demos and for timing History.

    .venv/bin/python scripts/make_demo_history.py /tmp/demo.db [--days 730] [--seed 7]
    .venv/bin/python scripts/make_demo_history.py postgresql://coach@db/fitness_demo

Three people training about once a day: ~700 sessions and ~20,000 reps for 730 days, with
cues and some angle traces (see :mod:`fitness.store.demo`). A history that already holds
sessions is refused, so a real one is never mixed with made-up data.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.errors import FitnessError  # noqa: E402
from fitness.store import SessionStore  # noqa: E402
from fitness.store.demo import write_demo  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("db", help="database file or SQLAlchemy URL (created if missing)")
    parser.add_argument("--days", type=int, default=730, help="days of training (default 730: two years)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (the same seed, the same history)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("fitness.store.demo").setLevel(logging.INFO)
    try:
        with SessionStore.open(args.db) as store:
            if store.list_sessions(limit=1):
                raise FitnessError(f"{store.location} already holds sessions; give an empty database")
            began = time.perf_counter()
            sessions, reps = write_demo(store, args.days, seed=args.seed)
            took = time.perf_counter() - began
            sys.stdout.write(f"wrote {sessions} sessions, {reps} reps to {store.location} in {took:.1f}s\n")
    except FitnessError as exc:
        sys.stderr.write(f"make_demo_history: error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
