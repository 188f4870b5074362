"""Every movement kind, stepped frame by frame on synthetic poses with exact expectations.

Reps that start flexed (a press: rack -> lockout -> rack), holds (the clock, breaks, grace,
unseen stretches), alternating sides (each side on its own, the total their sum) and
sequences of positions (a burpee: stand -> plank -> stand); plus property tests: a hold's time
never exceeds the time the position was held, per-side counts always sum to the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitness.engine.counter import FrameResult, RepCounter
from fitness.engine.machines import HoldClock, SequenceMachine
from fitness.engine.registry import REGISTRY
from fitness.engine.spec import AngleDef, ExerciseSpec, Requirement
from fitness.pose.types import Pose
from tests.figures import DT, FPS, blend, horizontal_figure, press_figure, ramp, reps, standing_figure, wall_sit_figure


def run(counter: RepCounter, poses: Sequence[Pose | None], t0: float = 0.0) -> list[FrameResult]:
    return [counter.update(p, t0 + i * DT) for i, p in enumerate(poses)]


def hold(n: int, pose: Pose) -> list[Pose]:
    return [pose] * n


# -- reps that start flexed ------------------------------------------------------------------


def presses(n: int, *, start_racked: int = 15) -> list[Pose]:
    """``n`` presses: rack -> lockout -> rack, 0.8 s each way, a pause at the rack."""
    lifts = [0.0] * start_racked
    for _ in range(n):
        lifts += ramp(0.0, 1.0, 0.8) + ramp(1.0, 0.0, 0.8) + [0.0] * 15
    return [press_figure(v) for v in lifts]


def test_presses_start_at_the_shoulders_and_count_on_the_way_back() -> None:
    counter = RepCounter(REGISTRY["overhead_press"])
    results = run(counter, presses(3))
    assert counter.count == 3 and results[-1].reps == 3
    rep = counter.reps[0]
    # The turning point of a press is the lockout, and lowering the weight is the eccentric.
    assert rep.bottom_ms == pytest.approx((15 + 24) * DT, abs=2 * DT)
    assert rep.concentric_ms == pytest.approx(rep.bottom_ms - rep.start_ms, abs=1)
    assert rep.eccentric_ms == pytest.approx(rep.end_ms - rep.bottom_ms, abs=1)
    assert rep.verdict == "good"


def test_a_press_held_at_lockout_at_the_end_is_not_a_rep_yet() -> None:
    counter = RepCounter(REGISTRY["overhead_press"])
    lifts = [0.0] * 15 + ramp(0.0, 1.0, 0.8) + [1.0] * 60
    run(counter, [press_figure(v) for v in lifts])
    assert counter.count == 0


def test_a_stream_starting_at_lockout_waits_for_the_rack() -> None:
    # Starting at the turning point (arms locked out) means the rep was not seen start.
    counter = RepCounter(REGISTRY["overhead_press"])
    lifts = [1.0] * 15 + ramp(1.0, 0.0, 0.8) + [0.0] * 15 + ramp(0.0, 1.0, 0.8) + ramp(1.0, 0.0, 0.8) + [0.0] * 10
    run(counter, [press_figure(v) for v in lifts])
    assert counter.count == 1


def test_arms_that_never_come_down_to_the_shoulders_say_so() -> None:
    from fitness.pipeline.stream import analyze_poses

    frames = [(i * DT, press_figure(1.0)) for i in range(90)]
    result = analyze_poses(frames, "overhead_press")
    assert result.count == 0
    assert REGISTRY["overhead_press"].never_started in result.notes


def test_arms_never_overhead_in_a_triceps_extension_say_so() -> None:
    from fitness.pipeline.stream import analyze_poses

    # Curling with the arms down: the elbow bends and straightens, but never overhead.
    frames = [(i * DT, standing_figure(elbow=e)) for i, e in enumerate(reps(3, 170, 40))]
    result = analyze_poses(frames, "tricep_extension")
    assert result.count == 0
    assert "Raise your elbows overhead (never the case here)" in result.notes


# -- holds ------------------------------------------------------------------------------------


PLANK = horizontal_figure()
SAGGING = horizontal_figure(sag=60)


def test_a_plank_is_timed_between_its_first_and_last_frame() -> None:
    counter = RepCounter(REGISTRY["plank"])
    results = run(counter, hold(300, PLANK))
    assert counter.hold_ms == round(299 * DT)
    assert results[-1].kind == "hold" and results[-1].holding
    assert results[-1].hold_ms == counter.hold_ms
    assert counter.breaks == ()


def test_a_short_sag_pauses_the_clock_without_a_break() -> None:
    counter = RepCounter(REGISTRY["plank"])
    run(counter, hold(90, PLANK) + hold(9, SAGGING) + hold(90, PLANK))
    # 89 intervals before, 89 after: the 0.3 s sag (under the 1 s grace) is not counted and
    # not reported.
    assert counter.hold_ms == round(178 * DT)
    assert counter.breaks == ()


def test_a_long_sag_is_a_break_with_its_time_and_reason() -> None:
    counter = RepCounter(REGISTRY["plank"])
    results = run(counter, hold(90, PLANK) + hold(60, SAGGING) + hold(90, PLANK))
    assert counter.hold_ms == round(178 * DT)
    (brk,) = counter.breaks
    assert brk.id == "hips_sag" and brk.reason == "Tighten your core: hips are sagging"
    # The clock stopped after the last frame in position and ran again at the first one back.
    assert brk.start_ms == round(89 * DT) and brk.end_ms == round(150 * DT)
    assert brk.to_dict() == {"t_s": 2.97, "duration_s": 2.03, "reason": brk.reason, "id": "hips_sag"}
    assert "Tighten your core: hips are sagging" in results[120].cues and not results[120].holding


def test_unseen_stretches_count_when_the_hold_resumes_but_not_at_the_end() -> None:
    hidden = horizontal_figure(hide=("left_knee", "right_knee", "left_ankle", "right_ankle", "left_hip", "right_hip"))
    counter = RepCounter(REGISTRY["plank"])
    run(counter, hold(90, PLANK) + hold(60, hidden) + hold(90, PLANK) + hold(45, hidden))
    counter.finish()
    # The 2 s in the middle were unseen but bounded by the plank: held. The unseen tail is not.
    assert counter.hold_ms == round(239 * DT)
    assert counter.breaks == ()


def test_stepping_out_of_view_breaks_the_hold() -> None:
    counter = RepCounter(REGISTRY["plank"])
    run(counter, [*hold(90, PLANK), *([None] * 45), *hold(90, PLANK)])
    assert counter.hold_ms == round(178 * DT)
    (brk,) = counter.breaks
    assert (brk.id, brk.reason) == ("away", "No one in view")


def test_push_ups_are_not_a_plank_hold() -> None:
    counter = RepCounter(REGISTRY["plank"])
    run(counter, [horizontal_figure(e) for e in reps(4, 175, 70, rest_s=0.2)])
    # The top of each push-up is a plank for a moment at most; moving, it is not held.
    assert (counter.hold_ms or 0) < 1000


def test_wall_sit_needs_level_thighs() -> None:
    standing = RepCounter(REGISTRY["wall_sit"])
    run(standing, hold(150, standing_figure(175)))
    assert standing.hold_ms == 0
    sitting = RepCounter(REGISTRY["wall_sit"])
    run(sitting, hold(150, wall_sit_figure()))
    assert sitting.hold_ms == round(149 * DT)
    # Sliding up until the thighs point 45 deg down is not a wall sit any more.
    sliding = RepCounter(REGISTRY["wall_sit"])
    results = run(sliding, hold(60, wall_sit_figure()) + hold(60, wall_sit_figure(45)))
    assert sliding.hold_ms == round(59 * DT)
    assert results[-1].note == "Slide down until your thighs are level"


def test_hold_clock_unit() -> None:
    clock = HoldClock(grace_ms=500)
    states = ["in"] * 10 + ["out"] * 20 + ["in"] * 10 + ["unknown"] * 5 + ["in"] * 5
    for i, s in enumerate(states):
        clock.step(i * 100.0, s, "sagging", "hips_sag")  # type: ignore[arg-type]
    assert clock.held_ms == pytest.approx((9 + 9 + 5 + 5) * 100.0)
    (brk,) = clock.breaks
    assert (brk.start_ms, brk.end_ms, brk.id) == (900, 3000, "hips_sag")
    with pytest.raises(ValueError, match="-1"):
        HoldClock(-1)


hold_states = st.lists(st.tuples(st.sampled_from(["in", "out"]), st.floats(1.0, 500.0)), max_size=200)


@given(hold_states, st.floats(0.0, 3000.0))
def test_property_a_hold_never_exceeds_the_time_in_position(steps: list[tuple[str, float]], grace: float) -> None:
    clock = HoldClock(grace)
    t, prev, in_position = 0.0, None, 0.0
    for state, dt in steps:
        t += dt
        clock.step(t, state)  # type: ignore[arg-type]
        if state == "in" and prev == "in":
            in_position += dt
        prev = state
    clock.finish()
    assert clock.held_ms <= in_position + 1e-6
    assert all(b.duration_ms >= grace - 1 for b in clock.breaks)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=60))
def test_property_plank_time_never_exceeds_the_frames_in_position(sagging: list[bool]) -> None:
    # Each boolean is 5 frames of plank (False) or of sagging hips (True).
    poses = [SAGGING if s else PLANK for s in sagging for _ in range(5)]
    counter = RepCounter(REGISTRY["plank"])
    run(counter, poses)
    counter.finish()
    held_pairs = sum(1 for a, b in pairwise(poses) if a is PLANK and b is PLANK)
    assert (counter.hold_ms or 0) <= round(held_pairs * DT) + 1


# -- alternating sides -----------------------------------------------------------------------


ALTERNATING_CURL = replace(REGISTRY["curl"], key="alternating_curl", sides="alternating")


def test_alternating_sides_are_counted_each_on_its_own() -> None:
    one = reps(1, 170, 40, rest_s=0.0)
    rest = [170.0] * len(one)
    left = ([170.0] * 10 + one + rest) * 3 + [170.0] * 10
    right = ([170.0] * 10 + rest + one) * 3 + [170.0] * 10
    counter = RepCounter(ALTERNATING_CURL)
    results = run(counter, [standing_figure(elbow=(lft, rgt)) for lft, rgt in zip(left, right, strict=True)])
    assert counter.per_side() == {"left": 3, "right": 3}
    assert counter.count == 6 and results[-1].per_side == {"left": 3, "right": 3}
    assert [r.side for r in counter.reps] == ["left", "right"] * 3


def test_alternating_sides_moving_together_count_twice() -> None:
    # Unlike two-arm curls ("both"), alternating sides are never merged: two legs, two reps.
    counter = RepCounter(ALTERNATING_CURL)
    run(counter, [standing_figure(elbow=e) for e in reps(2, 170, 40)])
    assert counter.per_side() == {"left": 2, "right": 2} and counter.count == 4


angles = st.lists(st.floats(30, 180), min_size=2, max_size=40)


@settings(max_examples=30, deadline=None)
@given(angles, angles)
def test_property_per_side_counts_sum_to_the_total(left: list[float], right: list[float]) -> None:
    def wave(points: list[float]) -> list[float]:
        out: list[float] = []
        for a, b in pairwise(points):
            out += ramp(a, b, 0.3)
        return out

    lw, rw = wave(left), wave(right)
    n = min(len(lw), len(rw))
    counter = RepCounter(ALTERNATING_CURL)
    results = run(counter, [standing_figure(elbow=(a, b)) for a, b in zip(lw[:n], rw[:n], strict=True)])
    assert sum(counter.per_side().values()) == counter.count
    assert all(sum(r.per_side.values()) == r.reps for r in results)


# -- sequences --------------------------------------------------------------------------------


STAND = standing_figure()
CROUCH = standing_figure(90, lean=40)


def burpees(n: int) -> list[Pose]:
    """Stand -> crouch -> plank -> crouch -> stand, ``n`` times, moving smoothly between them."""
    poses = hold(15, STAND)
    for _ in range(n):
        poses += blend(STAND, CROUCH, 0.4) + blend(CROUCH, PLANK, 0.4) + hold(6, PLANK)
        poses += blend(PLANK, CROUCH, 0.4) + blend(CROUCH, STAND, 0.4) + hold(10, STAND)
    return poses


def test_burpees_count_each_completed_sequence() -> None:
    counter = RepCounter(REGISTRY["burpee"])
    results = run(counter, burpees(3))
    assert counter.count == 3 and counter.stats.cuts == 0
    assert results[-1].position == "standing"
    assert any(r.position == "plank" for r in results)


def test_a_burpee_that_never_reaches_the_plank_is_not_counted() -> None:
    counter = RepCounter(REGISTRY["burpee"])
    squat_only = hold(15, STAND) + (blend(STAND, CROUCH, 0.5) + blend(CROUCH, STAND, 0.5) + hold(10, STAND)) * 3
    run(counter, squat_only)
    assert counter.count == 0


def test_a_burpee_cut_short_at_the_end_is_not_counted() -> None:
    counter = RepCounter(REGISTRY["burpee"])
    poses = burpees(2) + blend(STAND, CROUCH, 0.4) + blend(CROUCH, PLANK, 0.4) + hold(10, PLANK)
    run(counter, poses)
    assert counter.count == 2


def test_sequence_machine_unit() -> None:
    machine = SequenceMachine(3, dwell_ms=0, max_pass_ms=10_000, cyclic=True)
    a, b = (True, False, True), (False, True, False)
    passes = [machine.step(i * 100.0, m) for i, m in enumerate([a, a, b, b, a, a, b, a, b])]
    # a -> b -> a completes; the end is the next start: b -> a completes again; the last b is half.
    assert [i for i, p in enumerate(passes) if p is not None] == [4, 7]
    with pytest.raises(ValueError, match="two positions"):
        SequenceMachine(1, 0, 1, cyclic=False)


def test_a_sequence_stalled_too_long_starts_over() -> None:
    machine = SequenceMachine(3, dwell_ms=0, max_pass_ms=1000, cyclic=False)
    start, middle, end, none = (True, False, False), (False, True, False), (False, False, True), (False, False, False)
    steps = [start, middle] + [none] * 30 + [end]
    assert all(machine.step(i * 100.0, m) is None for i, m in enumerate(steps))


# -- validation of the new spec fields ---------------------------------------------------------


def _hold(**overrides: object) -> ExerciseSpec:
    base: dict[str, object] = {
        "key": "side_plank",
        "name": "Side plank",
        "kind": "hold",
        "primary": AngleDef("shoulder", "hip", "ankle"),
        "extended": None,
        "flexed": None,
        "orientation": "horizontal",
        "setup_message": "Lie on your side",
        "requirements": (Requirement("Lift your hips", AngleDef("shoulder", "hip", "ankle"), min_value=160),),
    }
    base.update(overrides)
    return ExerciseSpec(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"kind": "stretch"}, "'stretch'"),
        ({"requirements": ()}, "a hold needs requirements"),
        ({"start": "middle"}, "'middle'"),
        ({"grace_s": -1}, "grace_s must be in"),
        ({"kind": "sequence"}, "at least two positions, got 0"),
        ({"still": ("tail",)}, "'tail'"),
        ({"kind": "reps"}, "reps need both thresholds"),
    ],
)
def test_new_spec_fields_reject_bad_values_naming_them(overrides: dict[str, object], needle: str) -> None:
    _hold()  # the base is valid
    with pytest.raises(ValueError, match=needle):
        _hold(**overrides)


def test_overshoot_must_lie_beyond_the_flexed_threshold() -> None:
    crunch = REGISTRY["crunch"]
    with pytest.raises(ValueError, match=r"overshoot=0\.95"):
        replace(crunch, overshoot=0.95)


def test_form_rule_ids_are_unique_and_identifiers() -> None:
    squat = REGISTRY["squat"]
    with pytest.raises(ValueError, match="unique"):
        replace(squat, rules=squat.rules + squat.rules[:1])
    with pytest.raises(ValueError, match="'Depth'"):
        replace(squat.rules[0], id="Depth")
    assert squat.rule("depth").cue == "Go lower: hips to knee height"
    with pytest.raises(KeyError, match="depth, chest_up, knees_in"):
        squat.rule("heels")


def test_frame_rate_does_not_change_a_hold() -> None:
    # The same 5 s plank at 30 and at 12 fps.
    for fps in (FPS, 12.0):
        counter = RepCounter(REGISTRY["plank"])
        for i in range(round(5 * fps) + 1):
            counter.update(PLANK, i * 1000.0 / fps)
        assert counter.hold_ms == pytest.approx(5000, abs=1)
