"""Workouts on real footage, end to end (real model, real videos): the labelled workout clips
of ``scenes_manifest.csv``, and a short workout joined from labelled clips of three exercises by
the same code as ``scripts/make_workouts.py``, analysed, saved and exported by the CLI.

The full sweep (twelve composed workouts) is ``make eval``; this is its representative subset.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from fitness.cli import main as cli_main
from fitness.pipeline.compose import Pause, WorkoutPlan, compose
from fitness.pipeline.evaluation import load_manifest
from fitness.pipeline.stream import AUTO
from fitness.pipeline.video_analysis import analyze_video
from fitness.pipeline.workout_eval import (
    BOUNDARY_S,
    load_workouts,
    row_of_workout,
    summarize_sets,
    write_composed_manifest,
)
from fitness.store import SessionStore

pytestmark = pytest.mark.slow

# Short clips of three exercises, one a hold: 8 s of barbell squats, 6.5 s of lateral raises,
# a 6 s plank; a title card and someone walking between them.
SHORT = ("squat_side_barbell_formfit.mp4", "lateral_raise_frontoblique_noorashraf.mp4", "plank_side_treadtv.mp4")


def test_the_labelled_workout_clips(data_dir: Path, lightning: object) -> None:
    """Two push-up sets with a rest (kneeling, turning round) are two sets; push-ups then knee
    push-ups with no rest are one push-up set of 12 (the catalogue counts a knee push-up as a
    push-up). Each set: the right exercise, the count in range, its ends within 3 s of the labels."""
    workouts = load_workouts(data_dir / "scenes_manifest.csv")
    assert [len(w.sets) for w in workouts] == [2, 1]
    rows = [row_of_workout(w, analyze_video(w.path, AUTO, estimator=lightning).sets) for w in workouts]  # type: ignore[arg-type]
    for row in rows:
        for m in row.matches:
            assert m.truth is not None and m.found is not None, (row.workout.name, m)
            assert m.exercise_right and m.exact, (row.workout.name, m)
            assert (m.boundary_error_s or 0.0) <= BOUNDARY_S, (row.workout.name, m)
    summary = summarize_sets(rows)
    assert (summary.precision, summary.recall, summary.boundaries) == (1.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def short_workout(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (scripts/setup.sh installs it)")
    by_name = {
        c.name: c for c in load_manifest(data_dir / "manifest.csv") + load_manifest(data_dir / "catalogue_manifest.csv")
    }
    plan = WorkoutPlan(
        "short_workout",
        tuple(by_name[name] for name in SHORT),
        (Pause("title", 3.0, "Next: Lateral raise"), Pause("walk", 3.9)),
    )
    out = tmp_path_factory.mktemp("workouts")
    workout = compose(plan, data_dir, out)
    write_composed_manifest(out / "workouts_manifest.csv", [workout])
    return out / "workouts_manifest.csv"


def test_a_workout_joined_from_clips(short_workout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``fitness analyze --exercise auto --json --save`` on it: three sets, each the clip's
    exercise and count; the history holds one workout of three sets; the per-set CSV has them."""
    (workout,) = load_workouts(short_workout)
    doc_path, db, per_set = tmp_path / "out.json", tmp_path / "history.db", tmp_path / "sets.csv"
    code = cli_main(
        ["analyze", str(workout.path), "--exercise", "auto", "--json", str(doc_path), "--save", "--db", str(db)]
    )
    out = capsys.readouterr().out
    assert code == 0 and "3 sets:" in out, out
    doc = json.loads(doc_path.read_text())
    assert [(s["exercise"], s.get("reps"), s.get("hold_s") is not None) for s in doc["sets"]][:2] == [
        ("squat", 3, False),
        ("lateral_raise", 4, False),
    ]
    plank = doc["sets"][2]
    assert plank["exercise"] == "plank" and abs(plank["hold_s"] - 6.2) <= 2.0
    truth = [s.start_s for s in workout.sets]
    for found, start in zip(doc["sets"], truth, strict=True):
        assert found["start_s"] >= start - 1.5  # each set within its own clip
        assert set(found) >= {"index", "exercise", "start_s", "end_s", "rest_before_s", "rep_list"}
    assert doc["sets"][1]["rest_before_s"] >= 3.0  # the title card at least
    with SessionStore.open(db) as store:
        (saved,) = store.list_sessions()
        assert (saved.set_count, saved.rep_count) == (3, 7)
        assert [s.exercise for s in store.get_session(saved.id).sets] == ["squat", "lateral_raise", "plank"]
    assert cli_main(["history", "export", "--db", str(db), "--csv", str(per_set), "--per", "set"]) == 0
    with per_set.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["set_exercise"] for r in rows] == ["squat", "lateral_raise", "plank"]
    assert rows[2]["hold_ms"] and not rows[0]["hold_ms"]
