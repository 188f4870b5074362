"""The values the store hands out: workouts (sessions) with their rep aggregates, one
workout's sets and reps, plans, what the History page can choose from, and everything it
draws for one selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from fitness.engine.values import Rep, SetResult
from fitness.store.localtime import since_to_utc, until_to_utc
from fitness.store.recorder import EndReason

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session with its rep aggregates (means are ``None`` for a session without reps).

    ``recorded_count`` reps were saved by the coach, ``good_count`` of them with good form.
    ``corrected_reps`` is the count a person set by hand (with ``correction_note`` saying
    why), when the coach miscounted: :attr:`rep_count`, the session's count everywhere, is
    that one when set. Form shares and means stay those of the recorded reps, the only ones
    the coach watched.
    """

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
    recorded_count: int
    good_count: int
    corrected_reps: int | None = None
    correction_note: str | None = None
    mean_rom_deg: float | None = None
    mean_eccentric_ms: float | None = None
    mean_concentric_ms: float | None = None
    mean_duration_ms: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # A workout's sets (v7): how many, and for one that followed a plan its name (None once
    # deleted), the sets it planned when it started and how many of its sets did a plan item.
    set_count: int = 0
    plan_id: int | None = None
    plan_name: str | None = None
    planned_sets: int | None = None
    plan_sets_done: int = 0

    @property
    def adherence(self) -> float | None:
        """Sets done of those planned (None without a plan)."""
        return None if not self.planned_sets else self.plan_sets_done / self.planned_sets

    @property
    def rep_count(self) -> int:
        """The session's count: corrected by hand, else the reps recorded."""
        return self.recorded_count if self.corrected_reps is None else self.corrected_reps

    @property
    def good_share(self) -> float | None:
        """Share of the recorded reps with good form."""
        return self.good_count / self.recorded_count if self.recorded_count else None

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
            "recorded_count": self.recorded_count,
            "corrected_reps": self.corrected_reps,
            "correction_note": self.correction_note,
            "good_count": self.good_count,
            "set_count": self.set_count,
            "plan": self.plan_name,
            "planned_sets": self.planned_sets,
            "plan_sets_done": self.plan_sets_done,
            "extra": dict(self.extra),
        }


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """One workout: its summary, every rep in order, and its sets (each with its own reps)."""

    summary: SessionSummary
    reps: tuple[Rep, ...]
    sets: tuple[SetResult, ...] = ()
    # The stored id of each set (by set index): what set_load and the plan items refer to.
    set_ids: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One line of a plan: ``sets`` sets of ``exercise``, each ``target_reps`` reps (or, for a
    hold, ``target_hold_s`` seconds), with ``rest_s`` seconds of rest after each set. ``id``
    is set once stored (the sets that follow it refer to it)."""

    exercise: str
    sets: int
    target_reps: int | None = None
    target_hold_s: int | None = None
    rest_s: int = 60
    id: int | None = None

    @property
    def target(self) -> str:
        """ "10 reps", "30 s"."""
        return f"{self.target_hold_s} s" if self.target_hold_s is not None else f"{self.target_reps} reps"


@dataclass(frozen=True, slots=True)
class Plan:
    """A saved workout plan of one profile: its items in order."""

    id: int
    profile: str
    name: str
    items: tuple[PlanItem, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def planned_sets(self) -> int:
        return sum(i.sets for i in self.items)


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
    the first and last session's start (None for an empty history). ``sessions_of``: every
    profile, sessions or not, with its number of sessions (what managing profiles shows)."""

    profiles: tuple[str, ...]
    exercises: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    sessions_of: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class HistoryView:
    """Everything the History page draws for one :class:`Selection`, read in one transaction.

    ``sessions``: newest first, without their extra data (a live set's angle trace is up to
    30 kB; :meth:`~fitness.store.store.SessionStore.get_session` reads it for the one shown).
    ``per_day``, ``per_session``, ``cues``: frames with the columns of
    :mod:`fitness.store.analytics` (``DAY_COLUMNS``, ``SESSION_COLUMNS``, ``CUE_COLUMNS``);
    by workout (v7): ``weekly`` (``WEEK_COLUMNS``: sets, reps and seconds held per week and
    exercise), ``records`` (``RECORD_COLUMNS``: most reps in a set and longest hold per
    exercise, with the day), ``holds`` (``HOLD_COLUMNS``: the longest hold per day).
    """

    selection: Selection
    sessions: tuple[SessionSummary, ...]
    per_day: pd.DataFrame
    per_session: pd.DataFrame
    cues: pd.DataFrame
    weekly: pd.DataFrame
    records: pd.DataFrame
    holds: pd.DataFrame

    @property
    def training_days(self) -> tuple[date, ...]:
        """The days with at least one workout (the calendar), oldest first."""
        return tuple(sorted(set(self.per_day["day"]))) if len(self.per_day) else ()

    @property
    def planned(self) -> tuple[SessionSummary, ...]:
        """The workouts that followed a plan, newest first (adherence: their sets done / planned)."""
        return tuple(s for s in self.sessions if s.planned_sets)

    @property
    def rep_count(self) -> int:
        return sum(s.rep_count for s in self.sessions)

    @property
    def good_count(self) -> int:
        return sum(s.good_count for s in self.sessions)

    @property
    def good_share(self) -> float | None:
        """Share of the recorded reps with good form."""
        total = sum(s.recorded_count for s in self.sessions)
        return self.good_count / total if total else None
