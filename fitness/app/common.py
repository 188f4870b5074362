"""What every page shares: the history store, the model, labels, the profile picker, page switches."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any

import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
from streamlit_webrtc.config import Translations

from fitness.app.config import parse_ice_servers
from fitness.app.live_state import LiveState
from fitness.app.webrtc_fix import reset_context
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO
from fitness.pose.models import CATALOGUE
from fitness.store.store import SessionStore

log = logging.getLogger("fitness.app")

WEBRTC_KEY = "live-camera"
LAST_PAGE_KEY = "_fitness_last_page"
VARIANTS = ("lightning", "thunder")  # SinglePose: the live counter follows one person
UPLOAD_TYPES = ["mp4", "mov", "webm", "avi"]
DEFAULT_PROFILE = "default"
PANEL_REFRESH_S = 0.5
STALL_S = 4.0  # no camera frame for this long while streaming: tell the person
CAMERA_TEXTS: Translations = {
    "device_not_available": "No camera found. Plug one in (or close the app using it), then press START again",
    "device_access_denied": "Camera access was refused. Allow it for this site in the browser, then press START again",
    "media_api_not_available": "This browser cannot use a camera here: open the app as http://localhost or over https",
    "device_ask_permission": "Please allow the app to use your camera",
}
VERDICT_LABEL = {"good": "good", "needs_work": "needs work"}
VERDICT_COLOUR = {"good": "#2e9e5b", "needs_work": "#e8913a"}


# -- shared resources ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _configure_logging() -> bool:
    # Streamlit sets up its own loggers only; ours would otherwise go nowhere below WARNING.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("fitness")
    root.addHandler(handler)
    wanted = os.environ.get("FITNESS_LOG_LEVEL", "INFO").strip().upper()
    level = logging.getLevelNamesMapping().get(wanted)
    root.setLevel(level if level is not None else logging.INFO)
    root.propagate = False
    if level is None:
        log.warning("FITNESS_LOG_LEVEL=%s is not a log level (DEBUG, INFO, WARNING, ERROR); using INFO", wanted)
    return True


@st.cache_resource(show_spinner=False)
def _open_store() -> SessionStore:
    return SessionStore.open()


def get_store() -> tuple[SessionStore | None, str | None]:
    """The history database (``$FITNESS_DB`` or ``data/fitness.db``), or why it cannot be used."""
    try:
        return _open_store(), None
    except FitnessError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner="Preparing the pose model (only the first time)…")
def prepare_model(variant: str) -> str:
    """Fetch/convert the model here, on the page, never inside the frame callback: a slow first
    frame would trip streamlit-webrtc's 10 s processing limit and end the stream."""
    from fitness.pose.models import ensure_model

    ensure_model(variant)
    return variant


@st.cache_resource(show_spinner=False)
def ice_servers() -> list[dict[str, Any]]:
    return parse_ice_servers(os.environ.get("FITNESS_ICE_SERVERS"))


def exercise_label(key: str) -> str:
    return "Auto-detect" if key == AUTO else REGISTRY[key].name


def history_exercise_label(key: str) -> str:
    return REGISTRY[key].name if key in REGISTRY else key


def variant_label(key: str) -> str:
    return f"{key.title()} ({CATALOGUE[key].description.split(': ', 1)[-1]})"


def fmt_clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def fmt_when(ts: datetime) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M")


def profile_picker(store: SessionStore | None, key: str, disabled: bool = False) -> str:
    """Choose a profile from the history, or type a new one (created on first use)."""
    names = store.profiles() if store is not None else []
    extra = st.session_state.get("_new_profiles", [])
    options = sorted({DEFAULT_PROFILE, *names, *extra})
    new_option = "+ New profile…"
    current = st.session_state.get("_profile", DEFAULT_PROFILE)
    choice = st.selectbox(
        "Profile",
        [*options, new_option],
        index=options.index(current) if current in options else 0,
        key=key,
        disabled=disabled,
    )
    if choice != new_option:
        st.session_state["_profile"] = choice
        return str(choice)
    name = st.text_input("New profile name", max_chars=100, key=f"{key}-new").strip()
    if not name:
        st.caption("Type a name and press Enter.")
        return str(current)
    if store is not None:
        try:
            store.create_profile(name)
        except FitnessError as exc:
            st.error(f"Could not create the profile: {exc}")
            return str(current)
    st.session_state["_new_profiles"] = [*extra, name]
    st.session_state["_profile"] = name
    return name


def enter_page(name: str) -> str | None:
    """Remember which page was rendered last; leaving the live page ends the stream."""
    previous = st.session_state.get(LAST_PAGE_KEY)
    st.session_state[LAST_PAGE_KEY] = name
    if name != "live" and previous == "live":
        live = st.session_state.get("live_state")
        if isinstance(live, LiveState):
            live.disarm("stopped")
        context = st.session_state.get(WEBRTC_KEY)
        if context is not None:
            # The component's iframe is gone with the page: stop its worker now rather than
            # when the peer connection times out.
            reset_context(context)
    return previous if isinstance(previous, str) else None


def no_store_warning(error: str | None) -> None:
    if error:
        st.error(f"The workout history cannot be opened: {error}")
