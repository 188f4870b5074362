"""``fitness`` command line: one entry point, one subcommand module per job.

Every failure a person can cause (missing file, bad flag, no model, unwritable path) ends as a
single ``fitness: error: ...`` line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from fitness.errors import FitnessError

log = logging.getLogger("fitness")

# Subcommand modules, each exposing ``register(subparsers)``. Adding a job is one module here.
COMMAND_MODULES = (
    "fitness.cli.pose",
    "fitness.cli.analyze",
    "fitness.cli.group",
    "fitness.cli.models",
    "fitness.cli.history",
    "fitness.cli.bench",
    "fitness.cli.batch",
)

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump: the hint says where the full usage is.
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(EXIT_USAGE)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line, or, when ``argv`` names a command that has a module of its own
    name (``analyze`` -> ``fitness.cli.analyze``), only that command: start-up then imports
    what the command needs and not every other command's libraries (the history's SQLAlchemy
    alone costs 0.4 s of CPU, an eighth of a second-long video's analysis)."""
    parser = _Parser(prog="fitness", description="Webcam fitness coach: pose, reps, form and history.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in _modules_for(argv):
        # A command module that fails to import is a bug to see, never a command that vanishes.
        importlib.import_module(name).register(sub)
    return parser


def _modules_for(argv: Sequence[str] | None) -> tuple[str, ...]:
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    own = f"{__name__}.{words[0]}" if words else ""
    return (own,) if own in COMMAND_MODULES else COMMAND_MODULES


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # TensorFlow and absl print pages of C++ start-up chatter; keep it out of a person's way.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(max(level, logging.ERROR))
    logging.getLogger("absl").setLevel(max(level, logging.ERROR))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        code: int = args.func(args)
    except FitnessError as exc:
        sys.stderr.write(f"fitness: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("fitness: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
