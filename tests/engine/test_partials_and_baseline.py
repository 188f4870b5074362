"""Movements that turn back before they count, and reps judged against the person's own first
reps: on stick figures, frame by frame, with exact expectations."""

from __future__ import annotations

import pytest

from fitness.engine.counter import FrameResult, RepCounter
from fitness.engine.form import BASELINE_MIN_DEG, BASELINE_REPS
from fitness.engine.registry import REGISTRY
from fitness.pipeline.stream import StreamAnalyzer, analyze_poses
from tests.figures import DT, ramp, reps, standing_figure


def _run(counter: RepCounter, knees: list[float], **figure: object) -> list[FrameResult]:
    """Squats with the heels down: the shins lean at most 30 deg, the thighs take the rest."""
    figure.setdefault("shin_lean", 30.0)
    return [counter.update(standing_figure(k, **figure), i * DT) for i, k in enumerate(knees)]  # type: ignore[arg-type]


def _quarter_squats(n: int, bottom: float = 125.0) -> list[float]:
    out = [175.0] * 15
    for _ in range(n):
        out += ramp(175, bottom, 0.6) + ramp(bottom, 175, 0.6) + [175.0] * 15
    return out


def test_a_quarter_squat_is_a_partial_rep_with_the_depth_cue_said_at_once() -> None:
    counter = RepCounter(REGISTRY["squat"])
    results = _run(counter, _quarter_squats(2))
    assert counter.count == 0 and counter.partial == 2
    first, second = counter.partials
    assert first.start_ms < first.turn_ms < first.end_ms < second.start_ms
    assert first.reached == pytest.approx(125, abs=6) and first.unit == "deg"
    assert 0.5 < first.share < 1.0  # more than half way to the turning point, not all the way
    depth = first.cues[0]
    assert depth.id == "depth" and depth.target == "<= 95" and depth.measured == pytest.approx(125, abs=1)
    assert depth.t_ms is not None and first.start_ms <= depth.t_ms <= first.end_ms
    # Said the moment the movement turns back up to standing: the frame that ends it carries it.
    ended = [r for r in results if r.partial is not None]
    assert [r.partial for r in ended] == [first, second]
    assert ended[0].t_ms == first.end_ms and ended[0].cues[0] == "Go lower: hips to knee height"


def test_a_partial_rep_head_on_says_how_far_it_went() -> None:
    # Head-on the knee angle is foreshortened, so the depth rule is quiet: the partial's own cue
    # says how much of the way down it went.
    counter = RepCounter(REGISTRY["squat"])
    knees = [175.0] * 15 + ramp(175, 108, 0.6) + ramp(108, 175, 0.6) + [175.0] * 15
    _run(counter, knees, view="front")
    (partial,) = counter.partials
    cue = partial.cues[0]
    assert cue.id == "partial" and cue.text == "Not counted: go all the way to the bottom"
    assert cue.unit == "%" and cue.target == ">= 100" and cue.measured is not None and 50 < cue.measured < 100


def test_partial_reps_reach_the_json_and_a_sway_is_not_one() -> None:
    sway = [175.0] * 15 + ramp(175, 150, 0.5) + ramp(150, 175, 0.5) + [175.0] * 15  # a knee bend, not an attempt
    knees = sway + _quarter_squats(1)
    result = analyze_poses([(i * DT, standing_figure(k, shin_lean=30.0)) for i, k in enumerate(knees)], "squat")
    doc = result.to_dict()
    (partial,) = doc["partial_reps"]
    assert partial["cues"][0]["id"] == "depth" and partial["unit"] == "deg"
    assert set(partial) == {"start_ms", "turn_ms", "end_ms", "reached", "unit", "share", "side", "cues"}
    assert doc["reps"] == 0


def test_the_live_stream_says_a_partial_rep_at_once() -> None:
    analyzer = StreamAnalyzer("squat", keep_frames=False)
    said = [analyzer.update(standing_figure(k, shin_lean=30.0), i * DT).cues for i, k in enumerate(_quarter_squats(1))]
    first = next(i for i, cues in enumerate(said) if cues)
    assert said[first][0] == "Go lower: hips to knee height"
    assert said[first - 1] == ()  # not before the movement turned back


# -- the personal baseline -------------------------------------------------------------------------


def _set(bottoms: list[float], top: float = 175.0, score: float = 0.9) -> RepCounter:
    counter = RepCounter(REGISTRY["squat"])
    knees = [top] * 15
    for bottom in bottoms:
        knees += ramp(top, bottom, 0.8) + [bottom] * 6 + ramp(bottom, top, 0.8) + [top] * 15
    _run(counter, knees, score=score)
    assert counter.count == len(bottoms)
    return counter


def test_a_rep_well_short_of_the_first_three_is_called_out() -> None:
    counter = _set([70, 72, 70, 74, 88])
    assert [r.cue_ids for r in counter.reps] == [(), (), (), (), ("shallower_than_usual",)]
    cue = counter.reps[-1].cues[0]
    margin = max(BASELINE_MIN_DEG, (150 - 110) / 3)
    assert cue.measured == pytest.approx(88, abs=1) and cue.target == f"<= {70 + margin:.0f}"
    assert cue.measured is not None and cue.text == f"{cue.measured - 70:.0f}° shallower than your first three reps"
    assert cue.t_ms is not None and counter.reps[-1].start_ms < cue.t_ms < counter.reps[-1].end_ms


def test_no_baseline_cue_during_the_first_reps_within_the_margin_or_from_joints_half_seen() -> None:
    assert BASELINE_REPS == 3
    assert all(not r.cues for r in _set([70, 90, 72]).reps)  # the first three make the baseline
    assert all(not r.cues for r in _set([70, 72, 70, 80]).reps)  # 10 deg: within the margin
    # Joints seen at 0.45 at the bottom: counted, but too unsure to compare reps with each other.
    assert all(not r.cues for r in _set([70, 72, 70, 74, 88], score=0.45).reps)


def test_a_rep_that_does_not_stand_up_fully_has_less_range_than_usual() -> None:
    counter = RepCounter(REGISTRY["squat"])
    knees = [175.0] * 15
    for _ in range(3):
        knees += reps(1, 175, 70, rest_s=0.0) + [175.0] * 15
    # Tired: no longer standing up fully between reps, only to 152 deg.
    knees += ramp(175, 152, 0.5) + [152.0] * 40 + ramp(152, 70, 0.8) + ramp(70, 152, 0.8) + [152.0] * 15
    _run(counter, knees)
    assert counter.count == 4
    assert counter.reps[-1].cue_ids == ("less_range_than_usual",)


def test_a_new_set_after_a_scene_cut_has_its_own_baseline() -> None:
    counter = _set([70, 72, 70])
    counter.reset()
    t0 = 100_000.0
    knees = [175.0] * 15
    for bottom in (88, 90, 88, 90):
        knees += ramp(175, bottom, 0.8) + [bottom] * 6 + ramp(bottom, 175, 0.8) + [175.0] * 15
    for i, k in enumerate(knees):
        counter.update(standing_figure(k), t0 + i * DT)
    assert all(not r.cues for r in counter.reps[3:])
