"""The History page in real Streamlit (AppTest, no browser) on generated histories: it draws
every chart from what the store returns, with the same number of statements at any size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from fitness.app.common import _open_store
from fitness.engine.values import Cue
from fitness.store import SessionInfo, SessionStore
from fitness.store.demo import write_demo
from fitness.store.rows import one_set
from tests.storage_worker import make_rep

# One statement for what the filters offer, six for the charts (sessions with their
# aggregates, totals per day, cue counts; by workout: weekly volume, personal records, longest
# holds per day), five for the session shown (it, its cues, its reps, its sets, their breaks).
PAGE_SELECTS = 12
PAGE = """
from fitness.app.pages.history import page_history
page_history()
"""


@pytest.fixture()
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def _page(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FITNESS_DB", db_url)
    _open_store.clear()  # the store is cached per process: open this test's
    return AppTest.from_string(PAGE, default_timeout=120)


@pytest.mark.parametrize("days", [10, 80], ids=["10-days", "80-days"])
def test_the_page_draws_every_chart_with_a_fixed_number_of_statements(
    db_url: str, days: int, monkeypatch: pytest.MonkeyPatch, statements: list[str]
) -> None:
    with SessionStore.open(db_url) as store:
        sessions, reps = write_demo(store, days, seed=11, end=date(2024, 6, 30))
    app = _page(db_url, monkeypatch)
    app.run()  # opens the store (cached afterwards, as in the app)
    statements.clear()
    app.run()
    assert not app.exception, app.exception
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    metrics = {m.label: m.value for m in app.metric[:3]}
    assert metrics == {"Sessions": str(sessions), "Total reps": str(reps), "Good form": metrics["Good form"]}
    # Five history charts, two by workout (weekly volume, training days) and the chosen
    # session's two (its angle trace, its velocity loss per rep); no holds in the demo history.
    assert len(app.get("plotly_chart")) == 9
    assert len(selects) == PAGE_SELECTS, selects
    # The timing on two years of training is scripts/time_history_page.py's job.


def test_filters_narrow_what_is_drawn(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with SessionStore.open(db_url) as store:
        write_demo(store, 20, seed=11, end=date(2024, 6, 30))
        bobs = store.list_sessions(profile="bob")
    app = _page(db_url, monkeypatch)
    app.run()
    app.multiselect(key="hist-profiles").set_value(["bob"]).run()
    assert not app.exception, app.exception
    assert app.metric[0].value == str(len(bobs))
    assert app.selectbox(key="hist-session").options[0].startswith(f"#{bobs[0].id} ·")
    app.multiselect(key="hist-profiles").set_value([]).run()
    assert [i.value for i in app.info] == ["No sessions match these filters."]


def test_an_empty_history_says_so(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    SessionStore.open(db_url).close()
    app = _page(db_url, monkeypatch)
    app.run()
    assert not app.exception
    assert [i.value for i in app.info] == [
        "No sessions yet. Record a set on **Live workout** or save an analysed video."
    ]


def test_a_batch_session_says_where_it_came_from(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A video recorded by ``fitness batch`` is listed by its file name and its detail names
    the batch and the path it was read from."""
    import hashlib

    from fitness.store import SessionInfo, VideoMark
    from tests.storage_worker import make_rep

    source = "/archive/2024-06/member-17/squats.mp4"
    with SessionStore.open(db_url) as store:
        info = SessionInfo(
            "squat", "video", video_name="squats.mp4", extra={"batch": "gym-june", "source_path": source}
        )
        mark = VideoMark(hashlib.sha256(b"squats").hexdigest(), "gym-june", source)
        session_id = store.record_video(mark, info, [one_set("squat", [make_rep(1), make_rep(2)])])
    app = _page(db_url, monkeypatch)
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="hist-session").options[0].endswith("· 2 reps · default · squats.mp4")
    assert f"#{session_id} ·" in app.selectbox(key="hist-session").options[0]
    assert f"Analysed by batch gym-june from {source}" in [c.value for c in app.caption]


def test_the_session_shown_says_what_each_cue_measured(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    depth = Cue("depth", "Go lower: hips to knee height", 118.0, "deg", "<= 95", 1500)
    with SessionStore.open(db_url) as store:
        store.save_session(SessionInfo("squat", "video", profile="ann"), [make_rep(1, cues=(depth,)), make_rep(2)])
    app = _page(db_url, monkeypatch)
    app.run()
    assert not app.exception, app.exception
    (table,) = [t.value for t in app.table]
    assert list(table["Cues"]) == ["Go lower: hips to knee height (118°; target ≤ 95°)", "—"]
