"""The HUD over the webcam and annotated videos: readable from across the room at any frame size,
and a mirrored live view that flips the picture but never the words or the person's sides."""

from __future__ import annotations

import numpy as np
import pytest

from fitness.engine.counter import FrameResult
from fitness.engine.registry import REGISTRY
from fitness.engine.spec import Phase
from fitness.pipeline.hud import CUE, GOOD, draw_hud, live_view, mirror_pose, wrap
from fitness.pose.keypoints import INDEX
from fitness.pose.types import Box, Pose

SIZES = [(360, 202), (360, 640), (480, 640), (720, 1280), (2160, 3840)]  # (height, width)
LONG_CUE = "Keep your chest up and your knees over your toes all the way down"


def result(reps: int = 7, cues: tuple[str, ...] = (), per_side: dict[str, int] | None = None) -> FrameResult:
    return FrameResult(
        t_ms=0, angle=92.0, extension=0.1, phase=Phase.FLEXED, reps=reps, per_side=per_side or {}, side=None,
        view="side", signal="angle", cues=cues,
    )  # fmt: skip


def rows_of(image: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Row numbers holding pixels of exactly ``colour`` (the text's own, not its anti-aliased edge)."""
    return np.flatnonzero((image == np.array(colour, dtype=np.uint8)).all(axis=2).any(axis=1))


def bands(rows: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive rows: one per line of text."""
    out: list[tuple[int, int]] = []
    for r in rows.tolist():
        if out and r <= out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


@pytest.mark.parametrize(("h", "w"), SIZES)
def test_the_count_and_the_cue_are_a_fixed_share_of_the_frame(h: int, w: int) -> None:
    shown = draw_hud(np.zeros((h, w, 3), np.uint8), result(reps=7, cues=("Go lower",)), REGISTRY["squat"])
    unit = min(h, w)
    count = bands(rows_of(shown, GOOD))
    assert len(count) == 1
    # A digit about a quarter of the shorter side: readable from well beyond 3 m.
    assert 0.2 * unit <= count[0][1] - count[0][0] + 1 <= 0.3 * unit
    cue = bands(rows_of(shown, CUE))
    assert len(cue) == 1
    assert 0.05 * unit <= cue[0][1] - cue[0][0] + 1 <= 0.09 * unit  # "Go lower": capitals, a descender
    assert cue[0][0] > count[0][1]  # along the bottom, clear of the count


def test_a_long_cue_wraps_onto_a_second_line_instead_of_losing_its_end() -> None:
    shown = draw_hud(np.zeros((360, 640, 3), np.uint8), result(cues=(LONG_CUE,)), REGISTRY["squat"])
    assert len(bands(rows_of(shown, CUE))) == 2


def test_wrap_breaks_between_words_and_shortens_only_what_is_left_over() -> None:
    assert wrap("Go lower", 1.0, 2000) == ["Go lower"]
    lines = wrap(LONG_CUE, 1.0, 400)
    assert len(lines) == 2 and lines[0] + " " in LONG_CUE and lines[1].endswith("...")
    assert wrap(LONG_CUE, 1.0, 400, max_lines=5)[-1] == "way down"


def test_per_side_counts_are_drawn_for_an_exercise_done_on_both_sides() -> None:
    frame, curl = np.zeros((360, 640, 3), np.uint8), REGISTRY["curl"]
    plain = draw_hud(frame, result(reps=5), curl)
    sides = draw_hud(frame, result(reps=5, per_side={"left": 3, "right": 2}), curl)
    assert (sides != plain).any()


def person(width: int) -> Pose:
    """A standing figure on the left half of a ``width``-wide frame, its left side nearer the edge."""
    points = np.zeros((17, 3))
    for name, (x, y) in {
        "left_shoulder": (60, 100), "right_shoulder": (100, 100), "left_hip": (65, 200), "right_hip": (95, 200),
        "left_knee": (60, 280), "right_knee": (100, 280), "left_ankle": (60, 350), "right_ankle": (100, 350),
    }.items():  # fmt: skip
        points[INDEX[name]] = (x, y, 0.9)
    return Pose(points, 0.9, Box(40, 80, 120, 360))


def test_mirror_pose_moves_the_points_and_keeps_their_names() -> None:
    pose = person(640)
    flipped = mirror_pose(pose, 640)
    assert flipped["left_knee"].x == 639 - 60 and flipped["left_knee"].y == 280  # still the left knee
    assert flipped.box == Box(639 - 120, 80, 639 - 40, 360)
    assert mirror_pose(flipped, 640).keypoints.tolist() == pose.keypoints.tolist()


def test_the_mirrored_view_flips_the_picture_and_skeleton_but_not_the_words() -> None:
    frame = np.zeros((400, 640, 3), np.uint8)
    frame[150:250, 300:310] = 90  # something in the room, left of centre
    pose, res, spec = person(640), result(reps=4, cues=("Go lower",)), REGISTRY["squat"]
    straight = live_view(frame, pose, res, spec, mirror=False)
    mirrored = live_view(frame, pose, res, spec, mirror=True)
    assert (frame[150:250, 300:310] == 90).all() and frame.sum() == 90 * 100 * 10 * 3  # the camera frame untouched
    assert (mirrored[150:250, 640 - 310 : 640 - 300] == 90).all()
    # The skeleton (magenta: the person's left) is now on the right half, where a mirror shows it.
    magenta = (mirrored == np.array((255, 0, 255), np.uint8)).all(axis=2)
    assert magenta[:, 320:].sum() > 0 and magenta[100:, :320].sum() == 0
    # The HUD reads the same: the count panel top-left and the cue band are not flipped.
    unit = 400
    panel = slice(0, round(0.45 * unit)), slice(0, round(0.3 * unit))
    assert (mirrored[panel] == draw_hud(np.zeros_like(frame), res, spec)[panel]).all()
    assert len(rows_of(mirrored, CUE)) == len(rows_of(straight, CUE))


def test_the_annotated_video_marks_the_frame_each_cue_was_judged_on() -> None:
    from fitness.pipeline.stream import analyze_poses
    from fitness.pipeline.video_analysis import MARK_MS, annotate, cue_marks
    from tests.figures import DT, reps, standing_figure

    # Two squats leaning far forward: "Keep your chest up", judged at the deepest lean.
    knees = reps(2, 175, 70)
    poses = [standing_figure(k, shin_lean=30.0, lean=(175 - k) * 0.6) for k in knees]
    analysis = analyze_poses([(i * DT, p) for i, p in enumerate(poses)], "squat")
    marks = cue_marks(analysis)
    assert [m.t_ms for m in marks] == [c.t_ms for r in analysis.reps for c in r.cues]
    first = marks[0]
    assert first.text.startswith("Rep 1: Keep your chest up (") and "target ≤ 50°" in first.text
    assert set(first.joints) == {"left_shoulder", "left_hip"}
    i = round(first.t_ms / DT)
    frame = np.zeros((1080, 1920, 3), np.uint8)  # the figure stands clear of the text along the bottom
    plain = annotate(frame, poses[i], analysis.frames[i], analysis.spec)
    marked = annotate(frame, poses[i], analysis.frames[i], analysis.spec, marks=marks, frame_ms=i * DT)
    # Rings round the hip and the shoulder in the cue's colour, and the cue's text along the bottom.
    for joint in first.joints:
        x, y = (round(v) for v in poses[i].xy(joint))
        ring = marked[max(0, y - 40) : y + 40, max(0, x - 40) : x + 40]
        assert (ring == np.array(CUE, np.uint8)).all(axis=2).any(), joint
    assert (marked[-80:] != plain[-80:]).any()
    # Gone once its time on the picture is over.
    later = annotate(frame, poses[0], analysis.frames[0], analysis.spec, marks=marks, frame_ms=first.t_ms + MARK_MS)
    assert (later == annotate(frame, poses[0], analysis.frames[0], analysis.spec)).all()
