"""One real model pass per labelled clip for the whole test session.

The model is the slow part; every real-footage test reads the same poses, estimated once here
with the real Lightning model over the real clips (exactly what ``analyze_video`` does), and
counts them as many ways as it needs with ``analyze_poses``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.pipeline.evaluation import LabelledClip, load_manifest
from fitness.pipeline.pose_track import PoseTrack

# Footage of people doing no exercise, cut from the labelled clips: (clip, from s, to s, what).
NOT_EXERCISES: tuple[tuple[str, float, float, str], ...] = (
    ("videos/pushup/pushup_side_tutorial_tayyab.mp4", 25.1, 28.7, "talking head"),
    ("videos/pushup/pushup_side_tutorial_tayyab.mp4", 0.0, 0.5, "talking head before the push-ups"),
    ("videos/squat/squat_side_rohan.mp4", 0.0, 8.3, "standing idle before the squats"),
    ("videos/squat/squat_side_yuyou.mp4", 9.8, 10.8, "walking towards the camera"),
    ("videos/jumping_jack/jumping_jack_front_tomnotchymk.mp4", 5.5, 11.0, "standing still after the title card"),
    ("videos/workout/pushup_two_sets_with_rest_webcam_calimiro_test1.mp4", 23.0, 27.0, "standing up and walking"),
    ("videos/workout/pushup_two_sets_with_rest_webcam_calimiro_test1.mp4", 13.3, 18.0, "resting on the knees"),
)


@pytest.fixture(scope="session")
def clips(data_dir: Path) -> list[LabelledClip]:
    return load_manifest(data_dir / "manifest.csv")


@pytest.fixture(scope="session")
def catalogue(data_dir: Path) -> list[LabelledClip]:
    manifest = data_dir / "catalogue_manifest.csv"
    if not manifest.is_file():
        pytest.skip(f"no catalogue manifest at {manifest}")
    return load_manifest(manifest)


@pytest.fixture(scope="session")
def pose_tracks(data_dir: Path, clips: list[LabelledClip]) -> dict[str, PoseTrack]:
    """Every clip of ``manifest.csv``, ``catalogue_manifest.csv`` and the no-exercise footage,
    through the real model once, by clip file name."""
    from fitness.pipeline.pose_track import estimate_track
    from fitness.pose.estimator import load_estimator

    estimator = load_estimator("lightning")
    paths = [c.path for c in clips]
    if (data_dir / "catalogue_manifest.csv").is_file():
        paths += [c.path for c in load_manifest(data_dir / "catalogue_manifest.csv")]
    paths += [data_dir / clip for clip, *_ in NOT_EXERCISES if (data_dir / clip).is_file()]
    return {p.name: estimate_track(p, estimator) for p in dict.fromkeys(paths)}


@pytest.fixture(scope="session")
def form_tracks(data_dir: Path) -> dict[str, PoseTrack]:
    """The clips of ``scenes_manifest.csv`` with labelled form (kind ``form``), through the real
    model once, by their path under the data folder."""
    import csv

    from fitness.pipeline.pose_track import estimate_track
    from fitness.pose.estimator import load_estimator

    manifest = data_dir / "scenes_manifest.csv"
    if not manifest.is_file():
        pytest.skip(f"no scenes manifest at {manifest}")
    with manifest.open(newline="") as fh:
        clips = [row["file"] for row in csv.DictReader(fh) if row["kind"] == "form"]
    estimator = load_estimator("lightning")
    return {clip: estimate_track(data_dir / clip, estimator) for clip in clips}
