"""Plumbing for the real-browser tests: a fake webcam made from labelled footage, the app served
by a real ``streamlit run`` on a free port with a throwaway database, and headless Debian
Chromium driven by Playwright (never a browser downloaded by Playwright).
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ARTIFACTS = REPO / "artifacts"
CHROMIUM = Path(os.environ.get("FITNESS_CHROMIUM", "/usr/bin/chromium"))

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
CAMERA_SIZE = (640, 360)
CAMERA_FPS = 30


def require_tools() -> None:
    """Skip (saying why) unless the footage, ffmpeg, Chromium and Playwright are all here."""
    if not (SHARED_DATA / "manifest.csv").is_file():
        pytest.skip(f"real test footage not found at {SHARED_DATA} (../shared/data beside the repo)")
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg): needed to make the fake webcam")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set FITNESS_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright)")


@dataclass(frozen=True, slots=True)
class Label:
    file: str
    exercise: str
    reps: int
    lo: int
    hi: int

    @property
    def path(self) -> Path:
        return SHARED_DATA / self.file


def label(file: str) -> Label:
    """The manifest row for ``file`` (``reps_range=a-b`` in the notes widens the accepted count)."""
    with (SHARED_DATA / "manifest.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["file"] == file:
                reps = int(row["reps"])
                found = re.search(r"reps_range=(\d+)-(\d+)", row.get("notes") or "")
                lo, hi = (int(found[1]), int(found[2])) if found else (reps, reps)
                return Label(file, row["exercise"], reps, lo, hi)
    raise KeyError(f"{file} is not in {SHARED_DATA / 'manifest.csv'}")


def make_fake_camera(src: Path, dst: Path, still_s: float, lead_s: float = 0.0, speed: float = 1.0) -> Path:
    """``src`` as a 640x360, 30 fps ``yuv420p`` y4m for ``--use-file-for-fake-video-capture``.

    The picture is letterboxed (never stretched). Chromium loops the file, so a still tail
    (the last frame held for ``still_s``) keeps the clip from starting over while a test reads
    the result; ``lead_s`` holds the first frame before the clip plays. ``speed``: the clip
    played this many times faster (0.5: at half speed, every movement taking twice as long).
    """
    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    w, h = CAMERA_SIZE
    pads = f"tpad=start_mode=clone:start_duration={lead_s}:stop_mode=clone:stop_duration={still_s}"
    retime = "" if speed == 1.0 else f"setpts=PTS/{speed},"
    vf = (
        f"{retime}scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
        f"fps={CAMERA_FPS},format=yuv420p,{pads}"
    )
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), "-vf", vf, "-an", "-f", "yuv4mpegpipe", str(dst)]
    subprocess.run(cmd, check=True, timeout=300)
    return dst


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """``streamlit run streamlit_app.py`` on a free loopback port with its own database."""

    def __init__(self, workdir: Path, *, max_upload_mb: int | None = None, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = workdir / "fitness.db"
        self.log_path = workdir / f"streamlit-{self.port}.log"
        self.max_upload_mb = max_upload_mb
        self.extra_env = env or {}
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> AppServer:
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(REPO / "streamlit_app.py"),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        if self.max_upload_mb is not None:
            cmd += ["--server.maxUploadSize", str(self.max_upload_mb)]
        env = {**os.environ, "FITNESS_DB": str(self.db), "PYTHONUNBUFFERED": "1", **self.extra_env}
        with self.log_path.open("wb") as out:
            self._proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self._proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within {timeout_s:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def app_server(workdir: Path, **kwargs: Any) -> Iterator[AppServer]:
    server = AppServer(workdir, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def logged_app(workdir: Path, log_name: str, **kwargs: Any) -> Iterator[AppServer]:
    """:func:`app_server`, leaving the server's log as ``artifacts/<log_name>`` when it stops."""
    with app_server(workdir, **kwargs) as app:
        try:
            yield app
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / log_name).write_text(app.log())


def launch_chromium(pw: Any, camera_file: Path | None = None, fake_devices: bool = True) -> Any:
    """Headless Debian Chromium. ``camera_file``: the y4m the fake webcam plays.

    ``fake_devices=False`` leaves out the fake-device flags: Chromium then sees no camera at all,
    as on a machine without one.
    """
    args = list(CHROMIUM_ARGS)
    if fake_devices:
        args += FAKE_CAMERA_ARGS
        if camera_file is not None:
            args.append(f"--use-file-for-fake-video-capture={camera_file}")
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)


DESKTOP = (1366, 900)


def new_page(browser: Any, url: str, camera: bool = True, size: tuple[int, int] = DESKTOP) -> Any:
    """A new tab (its own cookies and storage) at ``url``, ``size`` = (width, height) CSS pixels."""
    context = browser.new_context(
        permissions=["camera"] if camera else [], viewport={"width": size[0], "height": size[1]}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    wait_idle(page)
    return page


@contextlib.contextmanager
def opened(browser: Any, url: str, camera: bool = True, size: tuple[int, int] = DESKTOP) -> Iterator[Any]:
    """:func:`new_page`, closed again however the test ends: a tab left streaming would load the
    machine for every test after it."""
    page = new_page(browser, url, camera=camera, size=size)
    try:
        yield page
    finally:
        page.context.close()


def wait_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Until the app has rendered and no script run is in progress."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.getAttribute("data-test-script-state") !== "running";
        }""",
        timeout=timeout_ms,
    )


def click_and_wait(page: Any, target: Any, timeout_ms: int = 180_000) -> None:
    """Click ``target`` and wait for the script run it starts to finish (not an older one)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    target.click()
    # A run that finished within the polling interval is never seen running: fine.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=5_000)
    wait_idle(page, timeout_ms)


