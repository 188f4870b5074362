"""The fitness coach in the browser: Live workout, Analyse a video, History.

Navigation only: the pages are :mod:`fitness.app.pages`; they, :mod:`fitness.app.common` and this
file are the only modules that call ``st.*``. Everything the webcam callback thread touches lives in
:mod:`fitness.app.live_state` (lock-guarded, unit-tested); the pipeline is :mod:`fitness.pipeline`
and the history is :mod:`fitness.store.store`. Run with ``make app``.
"""

from __future__ import annotations

import logging

import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
import streamlit_webrtc  # noqa: F401

log = logging.getLogger("fitness.app")

st.set_page_config(page_title="Fitness coach", page_icon="🏋️", layout="wide")

from fitness.app.common import _configure_logging, clean_old_uploads, page_style  # noqa: E402
from fitness.app.pages.analyse import page_analyse  # noqa: E402
from fitness.app.pages.history import page_history  # noqa: E402
from fitness.app.pages.live import page_live  # noqa: E402


def main() -> None:
    _configure_logging()
    clean_old_uploads()  # the first run after start-up only (cached for the server's life)
    pages = [
        st.Page(page_live, title="Live workout", icon=":material/videocam:", url_path="live", default=True),
        st.Page(page_analyse, title="Analyse a video", icon=":material/movie:", url_path="analyse"),
        st.Page(page_history, title="History", icon=":material/monitoring:", url_path="history"),
    ]
    page = st.navigation(pages)
    page_style()  # a counter readable from across the room, tables that fit a phone
    try:
        page.run()
    except Exception as exc:
        # Streamlit's own rerun/stop signals are BaseExceptions and pass through. Anything else
        # is a bug: a sentence for the person, the traceback for the log, the app stays up.
        log.exception("the %s page failed", page.title)
        st.error(
            f"Something went wrong on this page ({type(exc).__name__}: {exc}). "
            "The details are in the server log; the other pages still work."
        )


main()
