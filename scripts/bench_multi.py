"""Group-mode timings (1, 2 and 4 people on 720p, and the one-person look-out's cost) until
``fitness bench`` runs them itself: prints the table, writes artifacts/bench_multi.json.

usage: .venv/bin/python scripts/bench_multi.py [--people 1 2 4] [--no-probe] [DATA_DIR]   (default ../shared/data)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from fitness.bench.multi import PEOPLE_COUNTS, format_multi, run_multi_bench

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=list(PEOPLE_COUNTS))
    parser.add_argument("--no-probe", action="store_true")
    parser.add_argument("data", type=Path, nargs="?", default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    artifacts = REPO / "artifacts"
    bench = run_multi_bench(args.data, artifacts / "bench_multi", args.people, probe=not args.no_probe)
    sys.stdout.write(format_multi(bench))
    (artifacts / "bench_multi.json").write_text(json.dumps(bench.to_dict(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
