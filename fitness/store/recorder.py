"""Recording a session as it happens: what a session is when it starts, the angle trace kept
with it, and the recorder that commits each rep the moment it completes."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol

from fitness.engine.values import Rep

log = logging.getLogger(__name__)

# How a session ended; "in_progress" until it does. "interrupted": its process died mid-session.
EndReason = Literal["in_progress", "completed", "stopped", "interrupted", "error"]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What is known about a session when it starts."""

    exercise: str
    source: Literal["live", "video"]
    profile: str = "default"
    model_variant: str = "lightning"
    video_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


TRACE_POINTS = 3000  # angle samples kept with a session: 5 min of a live set at 10 a second, ~30 kB


def angle_trace(
    t_ms: Sequence[float], angle: Sequence[float | None], max_points: int = TRACE_POINTS
) -> dict[str, list[Any]]:
    """The primary angle over time as stored with a session (``extra["trace"]``): every k-th
    sample so that at most ``max_points`` remain, times in whole ms, angles to 0.1 degree, and
    None where there was no reading (JSON has no NaN)."""
    if len(t_ms) != len(angle):
        raise ValueError(f"{len(t_ms)} times but {len(angle)} angles")
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points}")
    step = max(1, math.ceil(len(t_ms) / max_points))
    return {
        "t_ms": [round(float(t)) for t in t_ms[::step]],
        "angle": [None if a is None or math.isnan(a) else round(float(a), 1) for a in angle[::step]],
    }


class RepSink(Protocol):
    """Where a recorder puts sessions and reps (:class:`fitness.store.store.SessionStore`)."""

    def start_session(self, info: SessionInfo) -> int: ...

    def add_rep(self, session_id: int, rep: Rep, *, extra: Mapping[str, Any] | None = None) -> None: ...

    def end_session(
        self, session_id: int, reason: EndReason = "completed", *, extra: Mapping[str, Any] | None = None
    ) -> None: ...


class SessionRecorder:
    """Records one session as it happens: each rep is committed by :meth:`add` before it returns.

    Thread-safe: the webcam callback thread may call :meth:`add` while the page thread calls
    :meth:`finish`. As a context manager it starts on entry and ends the session as
    ``completed``, ``stopped`` (Ctrl-C) or ``error`` (any other exception) on exit.
    """

    def __init__(self, store: RepSink, info: SessionInfo) -> None:
        self.info = info
        self._store = store
        # One lock for every store call: reps reach the database in the order they completed,
        # and finish() cannot slip in between the commit of a rep and its bookkeeping.
        self._lock = threading.Lock()
        self._session_id: int | None = None
        self._reps: list[Rep] = []
        self._end_reason: EndReason | None = None

    @property
    def session_id(self) -> int | None:
        return self._session_id

    @property
    def reps(self) -> tuple[Rep, ...]:
        """The reps saved so far."""
        with self._lock:
            return tuple(self._reps)

    @property
    def end_reason(self) -> EndReason | None:
        """None while recording (or before start), else how it ended."""
        return self._end_reason

    @property
    def active(self) -> bool:
        return self._session_id is not None and self._end_reason is None

    def start(self) -> int:
        """Create the session in the store; returns its id."""
        with self._lock:
            if self._session_id is not None:
                raise RuntimeError(f"session {self._session_id} was already started")
            self._session_id = self._store.start_session(self.info)
            return self._session_id

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> bool:
        """Persist ``rep`` now (with ``extra`` merged into the session's extra data in the same
        commit). False (and a warning) when the session has already finished: a rep completing
        while the person presses stop is dropped rather than reopening the session."""
        with self._lock:
            if self._session_id is None:
                raise RuntimeError("call start() before add()")
            if self._end_reason is not None:
                log.warning("rep %s arrived after session %d ended; not saved", rep.index, self._session_id)
                return False
            self._store.add_rep(self._session_id, rep, extra=extra)
            self._reps.append(rep)
            return True

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> None:
        """End the session as ``reason`` (merging ``extra`` into its extra data). A second call
        is a no-op (cleanup paths may overlap)."""
        with self._lock:
            if self._session_id is None:
                raise RuntimeError("call start() before finish()")
            if self._end_reason is not None:
                return
            self._store.end_session(self._session_id, reason, extra=extra)
            self._end_reason = reason

    def __enter__(self) -> SessionRecorder:
        if self._session_id is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.finish("completed")
            return
        reason: EndReason = "stopped" if issubclass(exc_type, KeyboardInterrupt) else "error"
        try:
            self.finish(reason)
        except Exception:
            # The original exception is the one worth seeing; do not replace it with this one.
            log.exception("could not mark session %s as %s", self._session_id, reason)
