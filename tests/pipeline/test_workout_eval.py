"""Scoring found sets against labelled workouts (pure: labels and found sets written out here;
the real footage is scored in ``test_workouts_real.py`` and by ``make eval``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.engine.values import Rep, SetResult
from fitness.errors import InputFileError
from fitness.pipeline.workout_eval import (
    LabelledSet,
    LabelledWorkout,
    load_workouts,
    match_sets,
    row_dict,
    row_of_workout,
    scene_sets,
    summarize_sets,
)


def found(exercise: str, start_s: float, end_s: float, reps: int) -> SetResult:
    step = (end_s - start_s) / reps * 1000.0
    made = tuple(
        Rep(i + 1, round(start_s * 1000 + i * step), round(start_s * 1000 + (i + 0.5) * step),
            round(start_s * 1000 + (i + 1) * step), 90.0, 170.0, 80.0, 500, 500, "good")
        for i in range(reps)
    )  # fmt: skip
    return SetResult(1, exercise, made[0].start_ms, made[-1].end_ms, reps=made)


def labelled(exercise: str, start_s: float, end_s: float, count: int, lo: int | None = None) -> LabelledSet:
    return LabelledSet(exercise, count, count if lo is None else lo, count, start_s, end_s)


def test_scene_labels_become_sets_a_variant_without_rest_joins_the_set_before() -> None:
    # The two labelled workout clips' own label texts, shortened.
    two_sets = "0.0-13.2s pushup:5 (facing right);13.3-18.0s rest (kneels);18.0-22.9s pushup:2;23.0-26.9s walks"
    assert [(s.exercise, s.count, s.start_s, s.end_s) for s in scene_sets(two_sets)] == [
        ("pushup", 5, 0.0, 13.2),
        ("pushup", 2, 18.0, 22.9),
    ]
    variant = "0.0-14.0s pushup:6 (bottoms);14.0-15.0s transition to knees (no rest);15.0-29.9s knee_pushup:6"
    (one,) = scene_sets(variant)
    assert (one.exercise, one.count, one.start_s, one.end_s, one.source) == ("pushup", 12, 0.0, 29.9, "merged")


def test_each_label_takes_the_found_set_overlapping_it_most_and_leftovers_are_false_sets() -> None:
    truth = (labelled("squat", 0, 10, 5), labelled("curl", 15, 25, 8), labelled("lunge", 30, 40, 6))
    sets = (found("squat", 1, 9, 5), found("curl", 9.5, 12, 2), found("curl", 16, 24, 7), found("plank", 50, 60, 1))
    matches = match_sets(truth, sets)
    assert [(m.truth and m.truth.exercise, m.found and m.found.start_ms) for m in matches] == [
        ("squat", 1000),
        ("curl", 16000),
        ("lunge", None),  # missed
        (None, 9500),  # a curl set overlapping the squat's label less than the squat set does
        (None, 50000),
    ]
    assert [(m.exact, m.within_one) for m in matches[:2]] == [(True, True), (False, True)]


def test_the_summary_counts_precision_recall_counts_and_boundaries() -> None:
    scene = LabelledWorkout(Path("scene.mp4"), (labelled("pushup", 0, 13.2, 5), labelled("pushup", 18, 22.9, 2)))
    composed = LabelledWorkout(
        Path("w.mp4"), (labelled("squat", 0, 10, 3), labelled("curl", 14, 24, 5, lo=4)), composed=True
    )
    rows = [
        row_of_workout(scene, [found("pushup", 0.8, 12.9, 5), found("pushup", 18.6, 27.0, 3)]),
        # The squat set starts 4 s before its clip: in the pause before it, outside the clip.
        row_of_workout(composed, [found("squat", -4.0, 9.0, 4), found("curl", 15, 23, 4), found("lunge", 30, 40, 3)]),
    ]
    s = summarize_sets(rows)
    assert (s.labelled, s.found) == (4, 5)
    assert (s.precision, s.recall) == (0.8, 1.0)
    assert (s.exercise, s.exact, s.within_one) == (1.0, 0.5, 1.0)
    assert s.boundaries == 0.5  # the second push-up set ends 4.1 s after its label
    assert s.within_clip == 0.5
    assert s.per_exercise["curl"] == (1, 1, 1, 1)
    doc = row_dict(rows[1])
    assert doc["composed"] and [d["inside_span"] for d in doc["sets"]] == [False, True, False]
    assert doc["sets"][2]["label"] is None and doc["sets"][2]["found"]["exercise"] == "lunge"


def test_a_composed_manifest_without_its_columns_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "workouts_manifest.csv"
    bad.write_text("file,set_index,exercise\nw.mp4,1,squat\n")
    with pytest.raises(InputFileError, match="lacks the column"):
        load_workouts(bad)
    with pytest.raises(InputFileError, match="no such manifest"):
        load_workouts(tmp_path / "missing.csv")
