"""The people tracker stepped frame by frame (norfair-style): exact ids through standing, leaving,
coming back, crossing and newcomers, and the counters that hang off those ids.

Figures are stick people built from joint angles (tests/figures.py); no frames, so ids come from
positions alone (the clothes term is exercised by the real-footage tests).
"""

from __future__ import annotations

import pytest

from fitness.errors import FitnessError
from fitness.pipeline.group import GroupAnalyzer, PeopleFrame, analyze_people, check_people
from fitness.pipeline.stream import VideoInfo
from fitness.pose.tracking import PoseTracker, TrackerOptions, body_height, centre_x
from fitness.pose.types import Pose
from tests.figures import DT, FPS, reps, standing_figure

LEFT, RIGHT = -300.0, 900.0  # x offsets: two people a body height apart


def squatter(knee: float, x: float, hide: tuple[str, ...] = ()) -> Pose:
    return standing_figure(knee, view="front", shift=(x, 0.0), hide=hide)


def run(tracker: PoseTracker, frames: list[list[Pose]]) -> list[dict[int, Pose]]:
    return [tracker.update(poses) for poses in frames]


def ids_by_side(out: list[dict[int, Pose]]) -> dict[int, set[str]]:
    """For each id, which side(s) of x=600 its poses were on."""
    sides: dict[int, set[str]] = {}
    for people in out:
        for pid, pose in people.items():
            sides.setdefault(pid, set()).add("left" if centre_x(pose) < 600 else "right")
    return sides


def test_two_people_get_ids_left_to_right_and_keep_them() -> None:
    tracker = PoseTracker(TrackerOptions(rate_hz=FPS))
    knees = reps(3, 178, 80)
    out = run(tracker, [[squatter(k, RIGHT), squatter(k, LEFT)] for k in knees])
    # Confirmed after two frames, then both on every frame.
    assert out[0] == {} and out[1] == {}
    assert all(set(o) == {1, 2} for o in out[2:])
    assert ids_by_side(out) == {1: {"left"}, 2: {"right"}}


def test_the_frames_before_confirmation_are_handed_over_with_their_times() -> None:
    tracker = PoseTracker(TrackerOptions(rate_hz=FPS))
    frames = [[squatter(178, LEFT), squatter(170, RIGHT)], [squatter(176, LEFT), squatter(160, RIGHT)]]
    frames.append([squatter(174, LEFT), squatter(150, RIGHT)])
    out = [tracker.update(poses, None, i * DT) for i, poses in enumerate(frames)]
    assert out[0] == {} and out[1] == {} and set(out[2]) == {1, 2}
    assert sorted(tracker.earlier) == [1, 2]
    for person, side in ((1, 0), (2, 1)):
        assert [t for t, _ in tracker.earlier[person]] == [0.0, DT]
        assert [p for _, p in tracker.earlier[person]] == [frames[0][side], frames[1][side]]
    tracker.update(frames[2], None, 3 * DT)
    assert tracker.earlier == {}


def test_a_rep_begun_on_the_first_frame_is_counted() -> None:
    """Five updates a second (a 5 fps clip) and two squats of 1.6 s from the very first frame: the
    confirmation's two frames are the first rep's first 0.4 s. Replayed to each new person's counter,
    both squats count (without them the first is missed)."""
    rate = 5.0
    knees = reps(2, 178, 80, rest_s=0.0)[:: round(FPS / rate)] + [178.0] * 5
    tracker = PoseTracker(TrackerOptions(rate_hz=rate))
    group = GroupAnalyzer("squat", width=1600)
    for i, knee in enumerate(knees):
        t_ms = i * 1000.0 / rate
        group.update(
            tracker.update([squatter(knee, LEFT), squatter(knee, RIGHT)], None, t_ms), t_ms, None, tracker.earlier
        )
    result = group.result(VideoInfo("", 1600, 900, rate, len(knees), round(len(knees) * 1000 / rate)))
    assert [(p.person, p.count, p.first_ms) for p in result.people] == [(1, 2, 0), (2, 2, 0)]


def test_a_person_who_leaves_and_returns_within_seconds_keeps_their_id() -> None:
    tracker = PoseTracker(TrackerOptions(rate_hz=FPS))
    both = [[squatter(178, LEFT), squatter(178, RIGHT)]] * 30
    alone = [[squatter(178, LEFT)]] * round(3 * FPS)  # the right one is gone for 3 s
    out = run(tracker, both + alone + both)
    assert set(out[-1]) == {1, 2}
    assert tracker.people_seen == 2
    assert ids_by_side(out) == {1: {"left"}, 2: {"right"}}


def test_someone_away_longer_than_reid_comes_back_as_a_new_person() -> None:
    opts = TrackerOptions(rate_hz=FPS, keep_lost_s=0.5, reid_s=2.0)
    tracker = PoseTracker(opts)
    both = [[squatter(178, LEFT), squatter(178, RIGHT)]] * 30
    alone = [[squatter(178, LEFT)]] * round(4 * FPS)
    out = run(tracker, both + alone + both)
    assert set(out[-1]) == {1, 3}


