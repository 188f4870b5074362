"""The streamlit-webrtc 0.79.0 stale-context work-around, and the library code it relies on."""

from __future__ import annotations

from typing import Any

from fitness.app.webrtc_fix import guard_streamer_context


class FakeContext:
    def __init__(self) -> None:
        self._last_rendered_run_count: int | None = 5
        self.resets = 0


def test_guard_disables_the_racy_check_and_resets_only_after_a_page_switch() -> None:
    ctx = FakeContext()

    def reset(c: Any) -> None:
        c.resets += 1

    guard_streamer_context(ctx, remounted=False, reset=reset)
    assert ctx._last_rendered_run_count is None and ctx.resets == 0
    ctx._last_rendered_run_count = 9
    guard_streamer_context(ctx, remounted=True, reset=reset)
    assert ctx._last_rendered_run_count is None and ctx.resets == 1
    guard_streamer_context(None, remounted=True, reset=reset)  # first visit: nothing to do


def test_guard_matches_the_installed_streamlit_webrtc() -> None:
    """The work-around relies on 0.79.0 internals: fail loudly if they change.

    Checked in a fresh interpreter: importing aiortc's pylibsrtp after TensorFlow (which other
    tests in this session load) segfaults, so this process may not import streamlit_webrtc.
    The app itself imports streamlit_webrtc first and never loads TensorFlow.
    """
    import subprocess
    import sys

    code = (
        "import inspect; from streamlit_webrtc import component; "
        "src = inspect.getsource(component._get_or_create_context); "
        "assert 'context._last_rendered_run_count is not None' in src; "
        "assert callable(component._reset_context); print('ok')"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
