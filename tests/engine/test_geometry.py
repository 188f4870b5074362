"""Pure geometry, spec validation, the exercise registry and camera-view detection."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitness.engine.geometry import (
    distance,
    joint_angle,
    line_bend,
    midpoint,
    tilt_from_horizontal,
    tilt_from_vertical,
    vertical_gap,
)
from fitness.engine.registry import REGISTRY, get_spec
from fitness.engine.spec import (
    AngleDef,
    ExerciseSpec,
    FormRule,
    HeightSignal,
    Phase,
    Requirement,
    TiltDef,
    WidthRatioDef,
    resolve,
)
from fitness.engine.view import ViewTracker, classify
from tests.figures import horizontal_figure, standing_figure

coord = st.floats(-1000, 1000, allow_nan=False)


def test_joint_angle_of_right_angle_and_straight_limb() -> None:
    assert joint_angle((0, -1), (0, 0), (1, 0)) == pytest.approx(90.0)
    assert joint_angle((0, -1), (0, 0), (0, 1)) == pytest.approx(180.0)
    assert joint_angle((1, 1), (0, 0), (1, 1)) == pytest.approx(0.0, abs=1e-4)


def test_degenerate_limb_is_nan_not_an_exception() -> None:
    assert math.isnan(joint_angle((0, 0), (0, 0), (1, 0)))
    assert math.isnan(tilt_from_vertical((3, 3), (3, 3)))
    assert math.isnan(line_bend((0, 0), (0, 0), (1, 0)))


points = st.tuples(coord, coord)


@given(points, points, points)
def test_joint_angle_is_symmetric_and_bounded(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> None:
    angle = joint_angle(a, b, c)
    if math.isnan(angle):
        return
    assert 0.0 <= angle <= 180.0
    assert joint_angle(c, b, a) == pytest.approx(angle, abs=1e-6)


def test_tilts() -> None:
    assert tilt_from_vertical((0, 0), (0, 10)) == pytest.approx(0.0)
    assert tilt_from_vertical((0, 0), (10, 10)) == pytest.approx(45.0)
    assert tilt_from_vertical((0, 10), (0, 0)) == pytest.approx(0.0)  # direction does not matter
    assert tilt_from_horizontal((0, 0), (10, 0)) == pytest.approx(0.0)


def test_line_bend_sign_means_below_the_line_whichever_way_one_faces() -> None:
    # y grows downwards: (5, 1) sits below the line from (0, 0) to (10, 0).
    assert line_bend((0, 0), (5, 1), (10, 0)) > 0
    assert line_bend((10, 0), (5, 1), (0, 0)) > 0
    assert line_bend((0, 0), (5, -1), (10, 0)) < 0
    assert line_bend((0, 0), (5, 0), (10, 0)) == pytest.approx(0.0)


def test_distances() -> None:
    assert distance((0, 0), (3, 4)) == pytest.approx(5.0)
    assert midpoint((0, 0), (2, 4)) == (1.0, 2.0)
    assert vertical_gap((0, 10), (0, 50)) == pytest.approx(40.0)


def test_names_resolve_per_side() -> None:
    assert resolve("knee", "left") == "left_knee"
    assert resolve("nose", "right") == "nose"
    assert AngleDef("hip", "knee", "ankle").names("right") == ("right_hip", "right_knee", "right_ankle")


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: AngleDef("hip", "kne", "ankle"), "'kne'"),
        (lambda: AngleDef("hip", "hip", "ankle"), "three different"),
        (lambda: TiltDef("hip", "knee", "sideways"), "'sideways'"),  # type: ignore[arg-type]
        (lambda: WidthRatioDef("left_knee", "ankle"), "'left_knee'"),
        (lambda: Requirement("", TiltDef("hip", "knee"), max_value=1), "message"),
        (lambda: Requirement("x", TiltDef("hip", "knee")), "min_value, max_value"),
        (lambda: FormRule("x", "x", TiltDef("hip", "knee"), "mean", max_value=1), "'mean'"),  # type: ignore[arg-type]
        (lambda: FormRule("x", "x", TiltDef("hip", "knee"), "max", min_value=5, max_value=1), "5"),
        (lambda: FormRule("x", "x", TiltDef("hip", "knee"), "max", max_value=1, views=frozenset({"top"})), "top"),  # type: ignore[arg-type]
        (lambda: HeightSignal("hip", "ankle", (("hip", "knee"),), extended=0.5, flexed=0.8), "flexed=0.8"),
    ],
)
def test_spec_pieces_reject_bad_values_naming_them(make: object, needle: str) -> None:
    with pytest.raises(ValueError, match=needle.replace("(", r"\(")):
        make()  # type: ignore[operator]


def _spec(**overrides: object) -> ExerciseSpec:
    base: dict[str, object] = {
        "key": "lunge",
        "name": "Lunge",
        "primary": AngleDef("hip", "knee", "ankle"),
        "extended": 150,
        "flexed": 100,
        "orientation": "upright",
        "setup_message": "Stand up",
    }
    base.update(overrides)
    return ExerciseSpec(**base)  # type: ignore[arg-type]


def test_a_new_exercise_is_just_data() -> None:
    spec = _spec()
    assert spec.phase_labels[Phase.FLEXED] == "bottom"
    assert spec.required_joints() == ("hip", "knee", "ankle")


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"key": "Lunge"}, "'Lunge'"),
        ({"flexed": 160}, "flexed=160"),
        ({"extended": 200}, "extended=200"),
        ({"orientation": "sideways"}, "'sideways'"),
        ({"sides": "one"}, "'one'"),
        ({"min_rep_s": 0}, "0"),
        ({"primary_views": frozenset({"side"})}, "fallback"),
        ({"phase_labels": {Phase.SETUP: "x"}}, "phase_labels"),
    ],
)
def test_exercise_spec_validation(overrides: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        _spec(**overrides)


CATALOGUE = {
    "squat", "pushup", "curl", "lunge", "overhead_press", "lateral_raise", "tricep_extension", "tricep_dip",
    "pull_up", "deadlift", "glute_bridge", "sit_up", "crunch", "jumping_jack", "burpee", "mountain_climber",
    "plank", "wall_sit",
}  # fmt: skip


def test_registry_holds_the_catalogue() -> None:
    assert set(REGISTRY) == CATALOGUE
    for key, spec in REGISTRY.items():
        assert spec.key == key
        assert spec.rules, f"{key} has no form rules"
        assert all(len(r.cue) <= 45 for r in spec.rules), "cues are short coach phrases"
    assert REGISTRY["curl"].sides == "both"
    assert REGISTRY["pushup"].orientation == "horizontal"


def test_unknown_exercise_lists_valid_ones() -> None:
    with pytest.raises(KeyError, match=r"burpee, crunch, curl, .*, pushup, sit_up, squat, .*, wall_sit"):
        get_spec("zumba")


def test_view_of_upright_figures() -> None:
    side = classify(standing_figure(view="side"))
    front = classify(standing_figure(view="front"))
    assert (side.orientation, side.view) == ("upright", "side")
    assert (front.orientation, front.view) == ("upright", "front")


def test_view_of_lying_figures() -> None:
    side = classify(horizontal_figure(view="side"))
    head_on = classify(horizontal_figure(view="front"))
    assert (side.orientation, side.view) == ("horizontal", "side")
    assert (head_on.orientation, head_on.view) == ("horizontal", "front")


def test_view_needs_the_torso() -> None:
    hidden = classify(standing_figure(view="side", hide=("left_hip", "right_hip")))
    assert hidden.orientation is None and hidden.view is None


def test_view_tracker_ignores_a_single_odd_frame() -> None:
    tracker = ViewTracker()
    side, front = classify(standing_figure(view="side")), classify(standing_figure(view="front"))
    for i in range(20):
        tracker.update(i * 33, side)
    assert tracker.update(20 * 33, front) == ("upright", "side")
    for i in range(21, 60):
        tracker.update(i * 33, front)
    assert tracker.view == "front"


def test_view_tracker_switches_on_a_clear_majority_not_a_plurality() -> None:
    """Half-hidden shoulders (a barbell plate in front of them) make single frames swing
    between views (seen in the live browser test while the lifter stood still); a plurality of
    odd frames must not move the counter to another signal."""
    tracker = ViewTracker()
    side = classify(standing_figure(view="side"))
    front = classify(standing_figure(view="front"))
    hidden = classify(standing_figure(view="side", hide=("left_shoulder",)))
    assert (side.view, front.view, hidden.view) == ("side", "front", None)
    t = 0
    for _ in range(30):
        t += 33
        tracker.update(t, side)
    # The next second: 5 front, 3 side and 22 unreadable frames. Front has the most votes but
    # not 60% of them: the view stays side.
    noisy = [front] * 5 + [side] * 3 + [hidden] * 22
    for frame in noisy:
        t += 33
        tracker.update(t, frame)
    assert tracker.view == "side"
    # A person who really turns: 7 of the 10 readable frames say front.
    views = []
    for frame in [front] * 7 + [side] * 3 + [hidden] * 20:
        t += 33
        views.append(tracker.update(t, frame)[1])
    assert views[-1] == "front"
