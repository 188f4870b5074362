"""The engine at 15 poses a second behaves as at 30: what it waits for is stated in time, not in
frames, and what it keeps a set open on is what the recogniser would give the set's exercise.

Each test is one root cause of a difference the joined workouts showed between the two rates
(README, "One video file, whole command"), on made-up frames or movements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fitness.engine.context import ContextTracker
from fitness.engine.machines import MAX_REP_MS, Cycle, PhaseMachine
from fitness.engine.registry import REGISTRY
from fitness.engine.segmentation import Movement, overruled
from fitness.engine.signal import SideSignal
from tests.engine.test_segmentation import cycles, run, spans
from tests.figures import standing_figure

ARM = ("left_shoulder", "left_elbow", "left_wrist")


def _visibility(fps: float, until_ms: float) -> float:
    """The curl's left-arm visibility at ``until_ms``: the arm hidden for the first second,
    then in plain view, seen ``fps`` frames a second."""
    signal = SideSignal(REGISTRY["curl"], "left")
    tracker = ContextTracker()
    for i in range(round(until_ms * fps / 1000.0) + 1):
        t = i * 1000.0 / fps
        pose = standing_figure(hide=ARM if t < 999.0 else ())
        signal.read(tracker.update(pose, t), use_fallback=False)
    return signal.visibility


def test_visibility_follows_a_change_in_the_same_time_at_any_frame_rate() -> None:
    # 0.2 s after the arm comes into view it is most of the way to its score (0.9) at both
    # rates (the first frame seen weighs the time since the frame before, a little more at 15
    # frames a second). Averaged per frame, a fifth of the way each frame, 15 frames a second
    # took twice as long as 30 (0.46 against 0.72 here): which arm a counter follows and
    # whether a rep was under way then depended on the frame rate.
    at_30, at_15 = _visibility(30.0, 1200.0), _visibility(15.0, 1200.0)
    assert 0.6 < at_30 < 0.85
    assert abs(at_30 - at_15) < 0.06


def _cycles(fps: float, extension: Callable[[float], float], until_s: float) -> list[Cycle]:
    machine = PhaseMachine(400, 2000, MAX_REP_MS)
    found = []
    for i in range(round(until_s * fps) + 1):
        t = i * 1000.0 / fps
        done = machine.step(t, extension(t))
        if done is not None:
            found.append(done)
    return found


def _left_and_came_back(t_ms: float) -> float:
    # At the start position; from 1 s the limb hangs halfway for 11 s (another exercise's
    # movement, a walk), passes the turning point at 12 s and is back at 12.5 s; then one real
    # 2 s rep from 14 s.
    if t_ms < 1000 or 12_500 <= t_ms < 14_000 or t_ms >= 16_000:
        return 1.2
    if t_ms < 12_000:
        return 0.5
    if t_ms < 12_500:
        return -0.1
    return 0.5 if t_ms < 14_500 else -0.1 if t_ms < 15_500 else 0.5


def test_a_rep_under_way_longer_than_the_slowest_rep_is_dropped_at_any_frame_rate() -> None:
    # Without the limit the 11.5 s excursion was a rep, and which frame a stream's counter
    # joined on decided whether one was under way at all.
    for fps in (30.0, 15.0):
        found = _cycles(fps, _left_and_came_back, 20.0)
        assert [round(c.start_ms / 1000) for c in found] == [14], fps
    assert PhaseMachine(400, 2000).max_rep_ms == float("inf")  # the machine alone sets no limit


def test_a_set_ends_though_its_counter_counts_a_rep_over_the_next_exercises_cycles() -> None:
    # The close-up curls, walk and lunges of tests/pipeline/test_workouts_real.py at 15 poses
    # a second, as the segmenter was told them: five curls (their signature's cycles and the
    # counter's reps), three lunges, and a 6.6 s "curl" the curl counter counted over the
    # arms swinging through the first two lunges (under way all along: no rest). The lunges'
    # cycles explain that stretch, so
    # the curl set ends with its last real curl and the lunges are a set of their own; when
    # the stray "curl" kept the curl set open, the lunges outweighed it and the curls were lost.
    curls = [replace(m, weight=1.75) for m in cycles("curl", 23.2, 5, every_s=2.0, length_s=1.1)]
    reps = [replace(m, kind="rep", weight=1.0) for m in curls]
    lunges = [Movement("lunge", a, b, weight=1.5) for a, b in ((35_600, 38_600), (39_800, 41_800), (42_900, 44_700))]
    stray = Movement("curl", 36_400, 43_000, "rep")
    assert overruled(stray, lunges)
    found = spans(run(curls + reps + lunges + [stray], 60_000, busy=(36_400, 43_000)))
    assert found == [("curl", 23.2, 32.3, "switch"), ("lunge", 35.6, 44.7, "rest")]


def test_a_squat_glimpsed_in_a_jumping_jacks_hop_does_not_keep_the_squat_set_open() -> None:
    # Squats, then jumping jacks whose second hop also reads as a squat (head-on, a hop lowers
    # the hips), reported just after it. The jumping jack's description is the heavier, so that
    # stretch is the jumping jacks': the squat set ends with the last squat, and the jumping
    # jacks' set starts with their first (it had lost the two before the glimpse).
    squats = cycles("squat", 0, 3, every_s=2.5, length_s=2.0)
    jacks = [replace(m, weight=1.5) for m in cycles("jumping_jack", 9.0, 6, every_s=1.0, length_s=0.7)]
    glimpse = [Movement("squat", 10_100, 10_800), Movement("squat", 10_100, 10_800, "rep")]
    found = spans(run(squats + jacks + glimpse, 40_000))
    assert found == [("squat", 0.0, 7.0, "switch"), ("jumping_jack", 9.0, 14.7, "rest")]
