"""Workouts on real footage, end to end (real model, real videos): the labelled workout clips
of ``scenes_manifest.csv`` down to each rep, and two workouts joined from labelled clips by the
same code as ``scripts/make_workouts.py``: one analysed, saved and exported by the CLI, one
scored by ``fitness eval`` against the issue's bars (with each kind of pause between its sets).

The full sweep (twelve composed workouts) is ``make eval``; this is its representative subset
(about three minutes on two cores).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from fitness.cli import main as cli_main
from fitness.pipeline.compose import Pause
from fitness.pipeline.stream import AUTO
from fitness.pipeline.video_analysis import analyze_video
from fitness.pipeline.workout_eval import (
    BOUNDARY_S,
    load_workouts,
    row_of_workout,
    summarize_sets,
)
from fitness.store import SessionStore
from tests.pipeline.conftest import joined

pytestmark = pytest.mark.slow

# Four exercises, a still frame, a title card and someone walking between them: 3 jumping jacks,
# 4 push-ups, 5 curls (a close-up), 2-3 lunges (a short set the walk runs into).
FOUR = (
    "jumping_jack_front_treadtv.mp4",
    "pushup_side_repsensei.mp4",
    "curl_closeup_kamran.mp4",
    "lunge_side_techbusa.mp4",
)
_BOTTOMS = re.compile(r"bottoms ~([\d.,]+)s")


def labelled_bottoms(labels: str) -> list[float]:
    """The labelled turning points of a scenes-manifest workout ("bottoms ~1.1,3.4s")."""
    return [float(t) for m in _BOTTOMS.finditer(labels) for t in m[1].split(",")]


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
    # Rep by rep: every labelled turning point has a counted rep's within a second of it, and
    # none is counted twice (the push-ups then knee push-ups: six of each, in their own stretch).
    with (data_dir / "scenes_manifest.csv").open(newline="") as fh:
        labels = {data_dir / r["file"]: r["labels"] for r in csv.DictReader(fh) if r["kind"] == "workout"}
    for row in rows:
        truth = labelled_bottoms(labels[row.workout.path])
        counted = [r.bottom_ms / 1000.0 for m in row.matches if m.found is not None for r in m.found.reps]
        assert len(counted) == len(truth), (row.workout.name, counted, truth)
        assert all(abs(c - t) <= 1.0 for c, t in zip(counted, truth, strict=True)), (row.workout.name, counted, truth)


def test_a_workout_with_each_kind_of_pause_meets_the_issue_bars(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``fitness eval`` on a joined workout of four exercises (still frame, title card, walk):
    every set found and none invented, each the right exercise, each count exact, and each set
    within its own clip; the JSON has a row per set. At the default 15 poses a second: there
    the curl counter, still running through the walk into the lunges, counts a 6.6 s "curl"
    over the first two lunges, which the lunges' cycles overrule, so the close-up curl set ends
    with its last curl and is found with its 5 reps (``tests/engine/test_pose_rate.py``)."""
    pauses = (Pause("still", 4.0), Pause("title", 3.0, "Next: Curl"), Pause("walk", 3.9))
    manifest = joined(data_dir, tmp_path / "workouts", "four_sets", FOUR, pauses)
    report = tmp_path / "eval.json"
    assert cli_main(["eval", str(manifest), "--json", str(report)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(report.read_text())
    metrics = doc["metrics"]
    assert (metrics["labelled_sets"], metrics["found_sets"]) == (4, 4), out
    assert metrics["precision"] == metrics["recall"] == metrics["exercise_right"] == 1.0, out
    assert metrics["within_one"] == 1.0 and metrics["exact"] >= 0.9, out
    assert metrics["within_clip"] == 1.0, out
    (workout,) = doc["workouts"]
    assert [s["found"]["exercise"] for s in workout["sets"]] == ["jumping_jack", "pushup", "curl", "lunge"]


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
