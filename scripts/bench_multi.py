"""Group-mode timings (1, 2 and 4 people on 720p, and the one-person look-out's cost) until
``fitness bench`` runs them itself: prints the table, writes artifacts/bench_multi.json.

usage: .venv/bin/python scripts/bench_multi.py [DATA_DIR]   (default ../shared/data)
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from fitness.bench.multi import format_multi, run_multi_bench

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = Path(argv[0]) if argv else REPO.parent / "shared" / "data"
    artifacts = REPO / "artifacts"
    bench = run_multi_bench(data, artifacts / "bench_multi")
    sys.stdout.write(format_multi(bench))
    (artifacts / "bench_multi.json").write_text(json.dumps(bench.to_dict(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
