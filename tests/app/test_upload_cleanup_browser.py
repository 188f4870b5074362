"""Annotated copies of uploads do not outlive their use, on the real server: a day-old folder a
killed server left is swept at start-up; an analysis's folder goes when its browser tab closes,
and when the server is stopped.

The server's temp folder (TMPDIR) is the test's own, so what is in it is exactly what the app
made. Skipped (with the reason) when ../shared/data, ffmpeg, Chromium or Playwright are missing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fitness.app.uploads import PREFIX
from tests.browser_helpers import (
    SHARED_DATA,
    AppServer,
    assert_no_traceback,
    click_and_wait,
    goto,
    launch_chromium,
    new_page,
    require_tools,
    screenshot,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

CLIP = SHARED_DATA / "videos/squat/squat_front_tfjs_mediapipe.mp4"  # 0.5 MB, 65 frames: a quick analysis
TWO_DAYS_S = 2 * 24 * 3600
GONE_WITHIN_S = 20.0


def _folders(tmp: Path) -> list[Path]:
    return sorted(p for p in tmp.iterdir() if p.name.startswith(PREFIX))


def _wait_gone(path: Path, what: str) -> float:
    began = time.monotonic()
    while path.exists():
        if time.monotonic() - began > GONE_WITHIN_S:
            raise AssertionError(f"{path.name} still there {GONE_WITHIN_S:.0f} s after {what}")
        time.sleep(0.2)
    return time.monotonic() - began


@pytest.fixture()
def server_tmp(tmp_path: Path) -> Iterator[tuple[AppServer, Path, Path, Path]]:
    """A server whose temp folder already holds a day-old upload folder (a killed server's)
    and a fresh one (another server's, still in use)."""
    require_tools()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    old, fresh = tmp / f"{PREFIX}killed", tmp / f"{PREFIX}in-use"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "annotated.mp4").write_bytes(b"\0" * 4096)
    then = time.time() - TWO_DAYS_S
    os.utime(old, (then, then))
    app = AppServer(tmp_path, env={"TMPDIR": str(tmp)}).start()
    yield app, tmp, old, fresh
    app.stop()


def _analyse(page: Any) -> None:
    goto(page, "Analyse a video")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(CLIP))
    button = page.get_by_role("button", name=f"Analyse {CLIP.name}", exact=True)
    button.wait_for(timeout=30_000)
    wait_idle(page)
    click_and_wait(page, button)
    page.locator("video").first.wait_for(timeout=120_000)
    assert_no_traceback(page)


def test_upload_folders_go_with_the_tab_the_server_and_after_a_day(
    server_tmp: tuple[AppServer, Path, Path, Path],
) -> None:
    from playwright.sync_api import sync_playwright

    app, tmp, old, fresh = server_tmp
    with sync_playwright() as pw:
        browser = launch_chromium(pw, fake_devices=False)
        try:
            # Start-up: the first page run sweeps the day-old folder, not the fresh one.
            first = new_page(browser, app.url, camera=False)
            _analyse(first)
            assert not old.exists() and fresh.is_dir()
            (made,) = [p for p in _folders(tmp) if p != fresh]
            assert (made / "annotated.mp4").stat().st_size > 0
            screenshot(first, "upload-analysed")

            # The tab closes: its session's folder goes, the other tab's stays.
            second = new_page(browser, app.url, camera=False)
            _analyse(second)
            (kept,) = [p for p in _folders(tmp) if p not in (fresh, made)]
            first.context.close()
            after_close_s = _wait_gone(made, "its tab closed")
            assert kept.is_dir()
            # The server stops (SIGTERM) with the second tab still open: its folder goes too.
            app.stop()
            assert not kept.exists()
        finally:
            browser.close()
    assert _folders(tmp) == [fresh]  # only the other server's, which is not a day old
    log = app.log()
    assert "Traceback" not in log
    assert "removed 1 upload folder(s) older than 1 day, 0:00:00" in log
    assert "a browser session ended: removed its 1 upload folder(s)" in log
    assert after_close_s < GONE_WITHIN_S
