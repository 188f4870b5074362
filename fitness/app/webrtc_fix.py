"""The streamlit-webrtc 0.79.0 work-around that keeps a freshly started stream alive.

The only module that reaches into streamlit-webrtc's private parts (the version is pinned in
``pyproject.toml``, and ``tests/app/test_webrtc_fix.py`` fails when the installed library no
longer has the code this relies on). It does not import streamlit_webrtc at import time:
importing aiortc's pylibsrtp after TensorFlow segfaults, and the unit tests load TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def guard_streamer_context(context: Any, remounted: bool, reset: Callable[[Any], None]) -> None:
    """Make streamlit-webrtc 0.79.0 keep a freshly started stream alive.

    The library resets a context whose ``_last_rendered_run_count`` is more than one behind
    the session's ``script_run_count``, to clean up after a page switch. But Streamlit bumps
    ``script_run_count`` on its event-loop thread when it *sends* the "script finished"
    message, while the next run (often already started by the component's own rerun during
    signalling) reads it on the script thread: when the send lands after that read, one run
    sees the same count as the previous one and the run after it sees a jump of two, so the
    check kills the stream it just started (about one START in five here).

    So: clear the field before every call (the library skips its check when it is ``None``
    and sets it again itself), and do the clean-up the check was for ourselves, from a signal
    that has no race: the page knows whether the live page was the last page rendered.
    """
    if context is None:
        return
    if remounted:
        reset(context)
    if hasattr(context, "_last_rendered_run_count"):
        context._last_rendered_run_count = None


def reset_context(context: Any) -> None:
    """Stop a streamer's worker and forget its state (streamlit-webrtc's private
    ``_reset_context``): what the library's stale-context check would have done."""
    from streamlit_webrtc.component import _reset_context

    _reset_context(context)
