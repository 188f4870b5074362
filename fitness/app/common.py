"""What every page shares: the history store, the model, labels, the profile picker, page switches."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import streamlit as st

# streamlit_webrtc (aiortc, pylibsrtp) must be imported before TensorFlow ever is: the other order
# segfaults. Nothing here imports TensorFlow at start-up; conversion on first use comes later.
from streamlit_webrtc.config import Translations

from fitness.app.announce import static_text
from fitness.app.config import parse_ice_servers
from fitness.app.live_state import LiveState
from fitness.app.uploads import sweep_stale
from fitness.app.webrtc_fix import reset_context
from fitness.engine.registry import REGISTRY
from fitness.errors import FitnessError
from fitness.pipeline.stream import AUTO
from fitness.pose.models import CATALOGUE
from fitness.store import SessionStore
from fitness.text import clock

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
def clean_old_uploads() -> int:
    """Once per server start: remove the upload folders a killed server left behind."""
    return len(sweep_stale())


@st.cache_resource(show_spinner=False)
def _open_store() -> SessionStore:
    return SessionStore.open()


def get_store() -> tuple[SessionStore | None, str | None]:
    """The history database (``$FITNESS_DB``, else the user's: :func:`~fitness.store.default_db_path`),
    or why it cannot be used."""
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


# A set's duration reads the same on every page and in the CLI.
fmt_clock = clock


def fmt_when(ts: datetime) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M")


NEW_PROFILE = "+ New profile…"
PROFILE_KEY = "_profile"  # the chosen profile, shared by the pages
PROFILE_NOTICE_KEY = "_profile_notice"


def clean_profile_name(raw: str) -> str:
    """What a typed profile name means: without the spaces around it."""
    return raw.strip()


def profile_picker(store: SessionStore | None, key: str, disabled: bool = False) -> str:
    """Choose a profile from the history, or type a new one: it is created, selected, and the
    page says so. The choice is kept in the page's address (``?profile=``), so a reload keeps it."""
    names = store.profiles() if store is not None else []
    extra = st.session_state.get("_new_profiles", [])
    options = sorted({DEFAULT_PROFILE, *names, *extra})
    if PROFILE_KEY not in st.session_state and st.query_params.get("profile") in options:
        st.session_state[PROFILE_KEY] = st.query_params["profile"]
    current = st.session_state.get(PROFILE_KEY, DEFAULT_PROFILE)
    if current not in options:
        current = DEFAULT_PROFILE
    # Set through the widget's own state, never `index=`: the new-profile callback selects the
    # profile it created by setting this, and Streamlit warns when both are used.
    if st.session_state.get(key) not in (*options, NEW_PROFILE):
        st.session_state[key] = current
    choice = st.selectbox("Profile", [*options, NEW_PROFILE], key=key, disabled=disabled)
    notice = st.session_state.pop(PROFILE_NOTICE_KEY, None)
    if choice != NEW_PROFILE:
        st.session_state[PROFILE_KEY] = choice
        if isinstance(notice, tuple):
            (st.success if notice[0] == "ok" else st.error)(notice[1])
        return str(choice)
    st.text_input(
        "New profile name",
        max_chars=100,
        key=f"{key}-new",
        placeholder="Type a name, then press Enter",
        on_change=_create_profile,
        args=(store, key, options),
    )
    if isinstance(notice, tuple):
        st.error(notice[1])
    return str(current)


def _create_profile(store: SessionStore | None, key: str, options: Sequence[str]) -> None:
    """The new-profile box's callback: create the profile, select it, say so."""
    name = clean_profile_name(str(st.session_state.get(f"{key}-new", "")))
    if not name:
        return
    # "Alice" and "alice" are one person (the store matches profile names case-insensitively).
    same = next((o for o in options if o.casefold() == name.casefold()), None)
    if same is not None:
        st.session_state[PROFILE_KEY] = st.session_state[key] = same
        st.session_state[PROFILE_NOTICE_KEY] = ("ok", f"Profile **{same}** already exists: selected.")
        return
    if store is not None:
        try:
            store.create_profile(name)
            # The store's spelling: a profile that differs only in spacing or a letter's case.
            name = store.profile_named(name) or name
        except FitnessError as exc:
            st.session_state[PROFILE_NOTICE_KEY] = ("error", f"Could not create the profile: {exc}")
            return
    st.session_state["_new_profiles"] = [*st.session_state.get("_new_profiles", []), name]
    st.session_state[PROFILE_KEY] = st.session_state[key] = name
    st.session_state[PROFILE_NOTICE_KEY] = ("ok", f"Profile **{name}** created and selected.")


def choice_from_url(param: str, key: str, options: Sequence[str]) -> None:
    """Before a widget is drawn: start it at the value named in the page's address, so a reload
    (which starts a new session) keeps what was chosen. Unknown values are ignored."""
    if key not in st.session_state and st.query_params.get(param) in options:
        st.session_state[key] = st.query_params[param]


def keep_in_url(**choices: str) -> None:
    """Write the page's choices into its address (``?exercise=squat&...``) for :func:`choice_from_url`."""
    for param, value in choices.items():
        if st.query_params.get(param) != value:
            st.query_params[param] = value


def page_style() -> None:
    """The app's own CSS (``static/app.css``): a counter readable across the room, tables that
    fit a phone."""
    # No "<" may appear in the CSS, not even in a comment: the HTML sanitizer would drop it all.
    st.html(f"<style>{static_text('app.css')}</style>")


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
