"""The stream analyser on synthetic poses: recognition among all exercises, counters started
late catching up, the idle result before anything is recognised, results for holds."""

from __future__ import annotations

from pathlib import Path

from fitness.engine.values import Rep
from fitness.pipeline.stream import AUTO, MAX_COUNTERS, NONE, NOT_KNOWN, StreamAnalyzer, analyze_poses
from tests.figures import DT, horizontal_figure, reps, standing_figure


def test_auto_on_a_live_stream_reports_every_rep_once() -> None:
    analyzer = StreamAnalyzer(AUTO, keep_frames=False)
    announced: list[Rep] = []
    shown = []
    for i, k in enumerate(reps(3, 175, 80, down_s=1.0, up_s=1.0)):
        result = analyzer.update(standing_figure(k), i * DT)
        announced.extend(analyzer.new_reps)
        shown.append(analyzer.exercise)
    # Squats are recognised after the first one; that first rep is not lost on the way.
    assert shown[0] is None and shown[-1] == "squat"
    assert [r.index for r in announced] == [1, 2, 3]
    assert result.reps == 3 and len(analyzer.counters) <= MAX_COUNTERS


def test_before_anything_is_recognised_the_result_is_idle() -> None:
    analyzer = StreamAnalyzer(AUTO)
    result = analyzer.update(standing_figure(), 0.0)
    assert analyzer.exercise is None and analyzer.counter is None
    assert result.reps == 0 and result.note == "Looking for an exercise I know"
    assert analyzer.update(None, DT).note == "No one in view"


def test_standing_still_is_not_an_exercise() -> None:
    result = analyze_poses([(i * DT, standing_figure()) for i in range(300)], AUTO)
    assert result.exercise == NONE and not result.found and result.count == 0
    assert result.notes[0].startswith(NOT_KNOWN)
    assert result.exercise_name == NOT_KNOWN and result.spec is None
    doc = result.to_dict()
    assert doc["exercise"] == NONE and doc["reps"] == 0 and doc["kind"] == "reps"


def test_a_plank_recognised_as_a_hold() -> None:
    result = analyze_poses([(i * DT, horizontal_figure()) for i in range(301)], AUTO)
    assert result.exercise == "plank" and result.kind == "hold"
    assert result.hold_ms == round(300 * DT)
    doc = result.to_dict()
    assert doc["hold_s"] == 10.0 and doc["breaks"] == [] and doc["reps"] == 0
    assert len(result.frames) == 301 and result.frames[-1].hold_ms == result.hold_ms


def test_a_named_exercise_counts_from_the_first_frame_and_still_recognises() -> None:
    frames = [(i * DT, horizontal_figure(e)) for i, e in enumerate(reps(3, 175, 70))]
    result = analyze_poses(frames, "pushup")
    assert result.count == 3 and len(result.frames) == len(frames)
    assert result.recognition is not None and result.recognition.exercise == "pushup"


def test_a_pose_track_saves_and_loads(tmp_path: Path) -> None:
    import numpy as np

    from fitness.pipeline.pose_track import PoseTrack
    from fitness.pipeline.stream import VideoInfo

    poses = [standing_figure(k) for k in reps(1, 175, 80)] + [None]
    kps = np.stack([np.full((17, 3), np.nan) if p is None else p.keypoints for p in poses])
    scores = np.array([np.nan if p is None else p.score for p in poses])
    track = PoseTrack(VideoInfo("clip.mp4", 640, 480, 30.0, len(poses), 1000), np.arange(len(poses)) * DT, kps, scores)
    track.save(tmp_path / "clip.npz")
    back = PoseTrack.load(tmp_path / "clip.npz")
    assert back.video == track.video and len(back) == len(track)
    frames = back.frames()
    first, original = frames[0].pose, poses[0]
    assert frames[-1].pose is None and first is not None and original is not None
    assert np.allclose(first.keypoints, original.keypoints, atol=1e-3)  # stored as float32
    assert analyze_poses(frames, "squat").count == analyze_poses(track.frames(), "squat").count == 1
