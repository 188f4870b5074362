"""The History page in a real browser on a generated history: every chart drawn, the session
detail shown, and the CSV (made only when the button is pressed) holding every rep.

Skipped (with the reason) when ../shared/data, ffmpeg, Chromium or Playwright are missing.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from fitness.store import CSV_COLUMNS, SessionStore
from fitness.store.demo import write_demo
from tests.browser_helpers import (
    AppServer,
    assert_no_traceback,
    launch_chromium,
    metric_value,
    new_page,
    require_tools,
    screenshot,
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
