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
from fitness.store import SessionStore
from fitness.store.demo import write_demo

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