def test_a_newcomer_gets_a_new_id() -> None:
    tracker = PoseTracker(TrackerOptions(rate_hz=FPS))
    one = [[squatter(178, LEFT)]] * 30
    two = [[squatter(178, LEFT), squatter(178, RIGHT)]] * 30
    out = run(tracker, one + two)
    assert set(out[29]) == {1}
    assert set(out[-1]) == {1, 2}


def test_people_crossing_behind_each_other_do_not_swap() -> None:
    """B walks from left to right behind A (hidden while they overlap) at 1.5 body heights a second."""
    tracker = PoseTracker(TrackerOptions(rate_hz=FPS))
    a_x = 300.0
    frames: list[list[Pose]] = []
    for i in range(round(4 * FPS)):
        b_x = -900.0 + i * 1800.0 / (4 * FPS)
        a = squatter(178, a_x)
        b = squatter(178, b_x)
        hidden = abs(centre_x(a) - centre_x(b)) < 0.35 * body_height(a)
        frames.append([a] if hidden else [a, b])
    out = run(tracker, frames)
    a_ids = {pid for o in out for pid, p in o.items() if abs(centre_x(p) - centre_x(squatter(178, a_x))) < 1}
    assert a_ids in ({1}, {2})
    assert tracker.people_seen == 2
    first_b = next(pid for pid in out[5] if pid not in a_ids)
    last_b = next(pid for pid in out[-1] if pid not in a_ids)
    assert first_b == last_b


def test_counts_follow_ids_through_a_gap() -> None:
    """Left squats 3, right squats 2 and steps out for 3 s between its reps: counts stay apart."""
    left_knees = reps(3, 178, 80, rest_s=1.5)
    right_knees = reps(1, 178, 80) + [178.0] * 10
    n = len(left_knees)
    tracker = PoseTracker(TrackerOptions(rate_hz=FPS))
    frames: list[PeopleFrame] = []
    for i in range(n + len(right_knees)):
        poses = [squatter(left_knees[min(i, n - 1)], LEFT)]
        if i < len(right_knees):
            poses.append(squatter(right_knees[i], RIGHT))
        elif i >= len(right_knees) + round(3 * FPS) and i - len(right_knees) - round(3 * FPS) < len(right_knees):
            poses.append(squatter(right_knees[i - len(right_knees) - round(3 * FPS)], RIGHT))
        frames.append(PeopleFrame(i * DT, tracker.update(poses)))
    result = analyze_people(frames, "squat", width=1600)
    assert [(p.person, p.count) for p in result.people] == [(1, 3), (2, 2)]
    assert result.people[0].x < 0.5 < result.people[1].x


def test_nobody_is_zero_people_with_a_note() -> None:
    frames = [PeopleFrame(i * DT, {}) for i in range(30)]
    result = analyze_people(frames, "squat", width=640)
    assert result.people == ()
    assert result.notes == ("No person found in the video: 0 reps",)


def test_a_person_seen_briefly_is_not_reported() -> None:
    group = GroupAnalyzer("squat", width=1600)
    for i in range(60):
        people = {1: squatter(178, LEFT)}
        if i < 10:
            people[2] = squatter(178, RIGHT)
        group.update(people, i * DT)
    assert group.chosen() == [1]


def test_limit_keeps_the_most_visible_and_says_so() -> None:
    group = GroupAnalyzer("squat", width=2400)
    hidden_knee = ("left_knee", "right_knee", "left_ankle", "right_ankle")
    for i in range(60):
        group.update({1: squatter(178, LEFT), 2: squatter(178, RIGHT), 3: squatter(178, 2100, hidden_knee)}, i * DT)
    result = group.result(VideoInfo("", 2400, 1000, 30.0, 60, 2000), limit=2)
    assert [p.person for p in result.people] == [1, 2]
    assert "3 people seen: counting the 2 most visible (use --people 3)" in result.notes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "--people must be from 1 to 6 (the pose model sees at most 6 people), got 0"),
        ("7", "--people must be from 1 to 6 (the pose model sees at most 6 people), got 7"),
        ("two", "--people must be a number from 1 to 6 or 'auto', got 'two'"),
    ],
)
def test_bad_people_values_say_what_is_allowed(value: str, message: str) -> None:
    with pytest.raises(FitnessError) as err:
        check_people(value)
    assert str(err.value) == message


def test_good_people_values() -> None:
    assert check_people("auto") is None
    assert check_people("2") == 2
    assert check_people(6) == 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_hz": 0}, "rate_hz must be positive, got 0"),
        ({"max_distance": -1.0}, "max_distance must be positive, got -1.0"),
        ({"appearance_weight": 2.0}, "appearance_weight must be within [0, 1], got 2.0"),
        ({"confirm_frames": 40}, "confirm_frames must be within [0, 30) (keep_lost_s x rate_hz), got 40"),
    ],
)
def test_tracker_options_are_validated(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError) as err:
        TrackerOptions(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message
