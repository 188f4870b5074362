"""Beeps and spoken cues for the live page, and the camera check and full-screen button under
the camera view.

:class:`Announcer` turns successive :class:`~fitness.app.live_state.LiveSnapshot` s into
:class:`Announcement` s (a beep per new rep, a cue now and then, never nagging, and what the
workout has to say: a rest, the next set of a plan, a set to stop);
:func:`announcement_html`, :func:`camera_check_html` and :func:`fullscreen_html` are the small
pages the browser runs for them. Their HTML, CSS and JavaScript are files in
``fitness/app/static/`` (package data), not strings in Python.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources

from fitness.app.live_state import LiveSnapshot
from fitness.app.pacing import CueThrottle


@functools.cache
def static_text(name: str) -> str:
    """A file from ``fitness/app/static/`` (read once: it is part of the installed package)."""
    return resources.files("fitness.app").joinpath("static", name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Announcement:
    """One thing for the browser to do; ``key`` makes each one play exactly once."""

    event_id: int
    beep: bool = False
    say: str | None = None
    stream: str = ""  # the page session it belongs to: the tab's storage outlives a reload

    @property
    def key(self) -> str:
        return f"fitness-announce-{self.stream}-{self.event_id}"


@dataclass
class Announcer:
    """Turns successive snapshots into beeps and spoken cues (state lives in the session)."""

    throttle: CueThrottle = field(default_factory=CueThrottle)
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _seen_reps: int = 0
    _session: int | None = None
    _set: int = 0  # sets the workout had when its reps were last looked at
    _events: int = 0
    _said: set[str] = field(default_factory=set)  # the workout's sentences said (or let pass)

    def update(
        self, snap: LiveSnapshot, now: float, *, beep: bool, speak: bool, wall: float | None = None
    ) -> Announcement | None:
        """What to play for ``snap`` (``now``: monotonic seconds, for the cue throttle;
        ``wall``: ``time.time()``, for the workout's rests)."""
        sets = len(snap.workout.sets)
        if snap.session_id != self._session or (sets == self._set and snap.reps < self._seen_reps):
            # A new workout (or a rep taken back): no beep for reps counted before we looked,
            # no stale cue memory.
            self._session, self._seen_reps = snap.session_id, snap.reps
            self._said.clear()
            self.throttle.reset()
        elif sets != self._set:
            self._seen_reps = 0  # the next set of the workout we watched: each of its reps is new
        self._set = sets
        new_rep = snap.reps > self._seen_reps
        self._seen_reps = snap.reps
        due = [a for a in snap.workout.announcements(time.time() if wall is None else wall) if a.key not in self._said]
        self._said.update(a.key for a in due)  # said once, or never when speech is off
        if not snap.recording:
            return None
        workout_says = " ".join(a.text for a in due) if speak and due else None
        say = workout_says or (self.throttle.decide(snap.cue, now) if speak else None)
        do_beep = beep and new_rep
        if not (do_beep or say):
            return None
        self._events += 1
        return Announcement(self._events, do_beep, say, self.token)


def announcement_html(item: Announcement) -> str:
    """A tiny page that beeps and/or speaks once (WebAudio + the browser's speechSynthesis):
    ``static/announce.js`` after the announcement it plays."""
    # JSON is valid JavaScript; "<" escaped so a cue can never close the <script> early.
    data = json.dumps({"key": item.key, "beep": item.beep, "say": item.say or ""}).replace("<", "\\u003c")
    return f"<script>\nconst ANNOUNCEMENT = {data};\n{static_text('announce.js')}</script>"


def camera_check_html() -> str:
    """A line under the camera view saying, in words, when the browser has no usable camera
    (and nothing when it has one): ``static/camera_check.html``.

    The webcam component itself only shows the browser's exception name after START
    ("NotFoundError: Requested device not found"), and never tells the server. This asks the
    browser up front: no camera at all, camera access blocked for the site, or a page that is
    not a secure context (cameras only work on https or localhost).
    """
    return static_text("camera_check.html")


def fullscreen_html() -> str:
    """A "Full screen" button under the camera view (``static/fullscreen.html``): the live view
    (picture, count and cue) fills the screen, for following a set from across the room; Esc
    brings the page back."""
    return static_text("fullscreen.html")
