"""The values the store hands out: sessions with their rep aggregates, one session's reps,
what the History page can choose from, and everything it draws for one selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from fitness.engine.values import Rep
from fitness.store.localtime import since_to_utc, until_to_utc
from fitness.store.recorder import EndReason

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session with its rep aggregates (means are ``None`` for a session without reps)."""

    id: int
    profile: str
    exercise: str
    source: str
    model_variant: str
    video_name: str | None
    started_at: datetime
    ended_at: datetime | None
    end_reason: EndReason
    notes: str | None
    rep_count: int
    good_count: int
    mean_rom_deg: float | None = None
    mean_eccentric_ms: float | None = None
    mean_concentric_ms: float | None = None
    mean_duration_ms: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def good_share(self) -> float | None:
        return self.good_count / self.rep_count if self.rep_count else None

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended_at is None else self.ended_at - self.started_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile": self.profile,
            "exercise": self.exercise,
            "source": self.source,
            "model_variant": self.model_variant,
            "video_name": self.video_name,
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "end_reason": self.end_reason,
            "notes": self.notes,
            "rep_count": self.rep_count,
            "good_count": self.good_count,
            "extra": dict(self.extra),
        }


@dataclass(frozen=True, slots=True)
class SessionDetail:
    summary: SessionSummary
    reps: tuple[Rep, ...]


def _names(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which sessions a history query covers, and whose calendar counts the days.

    ``profiles`` / ``exercises``: None means all, an empty tuple none (a multiselect with
    everything unticked). ``since`` (inclusive) and ``until`` (exclusive) are UTC instants;
    ``tz`` is the zone whose local days the per-day numbers use (None: this machine's).
    """

    profiles: tuple[str, ...] | None = None
    exercises: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None
    tz: tzinfo | None = None

    @classmethod
    def of(
        cls,
        profile: str | Iterable[str] | None = None,
        exercise: str | Iterable[str] | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        *,
        tz: tzinfo | None = None,
    ) -> Selection:
        """One name or several for ``profile`` / ``exercise``. ``since``: a day (from its
        local midnight in ``tz``) or an instant; ``until``: the last day included, or an
        instant (excluded)."""
        return cls(_names(profile), _names(exercise), since_to_utc(since, tz), until_to_utc(until, tz), tz)


@dataclass(frozen=True, slots=True)
class HistoryChoices:
    """What the History page's filters offer: profiles and exercises that have sessions, and
    the first and last session's start (None for an empty history)."""

    profiles: tuple[str, ...]
    exercises: tuple[str, ...]
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True, slots=True, eq=False)
class HistoryView:
    """Everything the History page draws for one :class:`Selection`, read in one transaction.

    ``sessions``: newest first, without their extra data (a live set's angle trace is up to
    30 kB; :meth:`~fitness.store.store.SessionStore.get_session` reads it for the one shown).
    ``per_day``, ``per_session``, ``cues``: frames with the columns of
    :mod:`fitness.store.analytics` (``DAY_COLUMNS``, ``SESSION_COLUMNS``, ``CUE_COLUMNS``).
    """

    selection: Selection
    sessions: tuple[SessionSummary, ...]
    per_day: pd.DataFrame
    per_session: pd.DataFrame
    cues: pd.DataFrame

    @property
    def rep_count(self) -> int:
        return sum(s.rep_count for s in self.sessions)

    @property
    def good_count(self) -> int:
        return sum(s.good_count for s in self.sessions)

    @property
    def good_share(self) -> float | None:
        total = self.rep_count
        return self.good_count / total if total else None
