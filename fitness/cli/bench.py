"""``fitness bench``: time every stage of the pipeline on real footage, every runtime in one run."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from fitness.bench.analyze import ANALYZE_CLIP, COMMAND_REPEATS
from fitness.bench.clip import SHARED_DATA, default_clip
from fitness.bench.multi import PEOPLE_COUNTS
from fitness.bench.report import format_report
from fitness.bench.run import DEFAULT_RUNTIMES, DEFAULT_VARIANTS, BenchConfig, run_bench
from fitness.cli.common import check_outputs, write_json
from fitness.errors import FitnessError
from fitness.pipeline.video_io import check_readable

log = logging.getLogger(__name__)


def _csv(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list")
    return items


def _people(text: str) -> tuple[int, ...]:
    """``--group-people`` as numbers (0 dropped: it means "skip"); a one-line error otherwise."""
    try:
        counts = tuple(dict.fromkeys(int(p) for p in text.split(",") if p.strip()))
    except ValueError:
        raise FitnessError(f"--group-people expected numbers like 1,2,4, got {text!r}") from None
    return tuple(n for n in counts if n != 0)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark the pipeline (every stage, every runtime, memory over a long stream)",
        description=(
            "Time decode, preprocess, inference, counting and drawing on a real clip for each "
            "MoveNet variant and runtime in one run; time 'analyze' against real time; watch "
            "memory over a simulated stream. Prints a table; --json writes the numbers."
        ),
    )
    p.add_argument("--clip", type=Path, default=None, help=f"video to time on (default: a 720p clip in {SHARED_DATA})")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds of clip timed per run (default 10)")
    p.add_argument(
        "--variants",
        type=_csv,
        default=DEFAULT_VARIANTS,
        help=f"comma-separated (default {','.join(DEFAULT_VARIANTS)})",
    )
    p.add_argument(
        "--runtimes",
        type=_csv,
        default=DEFAULT_RUNTIMES,
        help=f"comma-separated (default {','.join(DEFAULT_RUNTIMES)})",
    )
    p.add_argument("--threads", type=int, default=2, help="inference threads (default 2)")
    p.add_argument("--json", type=Path, default=None, help="write the results as JSON ('-' for stdout)")
    p.add_argument(
        "--soak-minutes",
        type=float,
        default=10.0,
        help="minutes of stream time for the memory soak, frames fed as fast as they come (default 10; 0 skips)",
    )
    p.add_argument(
        "--tflite",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also time this local .tflite (e.g. an fp16 or int8 build) on LiteRT; repeatable",
    )
    p.add_argument("--no-analyze", action="store_true", help="skip the whole-video analyze timing")
    p.add_argument(
        "--group-people",
        default=",".join(map(str, PEOPLE_COUNTS)),
        help="time group mode (analyze --people N) on 720p mosaics of this many people, comma-separated "
        f"(default {','.join(map(str, PEOPLE_COUNTS))}; 0 skips)",
    )
    p.add_argument(
        "--no-analyze-command", action="store_true", help="time analyze in-process only, not the command as well"
    )
    p.add_argument(
        "--command-clip",
        type=Path,
        default=None,
        help=f"video the whole 'fitness analyze' command is timed on (default: {ANALYZE_CLIP} in {SHARED_DATA}, "
        "else the --clip)",
    )
    p.add_argument(
        "--command-repeats",
        type=int,
        default=COMMAND_REPEATS,
        help=f"runs of each variant of the command, alternately (default {COMMAND_REPEATS}; medians are reported)",
    )
    b = p.add_argument_group("batch (fitness bench --batch: Ray throughput instead of the stages above)")
    b.add_argument(
        "--batch", action="store_true", help="time fitness batch with 1 and 2 workers against a plain sequential loop"
    )
    b.add_argument(
        "--batch-inputs",
        type=Path,
        nargs="+",
        default=None,
        metavar="INPUT",
        help=f"videos, folders or manifests to time on (default: {SHARED_DATA / 'manifest.csv'})",
    )
    b.add_argument("--batch-rounds", type=int, default=1, help="repeat the three laps this often (default 1)")
    p.set_defaults(func=run)


def _show_progress(verbose: int) -> None:
    """A run takes minutes: on a terminal, say what it is doing even without ``-v``."""
    bench_log = logging.getLogger("fitness.bench")  # the parent of every bench module's logger
    if verbose or not sys.stderr.isatty() or bench_log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("bench: %(message)s"))
    bench_log.addHandler(handler)
    bench_log.setLevel(logging.INFO)
    bench_log.propagate = False


def run_batch_timing(args: argparse.Namespace) -> int:
    from fitness.bench.batch import format_batch_bench, run_batch_bench

    inputs: list[Path] = args.batch_inputs or [SHARED_DATA / "manifest.csv"]
    for path in inputs:
        if not path.exists():
            raise FitnessError(f"no such file or folder: {path}")
    if args.batch_rounds < 1:
        raise FitnessError(f"--batch-rounds must be at least 1, got {args.batch_rounds}")
    check_outputs(args.json)
    _show_progress(args.verbose)
    bench = run_batch_bench(inputs, args.batch_rounds)
    text = format_batch_bench(bench)
    (sys.stderr if args.json is not None and str(args.json) == "-" else sys.stdout).write(text)
    if args.json is not None:
        write_json(args.json, bench.to_dict())
    return 0


def run(args: argparse.Namespace) -> int:
    if args.batch:
        return run_batch_timing(args)
    clip: Path | None = args.clip if args.clip is not None else default_clip()
    if clip is None:
        raise FitnessError(f"no default clip: {SHARED_DATA} is absent; give one with --clip PATH")
    check_readable(clip)
    command_clip: Path | None = args.command_clip
    if command_clip is None and (SHARED_DATA / ANALYZE_CLIP).is_file():
        command_clip = SHARED_DATA / ANALYZE_CLIP
    if command_clip is not None:
        check_readable(command_clip)
    for path in args.tflite:
        check_readable(path)
    check_outputs(args.json, inputs=[("the clip", clip), *(("a model given with --tflite", p) for p in args.tflite)])
    cfg = BenchConfig(
        clip=clip,
        seconds=args.seconds,
        variants=args.variants,
        runtimes=args.runtimes,
        threads=args.threads,
        soak_minutes=args.soak_minutes,
        analyze=not args.no_analyze,
        analyze_command=not args.no_analyze_command,
        extra_tflite=tuple(args.tflite),
        group_people=_people(args.group_people),
        command_clip=command_clip,
        command_repeats=args.command_repeats,
    )
    _show_progress(args.verbose)
    report = run_bench(cfg)
    text = format_report(report)
    if args.json is not None and str(args.json) == "-":
        sys.stderr.write(text)
    else:
        sys.stdout.write(text)
    if args.json is not None:
        write_json(args.json, report.to_dict())
        log.info("wrote %s", args.json)
    return 0
