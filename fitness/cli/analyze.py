"""``fitness analyze`` (count and coach one video) and ``fitness eval`` (score against labels)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from fitness.cli.common import add_model_args, check_outputs, estimator_from_args, write_json
from fitness.cli.tables import rep_table
from fitness.errors import FitnessError, OutputPathError
from fitness.pipeline.evaluation import EvalRow, evaluate_clip, load_manifest, summarize
from fitness.pipeline.stream import AUTO, AnalysisResult, check_exercise, exercise_choices
from fitness.pipeline.video_analysis import analyze_video
from fitness.text import plural

log = logging.getLogger(__name__)

PROGRESS_AFTER_FRAMES = 90  # about three seconds of video


def register(sub: Any) -> None:
    p = sub.add_parser(
        "analyze",
        help="count reps and coach form in a video",
        description="Count squats, push-ups or curls in a video, with per-rep timing, range and form cues.",
    )
    p.add_argument("input", type=Path, help="video file (.mp4, .mov, ...)")
    p.add_argument(
        "--exercise", "-e", default=AUTO, help=f"one of {', '.join(exercise_choices())} (default {AUTO}: recognise it)"
    )
    p.add_argument("-o", "--output", type=Path, help="annotated video: skeleton and coaching HUD (.mp4 or .gif)")
    p.add_argument("--json", type=Path, help="write the reps as JSON ('-' for stdout)")
    p.add_argument("--csv", type=Path, help="write one row per rep as CSV")
    p.add_argument("--save", action="store_true", help="save the session in the workout history")
    p.add_argument("--profile", default="default", help="history profile to save under (default 'default')")
    p.add_argument("--db", default=None, help="history database URL or SQLite path (default: the app's)")
    add_model_args(p)
    _add_pose_fps(p)
    p.set_defaults(func=run_analyze)

    e = sub.add_parser(
        "eval",
        help="score the counter against labelled videos",
        description=(
            "Run every labelled video of a manifest (columns file, exercise, reps, notes with "
            "reps_range=a-b) with the same settings and report exact-within-range, OBO and MAE."
        ),
    )
    e.add_argument("manifest", type=Path, help="manifest CSV; video paths are relative to its folder")
    e.add_argument("--json", type=Path, help="write per-clip results and metrics as JSON ('-' for stdout)")
    add_model_args(e)
    _add_pose_fps(e)
    e.set_defaults(func=run_eval)


def _positive_fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of frames a second, got {text!r}")
    return value


def _add_pose_fps(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pose-fps",
        type=_positive_fps,
        default=None,
        metavar="N",
        help=(
            "run the model on only enough frames to keep N a second (15: every other frame of a "
            "30 fps video, about twice as fast; counts on the labelled clips are unchanged, a rep's "
            "start and bottom can move by a few frames); default: every frame"
        ),
    )


# -- analyze -------------------------------------------------------------------------------


def format_report(result: AnalysisResult) -> str:
    """The per-rep table, the total and the notes, as printed by ``fitness analyze``."""
    spec = result.spec
    if spec is None:
        lines = [f"{result.video.path}: no exercise found", "Total: 0 reps"]
        return "\n".join([*lines, *(f"note: {n}" for n in result.notes)]) + "\n"
    lines = [f"{result.video.path}: {spec.name.lower()}"]
    if result.reps:
        lines.append(rep_table(result.reps).rstrip("\n"))
    good = sum(r.verdict == "good" for r in result.reps)
    sides = ""
    if spec.sides == "both" and result.per_side:
        sides = " (" + ", ".join(f"{k} {v}" for k, v in sorted(result.per_side.items())) + ")"
    lines.append(f"Total: {plural(result.count, spec.name.lower() + ' rep')}{sides}, {good} good")
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def _progress_bar(label: str) -> tuple[Any, Any]:
    from tqdm import tqdm  # here, not at start-up: most runs have no terminal to draw on

    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            show = total >= PROGRESS_AFTER_FRAMES and sys.stderr.isatty()
            bar = tqdm(total=total or None, disable=not show, unit="frame", desc=label, file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    def close() -> None:
        if bar is not None:
            bar.close()

    return update, close


def _save(args: argparse.Namespace, result: AnalysisResult) -> int:
    from fitness.store import SessionStore
    from fitness.store.recorder import SessionInfo

    info = SessionInfo(
        exercise=result.exercise,
        source="video",
        profile=args.profile,
        model_variant=args.variant,
        video_name=args.input.name,
        extra={"notes": list(result.notes), "per_side": dict(result.per_side)},
    )
    with SessionStore.open(args.db) as store:
        return store.save_session(info, result.reps)


def run_analyze(args: argparse.Namespace) -> int:
    from fitness.pipeline.video_io import open_video

    check_exercise(args.exercise)
    check_outputs(args.output, args.json, args.csv, inputs=[("the input video", args.input)], db=args.db)
    if args.output is not None and args.output.suffix.lower() not in {".mp4", ".gif"}:
        raise OutputPathError(f"cannot write {args.output}: the annotated video must end in .mp4 or .gif")
    open_video(args.input).close()  # a bad file fails in one line before the model loads
    estimator = estimator_from_args(args)
    progress, close = _progress_bar(args.input.name)
    try:
        result = analyze_video(
            args.input,
            args.exercise,
            estimator=estimator,
            annotate_to=args.output,
            progress=progress,
            pose_fps=args.pose_fps,
        )
    finally:
        close()
    # With JSON on stdout the human-readable report moves to stderr, so the JSON stays parseable.
    report = sys.stderr if args.json is not None and str(args.json) == "-" else sys.stdout
    report.write(format_report(result))
    if args.json is not None:
        write_json(args.json, result.to_dict())
    if args.csv is not None:
        from fitness.store.export import write_reps_csv  # the store's imports only when asked

        write_reps_csv(args.csv, result.reps)
    if args.output is not None:
        sys.stderr.write(f"wrote {args.output}\n")
    if args.save and not result.found:
        sys.stdout.write("not saved: nothing was found to count\n")
    elif args.save:
        session_id = _save(args, result)
        sys.stdout.write(f"saved as session {session_id} (profile {args.profile})\n")
    return 0


# -- eval ----------------------------------------------------------------------------------


def _fmt_row(row: EvalRow) -> str:
    clip = row.clip
    label = f"{clip.reps}" if clip.lo == clip.hi else f"{clip.reps} ({clip.lo}-{clip.hi})"
    if row.error:
        return f"{clip.name:<42} {clip.exercise:<7} {'-':>4}  {label:<9} ERROR  {row.error}"
    mark = "ok" if row.exact else "obo" if row.off_by_one else "MISS"
    return f"{clip.name:<42} {clip.exercise:<7} {row.predicted:>4}  {label:<9} {mark:<5}  {row.seconds:5.1f}s"


def run_eval(args: argparse.Namespace) -> int:
    clips = load_manifest(args.manifest)
    if not clips:
        raise FitnessError(f"{args.manifest} has no rows labelled with one of: {', '.join(exercise_choices()[1:])}")
    check_outputs(args.json, inputs=[("the manifest", args.manifest), *(("a clip it lists", c.path) for c in clips)])
    from tqdm import tqdm

    estimator = estimator_from_args(args)
    sys.stdout.write(f"{'clip':<42} {'exercise':<7} {'pred':>4}  {'label':<9} result\n")
    rows: list[EvalRow] = []
    for clip in tqdm(clips, desc="eval", unit="clip", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False):
        row = evaluate_clip(clip, estimator=estimator, pose_fps=args.pose_fps)
        rows.append(row)
        sys.stdout.write(_fmt_row(row) + "\n")
        sys.stdout.flush()
    summary = summarize(rows)
    sys.stdout.write(
        f"\n{summary.clips} clips: exact-within-range {summary.exact:.1%}, "
        f"OBO {summary.obo:.1%}, MAE {summary.mae:.3f}\n"
    )
    for ex, (n, exact, obo, mae) in summary.per_exercise.items():
        sys.stdout.write(f"  {ex:<7} {n:>2} clips: exact {exact:.1%}, OBO {obo:.1%}, MAE {mae:.3f}\n")
    if args.json is not None:
        doc = {
            "manifest": str(args.manifest),
            "variant": args.variant,
            "runtime": args.runtime,
            "metrics": summary.to_dict(),
            "clips": [
                {
                    "file": str(r.clip.path),
                    "exercise": r.clip.exercise,
                    "label": r.clip.reps,
                    "range": [r.clip.lo, r.clip.hi],
                    "predicted": r.predicted,
                    "exact": r.exact,
                    "off_by_one": r.off_by_one,
                    "seconds": round(r.seconds, 2),
                    "notes": list(r.notes),
                    "error": r.error,
                }
                for r in rows
            ],
        }
        write_json(args.json, doc)
    failed = [r for r in rows if r.error]
    if failed:
        sys.stderr.write(f"fitness: error: {plural(len(failed), 'clip')} could not be analysed\n")
        return 1
    return 0
