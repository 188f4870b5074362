"""Rep lists of every labelled clip, to compare two versions of the pipeline.

    .venv/bin/python scripts/rep_lists.py dump out.json [--manifest M ...] [analyze options]
    .venv/bin/python scripts/rep_lists.py compare old.json new.json

``dump`` runs ``analyze_video`` on each clip of the manifests twice: with the labelled exercise
(what ``fitness eval`` does) and with ``auto`` (what ``fitness analyze`` does by default), and
writes the exercise, the count and every rep's start/bottom/end and the clip's frame rate, with
the poses of the labelled run beside it (``out.npz``). ``compare`` says, clip by clip, whether
the counts are equal and every rep moved by at most one frame interval (exit 1 otherwise), and
how far the keypoints moved (in pixels of the frame, confident keypoints only).
Run ``dump`` at two commits (``git stash`` / ``git worktree``) to prove a change left counts alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.pipeline.evaluation import load_manifest  # noqa: E402
from fitness.pipeline.stream import AUTO, AnalysisResult  # noqa: E402
from fitness.pipeline.video_analysis import analyze_video  # noqa: E402
from fitness.pose.estimator import Estimator, load_estimator  # noqa: E402
from fitness.pose.types import Pose  # noqa: E402

log = logging.getLogger("rep_lists")
DEFAULT_MANIFEST = REPO.parent / "shared" / "data" / "manifest.csv"


def _reps(result: AnalysisResult) -> dict[str, Any]:
    return {
        "exercise": result.exercise,
        "count": result.count,
        "reps": [[r.start_ms, r.bottom_ms, r.end_ms] for r in result.reps],
    }


class _Recording:
    """The estimator, noting each pose it returns (keypoints, NaN where no person)."""

    def __init__(self, inner: Estimator) -> None:
        self.inner = inner
        self.poses: list[np.ndarray] = []

    def reset(self) -> None:
        self.inner.reset()
        self.poses = []

    def estimate(self, frame: np.ndarray, t_ms: float) -> Pose | None:
        pose = self.inner.estimate(frame, t_ms)
        self.poses.append(np.full((17, 3), np.nan) if pose is None else pose.keypoints)
        return pose


def dump(out: Path, manifests: list[Path], threads: int, runtime: str, pose_fps: float | None) -> None:
    estimator = _Recording(load_estimator("lightning", runtime, threads=threads))
    doc: dict[str, Any] = {}
    poses: dict[str, np.ndarray] = {}
    for manifest in manifests:
        for clip in load_manifest(manifest):
            started = time.process_time()
            labelled = analyze_video(clip.path, clip.exercise, estimator=estimator, pose_fps=pose_fps)  # type: ignore[arg-type]
            poses[str(clip.path)] = np.array(estimator.poses)
            auto = analyze_video(clip.path, AUTO, estimator=estimator, pose_fps=pose_fps)  # type: ignore[arg-type]
            cpu = time.process_time() - started
            doc[str(clip.path)] = {
                "fps": labelled.video.fps,
                "frames": labelled.video.frames,
                "labelled": _reps(labelled),
                "auto": _reps(auto),
                "cpu_s": round(cpu, 2),
            }
            log.info("%s: %d %s, auto %d %s (%.1f s CPU)", clip.name, labelled.count, clip.exercise,
                     auto.count, auto.exercise, cpu)  # fmt: skip
    out.write_text(json.dumps(doc, indent=1) + "\n")
    arrays: dict[str, Any] = {Path(k).name: v for k, v in poses.items()}
    np.savez_compressed(out.with_suffix(".npz"), **arrays)


def compare(old_path: Path, new_path: Path) -> bool:
    old, new = json.loads(old_path.read_text()), json.loads(new_path.read_text())
    same = True
    for clip, a in old.items():
        b = new.get(clip)
        name = Path(clip).name
        if b is None:
            sys.stdout.write(f"{name}: missing in {new_path}\n")
            same = False
            continue
        frame_ms = 1000.0 / a["fps"]
        for mode in ("labelled", "auto"):
            ra, rb = a[mode], b[mode]
            if ra["exercise"] != rb["exercise"] or ra["count"] != rb["count"]:
                sys.stdout.write(
                    f"{name} {mode}: {ra['count']} {ra['exercise']} -> {rb['count']} {rb['exercise']}  DIFFERENT\n"
                )
                same = False
                continue
            moved = [abs(x - y) for p, q in zip(ra["reps"], rb["reps"], strict=True) for x, y in zip(p, q, strict=True)]
            worst = max(moved, default=0)
            ok = worst <= frame_ms + 1  # times are rounded to whole ms
            same &= ok
            mark = "ok" if ok else "MOVED"
            sys.stdout.write(
                f"{name:<44} {mode:<8} {rb['count']:>2} {rb['exercise']:<8} worst shift {worst:>4} ms "
                f"({worst / frame_ms:.2f} frames) {mark}\n"
            )
    _compare_poses(old_path.with_suffix(".npz"), new_path.with_suffix(".npz"))
    cpu_a = sum(v["cpu_s"] for v in old.values())
    cpu_b = sum(v["cpu_s"] for v in new.values())
    sys.stdout.write(f"CPU: {cpu_a:.1f} s -> {cpu_b:.1f} s\n")
    sys.stdout.write("SAME (counts equal, reps within a frame)\n" if same else "DIFFERENT\n")
    return same


def _compare_poses(old_path: Path, new_path: Path) -> None:
    if not old_path.is_file() or not new_path.is_file():
        return
    with np.load(old_path) as old, np.load(new_path) as new:
        for name in old.files:
            if name not in new.files or old[name].shape != new[name].shape:
                sys.stdout.write(f"{name}: poses not comparable\n")
                continue
            a, b = old[name], new[name]
            presence = int((np.isnan(a[:, 0, 0]) != np.isnan(b[:, 0, 0])).sum())
            both = (a[:, :, 2] >= 0.3) & (b[:, :, 2] >= 0.3)
            dist = np.hypot(a[..., 0] - b[..., 0], a[..., 1] - b[..., 1])[both]
            if np.array_equal(a, b, equal_nan=True):
                sys.stdout.write(f"{name:<44} poses identical\n")
            else:
                sys.stdout.write(
                    f"{name:<44} keypoints moved: median {np.median(dist):.2f} px, p99 {np.percentile(dist, 99):.1f}"
                    f" px; person found/lost differently on {presence} frame(s)\n"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--manifest", type=Path, action="append", default=[])
    d.add_argument("--threads", type=int, default=2)
    d.add_argument("--pose-fps", type=float, default=None, help="analyse at this pose rate (default: every frame)")
    d.add_argument("--runtime", default="litert", help="litert or tf (the same model: how far rounding moves reps)")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.cmd == "dump":
        dump(args.out, args.manifest or [DEFAULT_MANIFEST], args.threads, args.runtime, args.pose_fps)
        return 0
    return 0 if compare(args.old, args.new) else 1


if __name__ == "__main__":
    sys.exit(main())
