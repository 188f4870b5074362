"""Replay dumped keypoints through the counter and print the eval table: tuning in seconds.

    .venv/bin/python scripts/tune_counter.py [--kp /tmp/kp/lightning] [--data ../shared/data] [-v]

The dumps are ``fitness pose clip.mp4 --json`` documents (one per clip, named after the clip's
stem), so the model does not have to run again while the counter is tuned. ``-v`` lists each
rep with its bottom frame and whether it falls in a labelled interval of
``rep_events_approx.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.engine.counter import CounterConfig  # noqa: E402
from fitness.pipeline.evaluation import EvalRow, LabelledClip, load_manifest, summarize  # noqa: E402
from fitness.pipeline.stream import analyze_poses  # noqa: E402
from fitness.pose.types import Pose  # noqa: E402


def load_dump(path: Path) -> tuple[list[tuple[float, Pose | None]], float]:
    doc = json.loads(path.read_text())
    frames = [(float(f["t_ms"]), Pose.from_dict(f["poses"][0]) if f["poses"] else None) for f in doc["frames"]]
    return frames, float(doc.get("fps") or 30.0)


def rep_check(clip: LabelledClip, bottoms_ms: list[int], fps: float, events: dict[str, object]) -> str:
    key = str(clip.path.relative_to(clip.path.parents[2]))
    entry = events.get(key)
    if not isinstance(entry, dict):
        return ""
    intervals = [(e["start"], e["end"]) for e in entry["counted_excursions"]]
    marks = []
    for b in bottoms_ms:
        frame = b * fps / 1000.0
        hit = any(s - 5 <= frame <= e + 5 for s, e in intervals)
        marks.append(f"{frame:.0f}{'' if hit else '!'}")
    return " bottoms@" + ",".join(marks) + f"  labelled {intervals}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kp", type=Path, default=Path("/tmp/kp/lightning"))
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a CounterConfig field")
    ap.add_argument("--only", default="", help="clips whose name contains this")
    args = ap.parse_args()
    clips = load_manifest(args.data / "manifest.csv")
    events = json.loads((args.data / "rep_events_approx.json").read_text())
    overrides = {k: type(getattr(CounterConfig(), k))(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    config = CounterConfig(**overrides)
    rows = []
    for clip in clips:
        if args.only not in clip.name:
            continue
        dump = args.kp / f"{clip.path.stem}.json"
        if not dump.is_file():
            sys.stdout.write(f"{clip.name:40s} (no dump)\n")
            continue
        frames, fps = load_dump(dump)
        result = analyze_poses(frames, clip.exercise, config=config)
        row = EvalRow(clip, result.count, result.notes)
        rows.append(row)
        mark = "ok " if row.exact else "OBO" if row.off_by_one else "BAD"
        line = f"{mark} {clip.name:42s} pred {row.predicted:2d}  label {clip.reps:2d} ({clip.lo}-{clip.hi})"
        if args.verbose:
            line += rep_check(clip, [r.bottom_ms for r in result.reps], fps, events)
            line += "\n      " + " | ".join(result.notes)
            for r in result.reps:
                line += (
                    f"\n      #{r.index} {r.side:5s} {r.start_ms}-{r.end_ms} min {r.min_angle} "
                    f"max {r.max_angle} {r.verdict} {list(r.cues)}"
                )
        sys.stdout.write(line + "\n")
    s = summarize(rows)
    sys.stdout.write(f"\n{s.clips} clips: exact-within-range {s.exact:.0%}  OBO {s.obo:.0%}  MAE {s.mae:.3f}\n")
    for ex, (n, e, o, m) in s.per_exercise.items():
        sys.stdout.write(f"  {ex:7s} {n:2d} clips: exact {e:.0%}  OBO {o:.0%}  MAE {m:.3f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
