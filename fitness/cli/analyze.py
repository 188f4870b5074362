"""``fitness analyze`` (count and coach one video) and ``fitness eval`` (score against labels)."""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path
from typing import Any

from fitness.cli.common import add_model_args, check_outputs, estimator_from_args, write_json
from fitness.cli.pose_rate import add_pose_rate_args
from fitness.cli.tables import rep_table, set_table
from fitness.errors import FitnessError, InputFileError, OutputPathError
from fitness.pipeline.evaluation import EvalRow, evaluate_clip, load_manifest, summarize
from fitness.pipeline.stream import AUTO, AnalysisResult, check_exercise, exercise_choices
from fitness.pipeline.video_analysis import analyze_video
from fitness.pipeline.workout_eval import (
    SetsSummary,
    WorkoutRow,
    format_match,
    load_workouts,
    row_dict,
    row_of_workout,
    summarize_sets,
)
from fitness.text import plural

log = logging.getLogger(__name__)

PROGRESS_AFTER_FRAMES = 90  # about three seconds of video


def register(sub: Any) -> None:
    p = sub.add_parser(
        "analyze",
        help="count reps and coach form in a video",
        description=(
            "Count reps (or time a hold) of any of the known exercises in a video, with per-rep timing, "
            "range and form cues."
        ),
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
    p.add_argument(
        "--people",
        default="1",
        help="how many people to count: 1-6, or 'auto' (the one-person pass, then everyone if it saw company); "
        "default 1, which says so when it sees more than one person",
    )
    add_model_args(p)
    add_pose_rate_args(p)
    p.set_defaults(func=run_analyze)

    e = sub.add_parser(
        "eval",
        help="score the counter against labelled videos",
        description=(
            "Run every labelled video of a manifest (columns file, exercise, reps, notes with "
            "reps_range=a-b; or the catalogue's file, exercise, kind, count, count_lo, count_hi, "
            "where holds are in seconds) with the same settings and report exact-within-range, OBO, "
            "MAE and what exercise recognition named each clip."
        ),
    )
    e.add_argument(
        "manifest",
        type=Path,
        help=(
            "manifest CSV; video paths are relative to its folder. A workouts manifest (scenes_manifest.csv, "
            "or the workouts_manifest.csv of scripts/make_workouts.py) scores the sets found instead"
        ),
    )
    e.add_argument("--json", type=Path, help="write per-clip results and metrics as JSON ('-' for stdout)")
    add_model_args(e)
    add_pose_rate_args(e)
    e.set_defaults(func=run_eval)


# -- analyze -------------------------------------------------------------------------------


def _total(result: AnalysisResult) -> str:
    """The last line: reps (per side where counted per side), or the time held and its breaks."""
    spec = result.spec
    if spec is None:
        return "Total: 0 reps"
    name = spec.name.lower()
    if result.kind == "hold":
        breaks = "".join(
            f"\nbreak: {b.start_ms / 1000:.1f} s for {b.duration_ms / 1000:.1f} s: {b.reason}" for b in result.breaks
        )
        return f"Total: {result.hold_s or 0.0:.1f} s of {name} held, {plural(len(result.breaks), 'break')}{breaks}"
    good = sum(r.verdict == "good" for r in result.reps)
    sides = ""
    if spec.sides in ("both", "alternating") and result.per_side:
        sides = " (" + ", ".join(f"{k} {v}" for k, v in sorted(result.per_side.items())) + ")"
    return f"Total: {plural(result.count, name + ' rep')}{sides}, {good} good"


def format_report(result: AnalysisResult) -> str:
    """The per-rep table, the total and the notes, as printed by ``fitness analyze``."""
    lines = [f"{result.video.path}: {result.exercise_name.lower()}"]
    if result.reps:
        lines.append(rep_table(result.reps).rstrip("\n"))
    lines.append(_total(result))
    if len(result.sets) > 1 or any(s.exercise != result.exercise for s in result.sets):
        lines.append(f"{plural(len(result.sets), 'set')}:")
        lines.append(set_table(result.sets).rstrip("\n"))
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def _progress_bar(label: str) -> tuple[Any, Any]:
    """``(progress, close)`` for ``analyze_video``: a bar on a terminal, else nothing at all
    (no tqdm import, no call per frame: most runs have no terminal to draw on)."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            show = total >= PROGRESS_AFTER_FRAMES
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
        if result.sets and result.found:
            return store.save_workout(info, result.sets)
        return store.save_session(info, result.reps)


def run_analyze(args: argparse.Namespace) -> int:
    from fitness.cli.group import probe_from_args, run_group
    from fitness.pipeline.group import check_people
    from fitness.pipeline.video_io import open_video

    check_exercise(args.exercise)
    people = check_people(args.people)
    check_outputs(args.output, args.json, args.csv, inputs=[("the input video", args.input)], db=args.db)
    if args.output is not None and args.output.suffix.lower() not in {".mp4", ".gif"}:
        raise OutputPathError(f"cannot write {args.output}: the annotated video must end in .mp4 or .gif")
    open_video(args.input).close()  # a bad file fails in one line before the model loads
    if people is not None and people > 1:
        return run_group(args, people)
    estimator = estimator_from_args(args)
    probe = probe_from_args(args)
    progress, close = _progress_bar(args.input.name)
    try:
        result = analyze_video(
            args.input,
            args.exercise,
            estimator=estimator,
            annotate_to=args.output,
            progress=progress,
            probe=probe,
            pose_fps=args.pose_fps,
        )
    finally:
        close()
    if people is None and probe is not None and probe.people_in_view > 1 and args.csv is None and not args.save:
        # 'auto': the one-person pass saw company, so count everyone (--csv and --save are for one
        # person: with them the one-person result stands, and its note says who else was there).
        return run_group(args, None)
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


def _num(value: float) -> str:
    return f"{value:g}"


def _fmt_row(row: EvalRow) -> str:
    clip = row.clip
    unit = "s" if clip.kind == "hold_s" else ""
    label = (
        f"{_num(clip.reps)}{unit}"
        if clip.lo == clip.hi
        else f"{_num(clip.reps)}{unit} ({_num(clip.lo)}-{_num(clip.hi)})"
    )
    head = f"{clip.name:<46} {clip.exercise:<16}"
    if row.error:
        return f"{head} {'-':>6}  {label:<14} ERROR  {row.error}"
    mark = "ok" if row.exact else "obo" if row.off_by_one else "MISS"
    auto = row.recognised or "not known"
    return f"{head} {_num(row.predicted) + unit:>6}  {label:<14} {mark:<5}  {auto:<16} {row.seconds:5.1f}s"


def _is_workouts(manifest: Path) -> bool:
    try:
        with manifest.open(newline="") as fh:
            header = set(next(csv.reader(fh), []))
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return "labels" in header or "set_index" in header


def run_eval_sets(args: argparse.Namespace) -> int:
    """Every labelled workout of the manifest analysed with ``auto``; its sets against the labels."""
    workouts = load_workouts(args.manifest)
    if not workouts:
        raise FitnessError(f"{args.manifest} has no labelled workouts")
    check_outputs(
        args.json, inputs=[("the manifest", args.manifest), *(("a video it lists", w.path) for w in workouts)]
    )
    estimator = estimator_from_args(args)
    rows = []
    for workout in workouts:
        started = time.perf_counter()
        try:
            result = analyze_video(workout.path, AUTO, estimator=estimator, pose_fps=args.pose_fps)
        except InputFileError as exc:
            rows.append(WorkoutRow(workout, error=str(exc)))
            sys.stdout.write(f"{workout.name}: ERROR {exc}\n")
            continue
        row = row_of_workout(workout, result.sets, time.perf_counter() - started)
        rows.append(row)
        sys.stdout.write(
            f"{workout.name} ({row.seconds:.0f} s)\n" + "".join(format_match(m) + "\n" for m in row.matches)
        )
        sys.stdout.flush()
    summary = summarize_sets(rows)
    sys.stdout.write(sets_summary_text(summary))
    if args.json is not None:
        doc = {"manifest": str(args.manifest), "variant": args.variant, "metrics": summary.to_dict()}
        write_json(args.json, doc | {"workouts": [row_dict(r) for r in rows]})
    return 1 if any(r.error for r in rows) else 0


def sets_summary_text(summary: SetsSummary) -> str:
    bounds = "" if summary.boundaries is None else f", boundaries within 3 s {summary.boundaries:.1%}"
    if summary.within_clip is not None:
        bounds += f", sets within their clip (3 s) {summary.within_clip:.1%}"
    lines = [
        f"\n{summary.workouts} workouts, {summary.labelled} labelled sets, {summary.found} found: "
        f"precision {summary.precision:.1%}, recall {summary.recall:.1%}, exercise right {summary.exercise:.1%}, "
        f"reps exact {summary.exact:.1%}, within one {summary.within_one:.1%}{bounds}"
    ]
    for ex, (n, found, exact, obo) in summary.per_exercise.items():
        lines.append(f"  {ex:<16} {n:>2} sets: found {found}, exact {exact}, within one {obo}")
    return "\n".join(lines) + "\n"


def run_eval(args: argparse.Namespace) -> int:
    if _is_workouts(args.manifest):
        return run_eval_sets(args)
    clips = load_manifest(args.manifest)
    if not clips:
        raise FitnessError(f"{args.manifest} has no rows labelled with one of: {', '.join(exercise_choices()[1:])}")
    check_outputs(args.json, inputs=[("the manifest", args.manifest), *(("a clip it lists", c.path) for c in clips)])
    from tqdm import tqdm

    estimator = estimator_from_args(args)
    sys.stdout.write(f"{'clip':<46} {'exercise':<16} {'pred':>6}  {'label':<14} {'result':<5}  {'auto':<16} time\n")
    rows: list[EvalRow] = []
    for clip in tqdm(clips, desc="eval", unit="clip", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False):
        row = evaluate_clip(clip, estimator=estimator, pose_fps=args.pose_fps)
        rows.append(row)
        sys.stdout.write(_fmt_row(row) + "\n")
        sys.stdout.flush()
    summary = summarize(rows)
    sys.stdout.write(
        f"\n{summary.clips} clips: exact-within-range {summary.exact:.1%}, "
        f"OBO {summary.obo:.1%} (holds: within max(2 s, 20%)), MAE {summary.mae:.3f}, "
        f"recognised {summary.recognised:.1%}\n"
    )
    for ex, (n, exact, obo, mae) in summary.per_exercise.items():
        sys.stdout.write(f"  {ex:<16} {n:>2} clips: exact {exact:.1%}, OBO {obo:.1%}, MAE {mae:.3f}\n")
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
                    "kind": r.clip.kind,
                    "label": r.clip.reps,
                    "range": [r.clip.lo, r.clip.hi],
                    "predicted": r.predicted,
                    "recognised": r.recognised,
                    "per_side": r.per_side,
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
