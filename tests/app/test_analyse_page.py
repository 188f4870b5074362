"""The Analyse page's result view, rendered by Streamlit's own test runner (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit.testing.v1")


def _page(db: str, still: bool) -> None:
    # Runs as a Streamlit script: everything it needs is imported here.
    from pathlib import Path

    from fitness.app.analysis import AnalysisView
    from fitness.app.pages.analyse import show_analysis
    from fitness.app.uploads import UploadFolder
    from fitness.pipeline.stream import AUTO, analyze_poses
    from fitness.store import SessionStore
    from tests.figures import DT, reps, standing_figure

    if still:  # a person standing still: nothing to count
        frames = [(i * DT, standing_figure()) for i in range(90)]
    else:  # three squats
        frames = [(i * DT, standing_figure(k)) for i, k in enumerate(reps(3, 175, 80))]
    result = analyze_poses(frames, AUTO)
    view = AnalysisView("clip.mp4", 1000, AUTO, "lightning", "default", result, None, UploadFolder(Path(db).parent))
    with SessionStore.open(db) as store:
        show_analysis(view, store)


@pytest.mark.parametrize("still", [True, False])
def test_saving_is_offered_only_when_something_was_found(tmp_path: Path, still: bool) -> None:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_page, args=(str(tmp_path / "h.db"), still), default_timeout=60).run()
    assert not app.exception, app.exception
    buttons = [b.label for b in app.button]
    metrics = {m.label: m.value for m in app.metric}
    if still:
        assert "Save to history" not in buttons
        assert metrics["Exercise"] == "None found" and metrics["Reps"] == "0"
        assert any("nothing to save" in c.value for c in app.caption)
    else:
        assert "Save to history" in buttons
        assert metrics["Exercise"] == "Squat" and metrics["Reps"] == "3"


def _partial_page(db: str) -> None:
    from pathlib import Path

    from fitness.app.analysis import AnalysisView
    from fitness.app.pages.analyse import show_analysis
    from fitness.app.uploads import UploadFolder
    from fitness.pipeline.stream import analyze_poses
    from fitness.store import SessionStore
    from tests.figures import DT, ramp, reps, standing_figure

    # Two squats, then a quarter squat that turns back before the bottom.
    knees = reps(2, 175, 70) + ramp(175, 125, 0.6) + ramp(125, 175, 0.6) + [175.0] * 15
    frames = [(i * DT, standing_figure(k, shin_lean=30.0)) for i, k in enumerate(knees)]
    result = analyze_poses(frames, "squat")
    view = AnalysisView("clip.mp4", 1000, "squat", "lightning", "default", result, None, UploadFolder(Path(db).parent))
    with SessionStore.open(db) as store:
        show_analysis(view, store)


def _workout_page(db: str) -> None:
    from pathlib import Path

    from fitness.app.analysis import AnalysisView
    from fitness.app.pages.analyse import show_analysis
    from fitness.app.uploads import UploadFolder
    from fitness.pipeline.stream import AUTO, analyze_poses
    from fitness.store import SessionStore
    from tests.pipeline.test_sets import WORKOUT

    view = AnalysisView("workout.mp4", 1000, AUTO, "lightning", "default", analyze_poses(WORKOUT, AUTO), None,
                        UploadFolder(Path(db).parent))  # fmt: skip
    import streamlit as st

    view = st.session_state.setdefault("view", view)  # kept across reruns, as the page keeps its analysis
    with SessionStore.open(db) as store:
        show_analysis(view, store)


def test_a_partial_rep_is_listed_with_the_cue_that_explains_it(tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_partial_page, args=(str(tmp_path / "h.db"),), default_timeout=60).run()
    assert not app.exception, app.exception
    assert {m.label: m.value for m in app.metric}["Reps"] == "2"
    reps_table, partials = (t.value for t in app.table[:2])
    assert list(reps_table["Cues"]) == ["—", "—"]
    (why,) = list(partials["Why not counted"])
    assert why.startswith("Go lower: hips to knee height (1") and why.endswith("°; target ≤ 95°)")


def test_a_workout_shows_its_sets_and_saves_them(tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from fitness.store import SessionStore

    db = str(tmp_path / "h.db")
    app = AppTest.from_function(_workout_page, args=(db,), default_timeout=60).run()
    assert not app.exception, app.exception
    assert "Sets (3)" in [h.value for h in app.subheader]
    charts = [c.proto.id for c in app.get("plotly_chart")]
    assert any("an-sets" in c for c in charts) and any("an-fatigue" in c for c in charts), charts
    sets_table = app.table[1].value  # the reps' table first, then the sets'
    assert list(sets_table["Exercise"]) == ["squat", "squat", "pushup"]
    assert list(sets_table["Reps"]) == ["3", "4", "5"]
    next(b for b in app.button if b.label == "Save to history").click().run()
    assert not app.exception, app.exception
    with SessionStore.open(db) as store:
        (saved,) = store.list_sessions()
        assert [(s.exercise, len(s.reps)) for s in store.get_session(saved.id).sets] == [
            ("squat", 3),
            ("squat", 4),
            ("pushup", 5),
        ]
