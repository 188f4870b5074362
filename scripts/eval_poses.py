"""The eval table from cached poses: every labelled clip counted as its labelled exercise and
recognised with ``auto``, in seconds rather than the minutes a model pass takes.

    .venv/bin/python scripts/eval_poses.py [--poses artifacts/poses] [--data ../shared/data] [--only NAME] [-v]
    .venv/bin/python scripts/eval_poses.py --sets [--workouts artifacts/workouts/workouts_manifest.csv]

Cache the poses first with ``scripts/cache_poses.py``. ``-v`` lists each rep (or hold break).
``--sets`` scores the sets found in the labelled workouts instead (the workout clips of
``scenes_manifest.csv`` and the workouts ``scripts/make_workouts.py`` made).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.pipeline.evaluation import EvalRow, LabelledClip, load_manifest, row_of, summarize  # noqa: E402
from fitness.pipeline.pose_track import PoseTrack  # noqa: E402
from fitness.pipeline.stream import AUTO, AnalysisResult, analyze_poses  # noqa: E402
from fitness.pipeline.workout_eval import (  # noqa: E402
    WorkoutRow,
    format_match,
    load_workouts,
    row_of_workout,
    summarize_sets,
)

log = logging.getLogger("eval_poses")


def details(result: AnalysisResult) -> str:
    lines = [f"      {n}" for n in result.notes]
    for r in result.reps:
        span = f"{r.start_ms}-{r.bottom_ms}-{r.end_ms}"
        lines.append(f"      #{r.index} {r.side:5s} {span} {r.min_angle}..{r.max_angle} {list(r.cues)}")
    lines += [f"      break {b.start_ms}-{b.end_ms} {b.id}: {b.reason}" for b in result.breaks]
    return "\n".join(lines)


def evaluate(clip: LabelledClip, poses: Path, verbose: bool) -> tuple[EvalRow, str | None] | None:
    cached = poses / f"{clip.path.stem}.npz"
    if not cached.is_file():
        log.warning("%s: no cached poses", clip.name)
        return None
    track = PoseTrack.load(cached)
    frames = track.frames()
    labelled = analyze_poses(frames, clip.exercise, track.video)
    auto = analyze_poses(frames, AUTO, track.video)
    row = row_of(clip, labelled)
    mark = "ok  " if row.exact else "obo " if row.off_by_one else "MISS"
    unit = "s" if clip.kind == "hold_s" else ""
    per_side = labelled.spec is not None and labelled.spec.sides == "alternating"
    sides = f" {row.per_side}" if per_side else ""
    line = (
        f"{mark} {clip.name:46s} {clip.exercise:16s} {row.predicted:g}{unit} ({clip.lo:g}-{clip.hi:g}){sides}"
        f"  auto: {auto.exercise or 'not known'} ({auto.count if auto.kind != 'hold' else auto.hold_s})"
    )
    sys.stdout.write(line + "\n" + (details(labelled) + "\n" if verbose else ""))
    return row, auto.exercise


def eval_sets(manifests: list[Path], poses: Path, only: str) -> None:
    from fitness.cli.analyze import sets_summary_text

    for manifest in manifests:
        if not manifest.is_file():
            log.warning("%s: not found", manifest)
            continue
        rows: list[WorkoutRow] = []
        for workout in load_workouts(manifest):
            cached = poses / f"{workout.path.stem}.npz"
            if only not in workout.name or not cached.is_file():
                continue
            track = PoseTrack.load(cached)
            row = row_of_workout(workout, analyze_poses(track.frames(), AUTO, track.video).sets)
            rows.append(row)
            sys.stdout.write(f"{workout.name}\n" + "".join(format_match(m) + "\n" for m in row.matches))
        sys.stdout.write(f"{manifest.name}:" + sets_summary_text(summarize_sets(rows)) + "\n")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser()
    ap.add_argument("--poses", type=Path, default=REPO / "artifacts" / "poses")
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--only", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--sets", action="store_true", help="score the sets found in labelled workouts")
    ap.add_argument("--workouts", type=Path, default=REPO / "artifacts" / "workouts" / "workouts_manifest.csv")
    args = ap.parse_args()
    if args.sets:
        eval_sets([args.data / "scenes_manifest.csv", args.workouts], args.poses, args.only)
        return 0
    for manifest in ("manifest.csv", "catalogue_manifest.csv"):
        rows: list[EvalRow] = []
        auto_right = 0
        for clip in load_manifest(args.data / manifest):
            if args.only not in clip.name:
                continue
            done = evaluate(clip, args.poses, args.verbose)
            if done is not None:
                rows.append(done[0])
                auto_right += done[1] == clip.exercise
        s = summarize(rows)
        sys.stdout.write(
            f"{manifest}: {s.clips} clips, in range {s.exact:.0%}, within tolerance {s.obo:.0%}, "
            f"MAE {s.mae:.3f}, auto names the exercise {auto_right}/{s.clips}\n\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