def press_analyse(page: Any, clip: Path) -> None:
    """On the Analyse page: upload ``clip`` and press its Analyse button (which names the file
    once the server has it); returns when the analysis has started."""
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(clip))
    button = page.get_by_role("button", name=f"Analyse {clip.name}", exact=True)
    button.wait_for(timeout=30_000)
    wait_idle(page)
    click_and_wait(page, button)


def goto(page: Any, title: str) -> None:
    """Open one of the app's pages from the sidebar navigation."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    # Every page's title is its navigation label; wait for it, then for the run to finish.
    page.locator("h1", has_text=title).first.wait_for()
    wait_idle(page)


def metric_value(page: Any, label: str) -> str:
    """The value of ``st.metric(label, ...)`` as shown."""
    metric = page.locator("[data-testid='stMetric']", has=page.locator(f"text='{label}'")).first
    return str(metric.locator("[data-testid='stMetricValue']").inner_text()).strip()


def assert_no_traceback(page: Any) -> None:
    assert page.locator("text=Traceback").count() == 0, "a Python traceback is shown in the page"
    assert page.locator("[data-testid='stException']").count() == 0, "an exception box is shown in the page"


def screenshot_view(page: Any, name: str) -> Path:
    """What the window shows right now (not the whole page) as ``artifacts/screenshot-<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"screenshot-{name}.png"
    page.screenshot(path=str(path))
    return path


def screenshot(page: Any, name: str) -> Path:
    """The whole page (charts drawn) as ``artifacts/screenshot-<name>.png``.

    Streamlit scrolls inside its main block, so a full-page screenshot alone would stop at
    the window's height: the window is made as tall as the content for the shot.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"screenshot-{name}.png"
    height = int(
        page.evaluate(
            """() => {
                const main = document.querySelector("[data-testid='stMain']");
                return main ? main.scrollHeight : document.body.scrollHeight;
            }"""
        )
    )
    size = page.viewport_size or {"width": 1366, "height": 900}
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height + 40, 4000))})
    # Charts load lazily (a grey skeleton first) and are drawn when they come into view:
    # wait until no skeleton is left and every chart has its SVG.
    page.wait_for_function(
        """() => !document.querySelector("[data-testid='stSkeleton']")
                 && [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
                    .every(e => e.querySelector(".main-svg"))""",
        timeout=30_000,
    )
    page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


# -- the live page ------------------------------------------------------------------------------

WEBRTC_IFRAME = "iframe[title='streamlit_webrtc.component.webrtc_streamer']"
FRAMES_RE = re.compile(r"(\d+) frames received, (\d+) processed")


def camera_frame(page: Any) -> Any:
    return page.frame_locator(WEBRTC_IFRAME)


def frame_counts(page: Any) -> tuple[int, int]:
    """(frames that reached the callback, frames it ran the model on), as the page shows them."""
    text = page.locator("text=/frames received/").first.inner_text()
    found = FRAMES_RE.search(text)
    assert found, f"no frame counter in {text!r}"
    return int(found[1]), int(found[2])


def choose(page: Any, box_label: str, option: str | re.Pattern[str]) -> None:
    """Pick ``option`` in the select box ``box_label`` and wait for the run the choice starts:
    the page may still be idle from before the click (CI once read a plan's name from the
    page drawn before the choice)."""
    page.locator("[data-testid='stSelectbox']", has_text=box_label).first.click()
    click_and_wait(page, page.get_by_role("option", name=option, exact=isinstance(option, str) or None))


def press(page: Any, button: str) -> None:
    camera_frame(page).locator("button", has_text=button).click(timeout=30_000)


def wait_for_frames(
    page: Any, after: int, at_least: int, timeout_s: float, what: str = "after START"
) -> tuple[int, float]:
    """Until ``at_least`` frames beyond ``after`` have arrived; returns (count, seconds waited)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        received, _ = frame_counts(page)
        if received - after >= at_least:
            return received, time.monotonic() - started
        page.wait_for_timeout(200)
    received, _ = frame_counts(page)
    raise AssertionError(f"only {received - after} frames reached the app in {timeout_s:.0f} s {what}")


def selected(page: Any, box_label: str) -> str:
    """The value a selectbox shows (it lives in the combobox input, not in its text)."""
    box = page.locator("[data-testid='stSelectbox']", has_text=box_label).first
    box.wait_for()
    return str(box.locator("input").input_value())


def choose_session(page: Any, session_id: int) -> None:
    if not selected(page, "Session").startswith(f"#{session_id} ·"):
        page.locator("[data-testid='stSelectbox']", has_text="Session").first.click()
        page.get_by_role("option", name=re.compile(rf"^#{session_id} ·")).click()
        wait_idle(page)
    assert selected(page, "Session").startswith(f"#{session_id} ·")
