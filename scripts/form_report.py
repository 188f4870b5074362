"""The form-feedback tables from cached poses: each labelled fault and the cues it drew, and the
share of good-form reps that drew any cue, per exercise.

    .venv/bin/python scripts/form_report.py [--poses artifacts/poses] [--data ../shared/data] [-v]

Cache the poses first with ``scripts/cache_poses.py``. ``-v`` lists every rep's cues.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.pipeline.form_check import fault_rows, good_form_rows, summarize_good_form  # noqa: E402
from fitness.pipeline.pose_track import PoseTrack  # noqa: E402
from fitness.pipeline.stream import AnalysisResult, analyze_poses  # noqa: E402
from tests.pipeline.form_labels import FAULTS, GOOD_FORM_CLIPS, NOT_GOOD_FORM  # noqa: E402

log = logging.getLogger("form_report")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser()
    ap.add_argument("--poses", type=Path, default=REPO / "artifacts" / "poses")
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    cache: dict[tuple[str, str], AnalysisResult] = {}

    def analyse(clip: str, exercise: str) -> AnalysisResult | None:
        if (clip, exercise) not in cache:
            path = args.poses / f"{Path(clip).stem}.npz"
            if not path.is_file():
                log.warning("%s: no cached poses", clip)
                return None
            track = PoseTrack.load(path)
            cache[(clip, exercise)] = analyze_poses(track.frames(), exercise, track.video)
        return cache[(clip, exercise)]

    out = sys.stdout.write
    out("Labelled faults (scenes_manifest.csv, kind form)\n")
    for row in fault_rows(FAULTS, analyse):
        out(f"  {row.line()}\n")
    rows = good_form_rows(args.data, GOOD_FORM_CLIPS, NOT_GOOD_FORM, analyse)
    if args.verbose:
        for r in rows:
            out(f"  {r.clip:52s} {r.exercise:16s} {r.t_s:6.1f}s {'/'.join(r.cues) or '-'}\n")
    out("\nGood-form reps with any cue, per exercise\n")
    for ex, (n, cued, share) in summarize_good_form(rows).items():
        out(f"  {ex:18s} {cued:3d} / {n:3d}  {share:5.0%}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
