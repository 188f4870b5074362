"""Compose the two-person evaluation pairs from labelled clips (idempotent; cached by content).

usage: .venv/bin/python scripts/make_pairs.py [MANIFEST] [OUT_DIR]
       (defaults: ../shared/data/manifest.csv, artifacts/pairs)
Prints one line per pair: the composed file, then each side's clip, exercise and label.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from fitness.pipeline.evaluation import load_manifest
from fitness.pipeline.pairs import compose_pair, compose_tool, plan_pairs

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    manifest = Path(argv[0]) if argv else REPO.parent / "shared" / "data" / "manifest.csv"
    out_dir = Path(argv[1]) if len(argv) > 1 else REPO / "artifacts" / "pairs"
    tool = compose_tool(REPO.parent / "shared")
    for pair in plan_pairs(load_manifest(manifest)):
        path = compose_pair(pair, out_dir, tool)
        sides = "  |  ".join(f"{c.name} {c.exercise} {c.lo}-{c.hi}" for c in pair.sides)
        logging.info("%s  <-  %s", path, sides)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
