"""The Analyse page, rendered by Streamlit's own test runner (no browser): the result view, and
a long analysis stopped, left running and come back to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


# -- a long analysis: stopped, left, come back to (the real page, the real model) --------------

PAGE = """
from fitness.app.pages.analyse import page_analyse
page_analyse()
"""
LONG_CLIP = "videos/pushup/pushup_side_tutorial_tayyab.mp4"  # 0:47, ~25 s to count here
SHORT_CLIP = "videos/squat/squat_front_tfjs_mediapipe.mp4"  # 65 frames: a quick analysis


@pytest.fixture()
def analyse_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    """The Analyse page's world: its own history and temp folder (exactly what it made is in it)."""
    import tempfile

    from fitness.app.common import _open_store

    for clip in (LONG_CLIP, SHORT_CLIP):
        if not (data_dir / clip).is_file():
            pytest.skip(f"{clip} is not in {data_dir}")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("FITNESS_DB", str(tmp_path / "h.db"))
    _open_store.clear()  # the store is cached per process: open this test's
    return tmp


def _upload_folders(tmp: Path) -> list[Path]:
    from fitness.app.uploads import PREFIX

    return [p for p in tmp.iterdir() if p.name.startswith(PREFIX)]


def _buttons(app: Any) -> list[str]:
    return [b.label for b in app.button]


def _frame(app: Any) -> int:
    """The frame the progress bar names (0 before the first)."""
    import re

    (bar,) = app.get("progress")
    found = re.search(r"frame (\d+)", bar.text)
    return int(found[1]) if found else 0


def _until(app: Any, done: Any, timeout_s: float, what: str) -> None:
    """Run the page again (as the running analysis's refresh does) until ``done(app)``."""
    import time

    began = time.monotonic()
    while not done(app):
        assert time.monotonic() - began < timeout_s, f"{what}: not within {timeout_s:.0f} s"
        time.sleep(0.3)
        app.run()
        assert not app.exception, app.exception


def _start(app: Any, clip: Path) -> None:
    app.file_uploader(key="an-upload").set_value((clip.name, clip.read_bytes(), "video/mp4")).run()
    app.button(key="an-run").click().run()
    assert not app.exception, app.exception


@pytest.mark.slow
def test_a_long_analysis_can_be_stopped_and_the_page_stays_usable(analyse_page: Path, data_dir: Path) -> None:
    import re

    from streamlit.testing.v1 import AppTest

    app = AppTest.from_string(PAGE, default_timeout=120).run()
    _start(app, data_dir / LONG_CLIP)
    # Running: progress and a Stop button in place of the Analyse button.
    assert _buttons(app) == ["Stop analysis"]
    assert any("You may leave this page" in c.value for c in app.caption)
    token = app.query_params["analysis"]
    assert len(token) >= 20  # the running analysis is named in the address
    # Another widget's rerun leaves it running: the count goes on.
    app.selectbox(key="an-exercise").select("squat").run()
    _until(app, lambda a: _frame(a) >= 10, 60, "counting")
    assert _buttons(app) == ["Stop analysis"] and len(_upload_folders(analyse_page)) == 1

    app.button(key="an-stop").click().run()
    assert not app.exception, app.exception
    (stopped,) = [i.value for i in app.info]
    assert re.fullmatch(r"The analysis of \*\*.+\*\* stopped at 0:0\d of 0:47: nothing was kept\.", stopped), stopped
    assert "pushup\\_side\\_tutorial\\_tayyab\\.mp4" in stopped
    # Nothing half-done is offered or left: no result, no save, no video, no folder.
    assert _buttons(app) == [f"Analyse {Path(LONG_CLIP).name}"]
    assert not app.metric and not app.get("video") and not app.get("progress")
    assert _upload_folders(analyse_page) == []
    assert "analysis" not in app.query_params

    # The page is as before: the next upload is analysed and offered for saving.
    _start(app, data_dir / SHORT_CLIP)
    _until(app, lambda a: not a.get("progress"), 120, "the short clip's analysis")
    # The stopped analysis's message went with its file (the page's notes on the result stay).
    assert not [i.value for i in app.info if "stopped" in i.value]
    assert {m.label: m.value for m in app.metric}["Reps"] == "2"  # as labelled in the manifest
    assert "Save to history" in _buttons(app)


@pytest.mark.slow
def test_a_page_that_comes_back_mid_analysis_follows_it_to_its_end(analyse_page: Path, data_dir: Path) -> None:
    """A reload or a reopened tab is a new session: it finds the analysis by the token in its
    address, shows its progress, and says how it ended."""
    from streamlit.testing.v1 import AppTest

    first = AppTest.from_string(PAGE, default_timeout=120).run()
    _start(first, data_dir / LONG_CLIP)
    token = first.query_params["analysis"]
    job = first.session_state["analysis_job"]

    second = AppTest.from_string(PAGE, default_timeout=120)
    second.query_params["analysis"] = token
    second.run()
    assert not second.exception, second.exception
    assert _buttons(second) == ["Stop analysis"]
    _until(second, lambda a: _frame(a) >= 10, 60, "counting, seen from the page that came back")
    # The first session ends (its release hook stops what it left running: as
    # SessionAnalyses.release does, tested in test_analysis_jobs).
    job.stop("left")
    _until(second, lambda a: bool(a.info), 10, "the stop")
    assert "stopped at 0:0" in second.info[0].value and "when its page was closed or reloaded" in second.info[0].value
    assert _upload_folders(analyse_page) == [] and "analysis" not in second.query_params
    # Shown once: an address still naming it (a bookmark) finds nothing more to say.
    third = AppTest.from_string(PAGE, default_timeout=120)
    third.query_params["analysis"] = token
    third.run()
    assert not third.info and not third.get("progress") and "analysis" not in third.query_params
