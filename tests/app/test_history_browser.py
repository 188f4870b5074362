"""The History page in a real browser on a generated history: every chart drawn, the session
detail shown, and the CSV (made only when the button is pressed) holding every rep.

Skipped (with the reason) when ../shared/data, ffmpeg, Chromium or Playwright are missing.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from fitness.store import CSV_COLUMNS, SessionStore
from fitness.store.demo import write_demo
from tests.browser_helpers import (
    AppServer,
    assert_no_traceback,
    click_and_wait,
    launch_chromium,
    metric_value,
    new_page,
    require_tools,
    screenshot,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

DAYS = 120  # four months of training: enough for every chart to have something to draw


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, int, int]]:
    require_tools()
    workdir = tmp_path_factory.mktemp("history-browser")
    app = AppServer(workdir)
    with SessionStore.open(app.db) as store:
        sessions, reps = write_demo(store, DAYS, seed=13, end=date.today())
    app.start()
    yield app, sessions, reps
    app.stop()


def test_history_draws_every_chart_and_downloads_every_rep(demo_server: tuple[AppServer, int, int]) -> None:
    from playwright.sync_api import sync_playwright

    app, sessions, reps = demo_server
    with sync_playwright() as pw:
        browser = launch_chromium(pw, fake_devices=False)
        try:
            began = time.monotonic()
            page = new_page(browser, f"{app.url}/history", camera=False)
            page.locator("h1", has_text="History").first.wait_for()
            charts = page.locator("[data-testid='stPlotlyChart'] .main-svg")
            page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stPlotlyChart']\").length >= 6")
            drawn_s = time.monotonic() - began
            assert_no_traceback(page)
            assert charts.count() >= 6
            assert metric_value(page, "Sessions") == str(sessions)
            assert metric_value(page, "Total reps") == str(reps)
            screenshot(page, "history-demo")
            with page.expect_download() as download:
                page.get_by_role("button", name="Download these reps as CSV").click()
            rows = list(csv.reader(Path(download.value.path()).read_text().splitlines()))
            assert rows[0] == CSV_COLUMNS
            assert len(rows) - 1 == reps
            assert_no_traceback(page)
        finally:
            browser.close()
    assert drawn_s < 60, f"the History page took {drawn_s:.1f}s to draw in the browser"


# -- corrections in the browser --------------------------------------------------------------------

CORRECTIONS_DAYS = 14  # two weeks: every chart has points, and every cue fits the cue chart's top ten
CHARTS_JS = """() => Object.fromEntries(
    [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")].map(gd => [
        gd.layout.title.text.replace(/<[^>]+>/g, ""),
        gd._fullData.map(t => ({x: Array.from(t.x || []), y: Array.from(t.y || [])})),
    ])
)"""


@pytest.fixture()
def corrections_server(tmp_path: Path) -> Iterator[AppServer]:
    """A fresh server per test over two weeks of generated training."""
    require_tools()
    app = AppServer(tmp_path)
    with SessionStore.open(app.db) as store:
        write_demo(store, CORRECTIONS_DAYS, seed=17, end=date.today())
    app.start()
    yield app
    app.stop()


def _charts(page: Any) -> dict[str, list[dict[str, list[Any]]]]:
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot\").length >= 6"
    )
    return dict(page.evaluate(CHARTS_JS))


def _session_times(traces: list[dict[str, list[Any]]]) -> set[datetime]:
    return {datetime.fromisoformat(str(x)) for t in traces for x in t["x"]}


def _cue_counts(traces: list[dict[str, list[Any]]]) -> Counter[str]:
    found: Counter[str] = Counter()
    for t in traces:
        for count, cue in zip(t["x"], t["y"], strict=True):
            found[str(cue)] += int(count)
    return found


def _download_csv(page: Any) -> list[dict[str, str]]:
    wait_idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download these reps as CSV").click()
    return list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(), newline="")))


def _open_corrections(page: Any) -> None:
    page.get_by_text("Correct or delete this session").first.click()
    page.get_by_role("button", name="Delete this session").wait_for()


SESSION_CHARTS = ("Share of good reps per session", "Range of motion (session mean)", "Tempo (down solid, up dotted)")


def test_deleting_a_session_removes_it_from_every_chart_and_the_csv(corrections_server: AppServer) -> None:
    from playwright.sync_api import sync_playwright

    app = corrections_server
    with SessionStore.open(app.db) as store:
        # The newest session whose reps drew cues, so that it shows in every chart.
        details = (store.get_session(s.id) for s in store.list_sessions())
        detail = next(d for d in details if any(rep.cues for rep in d.reps))
        gone = detail.summary
        gone_cues = Counter(cue for rep in detail.reps for cue in rep.cue_texts)
    when = gone.started_at.astimezone().replace(tzinfo=None)
    with sync_playwright() as pw:
        browser = launch_chromium(pw, fake_devices=False)
        try:
            page = new_page(browser, f"{app.url}/history", camera=False)
            page.locator("h1", has_text="History").first.wait_for()
            before = _charts(page)
            sessions, reps = int(metric_value(page, "Sessions")), int(metric_value(page, "Total reps"))
            for title in SESSION_CHARTS:
                assert when in _session_times(before[title]), title
            assert any(r["session_id"] == str(gone.id) for r in _download_csv(page))

            choose_session(page, gone.id)
            _open_corrections(page)
            click_and_wait(page, page.get_by_role("button", name="Delete this session"))
            page.get_by_role("button", name=f"Yes, delete session #{gone.id}").wait_for()
            screenshot(page, "history-delete-asks")
            with SessionStore.open(app.db) as store:
                assert store.get_session(gone.id).summary.id == gone.id  # asked, not yet done
            click_and_wait(page, page.get_by_role("button", name=f"Yes, delete session #{gone.id}"))
            page.get_by_text(f"Session #{gone.id} deleted.").wait_for()
            assert_no_traceback(page)
            after = _charts(page)
            screenshot(page, "history-after-delete")

            assert int(metric_value(page, "Sessions")) == sessions - 1
            assert int(metric_value(page, "Total reps")) == reps - gone.rep_count
            day_total = lambda charts: sum(int(y) for t in charts["Reps per day"] for y in t["y"])  # noqa: E731
            assert day_total(before) - day_total(after) == gone.rep_count
            for title in SESSION_CHARTS:
                assert _session_times(after[title]) == _session_times(before[title]) - {when}, title
            # The cue chart shows the ten most frequent cues: each shown before and after lost
            # exactly the deleted session's share.
            cues = "Most frequent cues (reps that drew each)"
            was, now = _cue_counts(before[cues]), _cue_counts(after[cues])
            shown = set(was) & set(now)
            assert shown & set(gone_cues), "none of the deleted session's cues is charted"
            assert {c: was[c] - now[c] for c in shown} == {c: gone_cues[c] for c in shown}
            rows = _download_csv(page)
            assert str(gone.id) not in {r["session_id"] for r in rows}
            assert len(rows) == reps - gone.rep_count
            assert not page.get_by_role("option", name=re.compile(rf"^#{gone.id} ·")).count()
            assert not selected_session(page).startswith(f"#{gone.id} ·")
        finally:
            browser.close()
    with SessionStore.open(app.db) as store:
        assert gone.id not in {s.id for s in store.list_sessions()}


def test_editing_a_count_changes_every_total(corrections_server: AppServer) -> None:
    from playwright.sync_api import sync_playwright

    app = corrections_server
    with SessionStore.open(app.db) as store:
        edited = store.list_sessions()[0]
    new_count = edited.rep_count + 2
    with sync_playwright() as pw:
        browser = launch_chromium(pw, fake_devices=False)
        try:
            page = new_page(browser, f"{app.url}/history", camera=False)
            before = _charts(page)
            reps = int(metric_value(page, "Total reps"))
            _open_corrections(page)
            count_box = page.get_by_label("Reps done")
            count_box.fill(str(new_count))
            count_box.press("Enter")
            wait_idle(page)
            why = page.get_by_label("Why the count changes")
            why.fill("two reps out of frame")
            why.press("Enter")
            wait_idle(page)
            click_and_wait(page, page.get_by_role("button", name="Save the count"))
            yes = page.get_by_role("button", name=f"Yes, it was {new_count} reps")
            yes.wait_for()
            screenshot(page, "history-count-asks")
            click_and_wait(page, yes)
            page.get_by_text(f"Session #{edited.id} now counts {new_count} reps.").wait_for()
            assert_no_traceback(page)
            after = _charts(page)
            screenshot(page, "history-count-corrected")

            assert int(metric_value(page, "Total reps")) == reps + 2
            assert int(metric_value(page, "Reps")) == new_count
            assert f"{new_count} reps (corrected)" in selected_session(page)
            page.get_by_text(f"Count corrected by hand: {edited.recorded_count} reps recorded").wait_for()
            day_total = lambda charts: sum(int(y) for t in charts["Reps per day"] for y in t["y"])  # noqa: E731
            assert day_total(after) - day_total(before) == 2
            rows = [r for r in _download_csv(page) if r["session_id"] == str(edited.id)]
            assert len(rows) == edited.recorded_count  # no rep was invented
            assert {(r["session_reps"], r["correction_note"]) for r in rows} == {
                (str(new_count), "two reps out of frame")
            }
        finally:
            browser.close()
    with SessionStore.open(app.db) as store:
        s = store.get_session(edited.id).summary
        assert (s.rep_count, s.recorded_count, s.correction_note) == (
            new_count,
            edited.recorded_count,
            "two reps out of frame",
        )


def choose_session(page: Any, session_id: int) -> None:
    if not selected_session(page).startswith(f"#{session_id} ·"):
        page.locator("[data-testid='stSelectbox']", has_text="Session").first.click()
        page.get_by_role("option", name=re.compile(rf"^#{session_id} ·")).click()
        wait_idle(page)
    assert selected_session(page).startswith(f"#{session_id} ·")


def selected_session(page: Any) -> str:
    box = page.locator("[data-testid='stSelectbox']", has_text="Session").first
    return str(box.locator("input").input_value())
