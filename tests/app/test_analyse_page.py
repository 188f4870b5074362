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
    from fitness.pipeline.stream import AUTO, analyze_poses
    from fitness.store.store import SessionStore
    from tests.figures import DT, reps, standing_figure

    if still:  # a person standing still: nothing to count
        frames = [(i * DT, standing_figure()) for i in range(90)]
    else:  # three squats
        frames = [(i * DT, standing_figure(k)) for i, k in enumerate(reps(3, 175, 80))]
    result = analyze_poses(frames, AUTO)
    view = AnalysisView("clip.mp4", 1000, AUTO, "lightning", "default", result, None, Path(db).parent)
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
