"""Analysing 15 poses a second instead of every frame leaves every count alone, on real footage.

``analyze_video(pose_fps=POSE_FPS)`` runs the model and the counter on every other frame of a
30 fps video. The claim (see :data:`fitness.pipeline.video_analysis.POSE_FPS`) is checked on
every labelled clip, with the labelled exercise (as ``fitness eval``) and with recognition (as
``fitness analyze``): the same exercise and the same number of reps (a hold: its time held
within the label's range whenever it was at every frame); and on the labelled workout and form
clips of ``scenes_manifest.csv``: the same sets. Rep times may move (a flat bottom has no
single frame); how far, and the cues each rep drew, are written to ``artifacts/pose_rate_*.json``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fitness.errors import InputFileError
from fitness.pipeline.evaluation import LabelledClip, load_manifest, row_of
from fitness.pipeline.stream import AUTO, AnalysisResult, analyze_poses
from fitness.pipeline.video_analysis import POSE_FPS, analyze_video
from fitness.pose.estimator import Estimator
from fitness.pose.types import Pose

pytestmark = pytest.mark.slow


class _Recording:
    """The estimator, keeping each (time, pose) it returns so recognition can count them too."""

    def __init__(self, inner: Estimator) -> None:
        self.inner = inner
        self.seen: list[tuple[float, Pose | None]] = []

    def reset(self) -> None:
        self.inner.reset()
        self.seen = []

    def estimate(self, frame: np.ndarray, t_ms: float) -> Pose | None:
        pose = self.inner.estimate(frame, t_ms)
        self.seen.append((t_ms, pose))
        return pose


def _both(clip: LabelledClip, est: _Recording, pose_fps: float | None) -> tuple[AnalysisResult, AnalysisResult]:
    """The labelled exercise through ``analyze_video``, and recognition over the same poses."""
    labelled = analyze_video(clip.path, clip.exercise, estimator=est, pose_fps=pose_fps)  # type: ignore[arg-type]
    return labelled, analyze_poses(est.seen, AUTO, labelled.video)


def _clips(data_dir: Path, manifest: str) -> list[LabelledClip]:
    try:
        clips = load_manifest(data_dir / manifest)
    except InputFileError as exc:
        pytest.skip(f"{manifest} is not readable by this version's manifest loader ({exc})")
    if not clips:
        pytest.skip(f"no clip of {manifest} is labelled with an exercise this version knows")
    return clips


@pytest.mark.parametrize(
    "manifest",
    # The catalogue's 23 clips at both rates take ~3 minutes: a sweep for `make eval`.
    ["manifest.csv", pytest.param("catalogue_manifest.csv", marks=pytest.mark.sweep)],
)
def test_counts_are_the_same_at_15_poses_a_second(data_dir: Path, artifacts: Path, manifest: str) -> None:
    from fitness.pose.estimator import load_estimator

    est = _Recording(load_estimator("lightning"))
    table: dict[str, Any] = {}
    different = []
    for clip in _clips(data_dir, manifest):
        every = _both(clip, est, None)
        thinned = _both(clip, est, POSE_FPS)
        frame_ms = 1000.0 / every[0].video.fps
        for mode, a, b in zip(("labelled", "auto"), every, thinned, strict=True):
            # The whole video is still described, whatever share of it was analysed.
            assert b.video.frames == a.video.frames and b.video.duration_ms == a.video.duration_ms
            same = (a.exercise, a.count) == (b.exercise, b.count)
            if clip.kind == "hold_s":  # seconds held: the same verdict against the label's range
                same = same and row_of(clip, a).exact == row_of(clip, b).exact
            moves = [
                abs(x - y) / frame_ms
                for p, q in zip(a.reps, b.reps, strict=False)
                for x, y in ((p.start_ms, q.start_ms), (p.bottom_ms, q.bottom_ms), (p.end_ms, q.end_ms))
            ]
            table[f"{clip.name} {mode}"] = {
                "every_frame": [a.exercise, a.count, a.hold_s],
                "pose_fps": [b.exercise, b.count, b.hold_s],
                "largest_move_frames": round(max(moves, default=0.0), 1),
            }
            if not same:
                different.append(f"{clip.name} ({mode}): {a.count} {a.exercise} -> {b.count} {b.exercise}")
    (artifacts / f"pose_rate_{Path(manifest).stem}.json").write_text(json.dumps(table, indent=1) + "\n")
    assert not different, different


def _sets(result: AnalysisResult) -> list[tuple[str, int, int | None]]:
    return [(s.exercise, s.rep_count, s.hold_ms) for s in result.sets]


@pytest.mark.sweep
def test_workout_and_form_clips_keep_their_sets_at_15_poses_a_second(data_dir: Path, artifacts: Path) -> None:
    """The labelled workouts (recognised, as ``fitness analyze`` does) and form clips (also with
    their labelled exercise) of ``scenes_manifest.csv``: the same exercise, count and sets. The
    cues each rep drew are written beside them: a fault seen on only one or two frames can go
    unseen when half the frames are analysed (README, "One video file")."""
    from fitness.pose.estimator import load_estimator

    manifest = data_dir / "scenes_manifest.csv"
    if not manifest.is_file():
        pytest.skip(f"no scenes manifest at {manifest}")
    with manifest.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] in ("workout", "form")]
    est = load_estimator("lightning")
    table: dict[str, Any] = {}
    different = []
    for row in rows:
        path = data_dir / row["file"]
        for exercise in (AUTO, row["exercise"]) if row["kind"] == "form" else (AUTO,):
            every, thinned = (analyze_video(path, exercise, estimator=est, pose_fps=fps) for fps in (None, POSE_FPS))
            found = [(r.exercise, r.count, _sets(r)) for r in (every, thinned)]
            table[f"{path.name} {exercise}"] = {
                "every_frame": found[0],
                "pose_fps": found[1],
                "cues": [[sorted(rep.cue_ids) for rep in r.reps] for r in (every, thinned)],
            }
            if found[0] != found[1]:
                different.append(f"{path.name} ({exercise}): {found[0]} -> {found[1]}")
    assert len(table) >= 10
    (artifacts / "pose_rate_scenes_manifest.json").write_text(json.dumps(table, indent=1) + "\n")
    assert not different, different


def test_an_annotated_copy_at_15_poses_a_second_keeps_the_video_s_timing(data_dir: Path, tmp_path: Path) -> None:
    from fitness.pipeline.video_io import open_video

    clip = data_dir / "videos/curl/curl_oblique_4k_suyog.mp4"  # 25 fps: analysed frame by frame
    thirty = data_dir / "videos/squat/squat_side_barbell_formfit.mp4"  # 30 fps, 255 frames
    for video, step in ((clip, 1), (thirty, 2)):
        out = tmp_path / f"{video.stem}.mp4"
        result = analyze_video(video, AUTO, annotate_to=out, pose_fps=POSE_FPS)
        with open_video(out) as written:
            times = [f.t_ms for f in written]
        analysed = len(range(0, result.video.frames, step)) + (result.video.frames - 1) % step
        assert len(result.frames) == len(times) == analysed
        # Each drawn frame sits at its own time: the copy lasts as long as the video.
        assert times[-1] == pytest.approx(result.video.duration_ms - 1000.0 / result.video.fps, abs=2.0)
