"""Recording a workout as it happens: what a session is when it starts, the angle trace kept
with it, and the recorder that commits each set and rep the moment it starts or completes."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, Protocol

from fitness.engine.machines import Break
from fitness.engine.values import LoadUnit, Rep

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

    def start_session(
        self, info: SessionInfo, *, started_at: datetime | None = None, plan_id: int | None = None
    ) -> int: ...

    def add_rep(
        self, session_id: int, rep: Rep, *, set_id: int | None = None, extra: Mapping[str, Any] | None = None
    ) -> None: ...

    def start_set(
        self,
        session_id: int,
        exercise: str,
        start_ms: int,
        *,
        rest_before_ms: int | None = None,
        plan_item_id: int | None = None,
        load: float | None = None,
        load_unit: LoadUnit | None = None,
    ) -> int: ...

    def end_set(
        self, set_id: int, *, end_ms: int | None = None, hold_ms: int | None = None, breaks: Sequence[Break] = ()
    ) -> None: ...

    def end_session(
        self, session_id: int, reason: EndReason = "completed", *, extra: Mapping[str, Any] | None = None
    ) -> None: ...


class SessionRecorder:
    """Records one workout as it happens: each rep is committed by :meth:`add` before it
    returns, into the set :meth:`start_set` opened (without one, the store opens a first set of
    the session's exercise). :meth:`end_set` records where a set ended and a hold's time.

    Thread-safe: the webcam callback thread may call :meth:`add` while the page thread calls
    :meth:`finish`. As a context manager it starts on entry and ends the session as
    ``completed``, ``stopped`` (Ctrl-C) or ``error`` (any other exception) on exit.
    """

    def __init__(self, store: RepSink, info: SessionInfo, *, plan_id: int | None = None) -> None:
        self.info = info
        self.plan_id = plan_id
        self._store = store
        # One lock for every store call: reps reach the database in the order they completed,
        # and finish() cannot slip in between the commit of a rep and its bookkeeping.
        self._lock = threading.Lock()
        self._session_id: int | None = None
        self._reps: list[Rep] = []
        self._end_reason: EndReason | None = None
        self._set_id: int | None = None

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

    def start(self, started_at: datetime | None = None) -> int:
        """Create the session in the store (starting at ``started_at``, default now); returns its id."""
        with self._lock:
            if self._session_id is not None:
                raise RuntimeError(f"session {self._session_id} was already started")
            self._session_id = self._store.start_session(self.info, started_at=started_at, plan_id=self.plan_id)
            return self._session_id

    @property
    def set_id(self) -> int | None:
        """The stored id of the set being recorded (None before the first :meth:`start_set`)."""
        return self._set_id

    def start_set(
        self,
        exercise: str,
        start_ms: int,
        *,
        rest_before_ms: int | None = None,
        plan_item_id: int | None = None,
        load: float | None = None,
        load_unit: LoadUnit | None = None,
    ) -> int:
        """Open the next set (committed now); the reps :meth:`add` saves from now on go to it."""
        with self._lock:
            session_id = self._running("start_set")
            self._set_id = self._store.start_set(
                session_id,
                exercise,
                start_ms,
                rest_before_ms=rest_before_ms,
                plan_item_id=plan_item_id,
                load=load,
                load_unit=load_unit,
            )
            return self._set_id

    def end_set(self, *, end_ms: int | None = None, hold_ms: int | None = None, breaks: Sequence[Break] = ()) -> None:
        """Record where the current set ended (and a hold's time and breaks)."""
        with self._lock:
            self._running("end_set")
            if self._set_id is None:
                raise RuntimeError("call start_set() before end_set()")
            self._store.end_set(self._set_id, end_ms=end_ms, hold_ms=hold_ms, breaks=breaks)

    def _running(self, what: str) -> int:
        if self._session_id is None:
            raise RuntimeError(f"call start() before {what}()")
        if self._end_reason is not None:
            raise RuntimeError(f"session {self._session_id} has ended ({self._end_reason})")
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
            self._store.add_rep(self._session_id, rep, set_id=self._set_id, extra=extra)
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
