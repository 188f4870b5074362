"""Which exercise a clip shows, from the manifest beside it."""

from __future__ import annotations

from pathlib import Path

from fitness.bench.clip import exercise_for


def test_exercise_from_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("file,exercise,reps\nv/a.mp4,squat,3\nv/b.mp4,none (photo),\n")
    assert exercise_for(tmp_path / "v/a.mp4", tmp_path, known=("squat", "curl")) == "squat"
    assert exercise_for(tmp_path / "v/b.mp4", tmp_path, known=("squat",)) == "auto"
    assert exercise_for(tmp_path / "v/c.mp4", tmp_path, known=("squat",)) == "auto"
    assert exercise_for(tmp_path / "v/a.mp4", tmp_path / "missing", known=("squat",)) == "auto"
