"""Workout history in a real database: an SQLite file by default, any SQLAlchemy URL for a shared one.

A workout (a session) is a series of sets, a set has its reps (or a hold's time and breaks):
:meth:`SessionStore.save_workout` files an analysed video's sets at once; a live workout is
recorded as it happens (:meth:`~SessionStore.start_session`, :meth:`~SessionStore.start_set`,
:meth:`~SessionStore.add_rep`, :meth:`~SessionStore.end_set`, :meth:`~SessionStore.end_session`).
Plans (:meth:`~SessionStore.create_plan` and friends) are what a workout may follow.

Every rep is committed in its own transaction the moment it completes, so killing the process
loses at most the rep in progress. A session left ``in_progress`` by a process that died is
marked ``interrupted`` the next time a store is opened (:mod:`fitness.store.liveness`).
Opening a store creates or upgrades its schema (:mod:`fitness.store.migrations`); a database
written by a newer program is refused, never touched.

Every failure a person can cause raises :class:`~fitness.errors.StorageError` with a one-line
message; a password in a URL is never part of it (:mod:`fitness.store.connection`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import URL, Connection, Engine

from fitness.engine.machines import Break
from fitness.engine.values import LoadUnit, Rep, SetResult
from fitness.errors import StorageError
from fitness.store import analytics, corrections, export, ledger, migrations, plans, profiles, writes
from fitness.store.connection import (
    WRITE_OPTION,
    check_sqlite_file,
    configured_db,
    create_engine,
    default_db_url,
    describe,
    run_transaction,
    to_url,
)
from fitness.store.ledger import LedgerEntry, VideoMark
from fitness.store.liveness import STALE_AFTER, current_owner
from fitness.store.recorder import EndReason, SessionInfo
from fitness.store.rows import (
    aware,
    break_rows,
    check_info,
    check_load,
    check_note,
    check_reason,
    now,
    one_set,
    profile_key,
    profile_name,
    rep_items,
    rep_row,
    set_row,
)
from fitness.store.schema import MAX_INT32, REP_INDEX, sessions
from fitness.store.values import (
    HistoryChoices,
    HistoryView,
    Plan,
    PlanItem,
    Selection,
    SessionDetail,
    SessionSummary,
)

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

T = TypeVar("T")
Names = str | Iterable[str] | None


class SessionStore:
    """Workout history over SQLAlchemy. Open with :meth:`open`; safe to share between threads."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self._url = url

    @classmethod
    def open(cls, url_or_path: str | os.PathLike[str] | None = None, *, recover: bool = True) -> SessionStore:
        """Open (creating or upgrading) the history at ``url_or_path`` (default: :func:`default_db_url`).
        A new SQLite file's folder must exist, except at the default location.

        With ``recover``, sessions left in progress by dead processes are marked interrupted.
        """
        # Only the default location's folder is ours to create (see check_sqlite_file).
        is_default = url_or_path is None and configured_db() is None
        url = to_url(url_or_path if url_or_path is not None else default_db_url())
        if url.get_backend_name() == "sqlite":
            check_sqlite_file(Path(str(url.database)), make_folder=is_default)
        store = cls(create_engine(url), url)
        try:
            store._upgrade()
            if recover:
                marked = store.mark_interrupted()
                if marked:
                    log.info("marked %d abandoned session(s) as interrupted: %s", len(marked), marked)
        except BaseException:
            store.close()
            raise
        log.debug("opened workout history at %s", store.location)
        return store

    @property
    def location(self) -> str:
        """The file path or the URL (password hidden)."""
        return describe(self._url)

    @property
    def backend(self) -> str:
        return self._url.get_backend_name()

    @property
    def engine(self) -> Engine:
        """The underlying engine, for tests and maintenance tools."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, action: str, work: Callable[[Connection], T], *, write: bool) -> T:
        return run_transaction(self._writer if write else self._engine, self._url, action, work)

    # -- schema --

    def schema_version(self) -> int:
        return self._run("reading the schema version", migrations.read_version, write=False)

    def _upgrade(self) -> None:
        # Look first without the write lock: a newer or foreign database is refused untouched.
        found = self._run(
            "opening the database", lambda conn: migrations.checked_version(conn, self.location), write=False
        )
        if found < migrations.LATEST_VERSION:
            self._run("upgrading the database", lambda conn: migrations.migrate(conn, self.location), write=True)

    # -- profiles (fitness.store.profiles) --
    # A profile is one person: names are compared trimmed and case-insensitively (through
    # profiles.name_key), so "Alice", "alice" and " Alice " all mean the same profile.

    def create_profile(self, name: str) -> int:
        """The id of the profile ``name`` stands for, created (trimmed) if there is none yet."""
        shown, key = profile_name(name), profile_key(name)
        return self._run("creating a profile", lambda conn: profiles.profile_id(conn, shown, key), write=True)

    def profiles(self) -> list[str]:
        """Every profile's name, in alphabetical order whatever the case."""
        return self._run("listing profiles", profiles.profile_names, write=False)

    def profile_named(self, name: str) -> str | None:
        """The stored name of the profile ``name`` stands for ("alice" -> "Alice"), or None."""
        try:
            key = profile_key(name)
        except StorageError:
            return None
        return self._run("looking up a profile", lambda conn: profiles.stored_name(conn, key), write=False)

    def rename_profile(self, name: str, new_name: str) -> str:
        """Call profile ``name`` ``new_name`` from now on (its sessions follow); returns the name
        as stored. Refused when another profile is already called that: merge them instead."""
        shown, key = profile_name(new_name), profile_key(new_name)
        renamed = self._run(
            f"renaming profile {name!r}", lambda conn: profiles.rename_profile(conn, name, shown, key), write=True
        )
        log.info("profile %r renamed to %r", name, renamed)
        return renamed

    def merge_profiles(self, name: str, into: str) -> int:
        """Move every session of profile ``name`` to profile ``into`` and delete ``name`` (both
        must exist); returns how many sessions moved."""
        return self._run(
            f"merging profile {name!r} into {into!r}",
            lambda conn: profiles.merge_profiles(conn, name, into),
            write=True,
        )

    def delete_profile(self, name: str, *, force: bool = False) -> int:
        """Delete profile ``name``; returns how many of its sessions were deleted with it.

        A profile with sessions is refused unless ``force``: its training history would go
        with it, so the person must say so (or merge it into another profile to keep it). A
        session still being recorded by a live process is never deleted this way.
        """
        me = current_owner()
        deleted = self._run(
            f"deleting profile {name!r}",
            lambda conn: profiles.delete_profile(conn, name, force=force, me=me),
            write=True,
        )
        log.info("profile %r deleted with %d session(s)", name, deleted)
        return deleted

    # -- recording (fitness.store.writes) --

    def start_session(
        self, info: SessionInfo, *, started_at: datetime | None = None, plan_id: int | None = None
    ) -> int:
        """Create an ``in_progress`` workout owned by this process; returns its id. ``plan_id``:
        the plan it follows (its number of sets is kept with the workout, for adherence)."""
        extra = check_info(info)
        owner = current_owner()
        when = aware(started_at, "started_at") or now()
        session_id = self._run(
            "starting a session",
            lambda conn: writes.start_session(conn, info, extra, when, owner=owner, plan_id=plan_id),
            write=True,
        )
        log.info("session %d started (%s, %s, profile %s)", session_id, info.exercise, info.source, info.profile)
        return session_id

    def add_rep(
        self, session_id: int, rep: Rep, *, set_id: int | None = None, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Save one completed rep, committed before this returns, in set ``set_id`` (default:
        the workout's newest set, started here with the session's exercise if it has none).
        The set's end moves to the rep's end in the same transaction.

        ``extra``: keys to merge into the session's extra data in the same transaction (the
        live page stores the angle trace so far this way: one commit per rep, not two). A value
        JSON cannot hold fails inside that transaction, so the rep is not saved either.
        """
        row = rep_row(rep)
        items = rep_items(rep)
        self._run(
            f"saving rep {row[REP_INDEX]} of session {session_id}",
            lambda conn: writes.add_rep(conn, session_id, rep, row, items, set_id=set_id, extra=extra),
            write=True,
        )

    def end_session(
        self,
        session_id: int,
        reason: EndReason = "completed",
        *,
        notes: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Close an in-progress session as ``reason`` (completed, stopped, interrupted or error);
        ``extra`` keys are merged into its extra data in the same transaction."""
        final = check_reason(reason)
        self._run(
            f"ending session {session_id}",
            lambda conn: writes.end_session(conn, session_id, final, notes, extra),
            write=True,
        )
        log.info("session %d ended: %s", session_id, final)

    def save_session(
        self,
        info: SessionInfo,
        reps: Sequence[Rep],
        end_reason: EndReason = "completed",
        *,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> int:
        """A finished one-set workout and all its reps in ONE transaction: all saved, or nothing."""
        return self.save_workout(
            info, [one_set(info.exercise, reps)], end_reason, started_at=started_at, ended_at=ended_at
        )

    def save_workout(
        self,
        info: SessionInfo,
        workout: Sequence[SetResult],
        end_reason: EndReason = "completed",
        *,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> int:
        """A finished workout, its sets and all their reps (and a hold's breaks) in ONE
        transaction: all saved, or nothing (``fitness analyze --save`` and the Analyse page
        record an analysed video this way). Reps are numbered through the workout."""
        finished = writes.FinishedSession.of(info, workout, end_reason, started_at, ended_at)
        session_id = self._run("saving a workout", finished.insert, write=True)
        log.info(
            "session %d saved with %d set(s), %d reps (%s)",
            session_id,
            len(finished.sets),
            finished.rep_count,
            finished.end_reason,
        )
        return session_id

    # -- sets, as they happen (fitness.store.writes) --

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
    ) -> int:
        """Open the next set of an in-progress workout (committed now); returns its id. Its
        reps follow with :meth:`add_rep` (``set_id``); a hold's time with :meth:`end_set`."""
        # Numbered in the transaction: the set after the session's newest.
        opened = SetResult(0, exercise, start_ms, start_ms, rest_before_ms, load=load, load_unit=load_unit)
        return self._run(
            f"starting a set of session {session_id}",
            lambda conn: writes.start_set(conn, session_id, opened, plan_item_id),
            write=True,
        )

    def end_set(
        self, set_id: int, *, end_ms: int | None = None, hold_ms: int | None = None, breaks: Sequence[Break] = ()
    ) -> None:
        """Record where a set ended (default: its last rep's end) and, for a hold, the time held
        and its breaks (replacing any recorded before: call it as the hold goes on, too)."""
        found = SetResult(1, "hold", 0, max(0, end_ms or 0), hold_ms=hold_ms, breaks=tuple(breaks))
        set_row(found)  # the values checked as a set's
        rows = break_rows(found)
        self._run(f"ending set {set_id}", lambda conn: writes.end_set(conn, set_id, end_ms, hold_ms, rows), write=True)

    def set_load(self, set_id: int, load: float | None, unit: LoadUnit | None) -> None:
        """The weight a set moved (``None`` and ``None``: bodyweight / not said)."""
        check_load(load, unit, f"set {set_id}")
        self._run(
            f"saving the load of set {set_id}", lambda conn: writes.set_load(conn, set_id, load, unit), write=True
        )

    # -- plans --

    def create_plan(self, profile: str, name: str, items: Sequence[PlanItem]) -> int:
        """Save a new plan for ``profile``; returns its id. An empty plan, an unknown exercise,
        or a count, target or rest of zero or less is a one-line :class:`StorageError`."""
        return self._run(
            f"saving plan {name!r}", lambda conn: plans.create_plan(conn, profile, name, items), write=True
        )

    def update_plan(self, plan_id: int, *, name: str | None = None, items: Sequence[PlanItem] | None = None) -> None:
        """Rename a plan and/or replace its items (checked as for :meth:`create_plan`). Refused
        while a workout following it is being recorded; finished workouts keep what they did."""
        me = current_owner()
        self._run(
            f"changing plan {plan_id}", lambda conn: plans.update_plan(conn, plan_id, name, items, me), write=True
        )

    def delete_plan(self, plan_id: int) -> None:
        """Delete a plan; workouts that followed it keep their sets and their adherence."""
        me = current_owner()
        self._run(f"deleting plan {plan_id}", lambda conn: plans.delete_plan(conn, plan_id, me), write=True)

    def plans(self, profile: str | None = None) -> list[Plan]:
        """Every plan (of ``profile``), by name: two statements."""
        return self._run("listing plans", lambda conn: plans.list_plans(conn, profile), write=False)

    def get_plan(self, plan_id: int) -> Plan:
        return self._run(f"reading plan {plan_id}", lambda conn: plans.read_plan(conn, plan_id), write=False)

    # -- the batch ledger (fitness batch) --

    def record_video(
        self,
        mark: VideoMark,
        info: SessionInfo,
        workout: Sequence[SetResult],
        *,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
        retry_failed: bool = False,
    ) -> int | None:
        """An analysed video's workout (its sets and their reps) and its ledger row in ONE transaction; the
        session id, or None (and nothing written) when this content is already recorded.
        ``retry_failed``: a ledger row saying this content failed before is replaced."""
        finished = writes.FinishedSession.of(info, workout, "completed", started_at, ended_at)
        session_id = self._run(
            f"recording {mark.source_path}",
            lambda conn: ledger.record(conn, mark, finished.insert, retry_failed=retry_failed),
            write=True,
        )
        if session_id is not None:
            log.info("session %d recorded from %s (batch %s)", session_id, mark.source_path, mark.batch)
        return session_id

    def record_failure(self, mark: VideoMark, reason: str, *, retry_failed: bool = False) -> bool:
        """Record that a video could not be analysed, and why; False when its content is
        already recorded (done or failed, unless ``retry_failed`` replaces a failure)."""
        text = " ".join(reason.split()) or "unknown reason"
        return self._run(
            f"recording the failure of {mark.source_path}",
            lambda conn: ledger.claim(conn, mark, "failed", text, retry_failed=retry_failed),
            write=True,
        )

    def known_videos(self, *, include_failed: bool = True) -> frozenset[str]:
        """The content hashes a batch skips: every recorded video (only the done ones unless
        ``include_failed``)."""
        return self._run(
            "reading the batch ledger",
            lambda conn: ledger.known_hashes(conn, include_failed=include_failed),
            write=False,
        )

    def ledger_entries(self, hashes: Iterable[str] | None = None, *, batch: str | None = None) -> list[LedgerEntry]:
        """What the ledger knows about these contents and/or this batch, oldest first."""
        return self._run("reading the batch ledger", lambda conn: ledger.entries(conn, hashes, batch), write=False)

    def mark_interrupted(self, *, stale_after: timedelta = STALE_AFTER) -> list[int]:
        """Mark sessions whose recording process is gone as ``interrupted``; returns their ids.

        On this host a session's owner is checked by pid (and process start time, so a reused
        pid does not count); a session owned by another host counts as abandoned only after
        ``stale_after`` without a rep or heartbeat. Its ``ended_at`` is its last sign of life.
        """
        me = current_owner()
        return self._run(
            "recovering interrupted sessions",
            lambda conn: corrections.mark_interrupted(conn, me=me, stale_after=stale_after),
            write=True,
        )

    # -- reading --

    def list_sessions(
        self,
        profile: Names = None,
        exercise: Names = None,
        since: date | datetime | None = None,
        *,
        until: date | datetime | None = None,
        limit: int | None = None,
        tz: tzinfo | None = None,
    ) -> list[SessionSummary]:
        """Sessions, newest first, with their rep aggregates and extra data (one statement).
        ``profile`` / ``exercise``: one name or several; the dates as in :meth:`Selection.of`."""
        sel = Selection.of(profile, exercise, since, until, tz=tz)
        return self._run(
            "listing sessions", lambda conn: analytics.session_summaries(conn, sel, limit=limit), write=False
        )

    def get_session(self, session_id: int) -> SessionDetail:
        """One session with its reps (in rep order)."""

        def work(conn: Connection) -> SessionDetail:
            row = conn.execute(analytics.summary_select().where(sessions.c.id == session_id)).first()
            if row is None:
                raise StorageError(f"no session with id {session_id}")
            which = [sessions.c.id == session_id]
            set_of: dict[tuple[int, int], tuple[int, int]] = {}
            found = analytics.load_reps(conn, which, set_of)
            workout, ids = analytics.load_sets(conn, which, found, set_of)
            return SessionDetail(
                analytics.summary(row),
                tuple(found.get(session_id, ())),
                tuple(workout.get(session_id, ())),
                {index: set_id for (_, index), set_id in ids.items()},
            )

        return self._run(f"reading session {session_id}", work, write=False)

    # -- deleting and correcting (fitness.store.corrections) --

    def delete_session(self, session_id: int, *, force: bool = False) -> None:
        """Delete a session with its reps and cues. A session still being recorded by a live
        process is refused unless ``force``."""
        me = current_owner()
        self._run(
            f"deleting session {session_id}",
            lambda conn: corrections.delete_session(conn, session_id, force=force, me=me),
            write=True,
        )
        log.info("session %d deleted", session_id)

    def delete_last_rep(self, session_id: int) -> int:
        """Delete the newest rep (highest index) of a session, with its cues, whether the session
        is still being recorded or has ended: the live page's "undo the last rep". Returns that
        rep's index; a :class:`StorageError` for an unknown session or one without reps."""
        index = self._run(
            f"removing the last rep of session {session_id}",
            lambda conn: corrections.delete_last_rep(conn, session_id),
            write=True,
        )
        log.info("rep %d of session %d deleted", index, session_id)
        return index

    def set_notes(self, session_id: int, notes: str | None) -> None:
        """Replace a session's notes (trimmed; empty or None clears them)."""
        text = check_note(notes, "session notes")
        self._run(
            f"saving the notes of session {session_id}",
            lambda conn: corrections.set_notes(conn, session_id, text),
            write=True,
        )

    def correct_rep_count(self, session_id: int, count: int | None, note: str | None = None) -> int:
        """Set the number of reps a person says a finished session really had, with a note
        saying why; returns the session's count from now on.

        The reps the coach saved stay as they were (their tempo and form are still what it
        measured); every count, chart and export uses the corrected number instead of the
        number of saved reps. ``None``, or the number of saved reps, removes the correction.
        """
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_INT32):
            raise StorageError(f"a rep count must be a whole number from 0 up, got {count!r}")
        why = check_note(note, "the note on a corrected count")
        if count is not None and why is None:
            raise StorageError("a corrected count needs a note saying why (for example: two reps out of frame)")
        final = self._run(
            f"correcting the count of session {session_id}",
            lambda conn: corrections.correct_rep_count(conn, session_id, count, why),
            write=True,
        )
        log.info("session %d count set to %d (%s)", session_id, final, why or "as recorded")
        return final

    # -- export --

    def export_rows(self, selection: Selection, per: export.Per = "rep") -> list[list[object]]:
        """The selected workouts as history CSV lines, oldest first: one per rep
        (:data:`export.CSV_COLUMNS`; three statements) or one per set
        (:data:`export.SET_CSV_COLUMNS`; five statements)."""
        clauses = analytics.where(selection)

        def work(conn: Connection) -> list[list[object]]:
            found = analytics.session_summaries(conn, selection, with_extra=False)
            set_of: dict[tuple[int, int], tuple[int, int]] = {}
            reps_of = analytics.load_reps(conn, clauses, set_of)
            if per == "set":
                return export.set_rows(found, analytics.load_sets(conn, clauses, reps_of, set_of)[0])
            return export.history_rows(found, reps_of, {k: index for k, (_, index) in set_of.items()})

        return self._run("exporting sessions", work, write=False)

    def export_csv(
        self,
        path: str | os.PathLike[str],
        profile: Names = None,
        exercise: Names = None,
        since: date | datetime | None = None,
        *,
        until: date | datetime | None = None,
        overwrite: bool = False,
        tz: tzinfo | None = None,
        per: export.Per = "rep",
    ) -> int:
        """Write one CSV row per rep (or per set, ``per="set"``) with its workout's columns;
        returns the number of rows. The file appears complete or not at all (written beside
        it, then renamed)."""
        target = export.check_target(path, overwrite=overwrite)
        rows = self.export_rows(Selection.of(profile, exercise, since, until, tz=tz), per)
        export.write_csv(target, export.columns_for(per), rows)
        log.info("exported %d %ss to %s", len(rows), per, target)
        return len(rows)

    def csv_bytes(self, selection: Selection, per: export.Per = "rep") -> bytes:
        """The same CSV as :meth:`export_csv`, as bytes (the History page's downloads)."""
        return export.csv_text(export.columns_for(per), self.export_rows(selection, per)).encode()

    # -- the History page --

    def history_choices(self) -> HistoryChoices:
        """What the History filters offer (one statement)."""
        return self._run("reading the history", analytics.choices, write=False)

    def history(self, selection: Selection) -> HistoryView:
        """Everything the History page draws for ``selection``, in one transaction of three
        statements however many sessions match."""
        return self._run("reading the history", lambda conn: analytics.history(conn, selection), write=False)

    # -- chart queries (pandas DataFrames) --

    def reps_per_day(
        self,
        profile: Names = None,
        exercise: Names = None,
        since: date | datetime | None = None,
        *,
        until: date | datetime | None = None,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Columns ``day, exercise, sessions, reps, good, good_share`` (one row per local day
        and exercise, oldest first); counted by the database."""
        sel = Selection.of(profile, exercise, since, until, tz=tz)
        return self._run("counting reps per day", lambda conn: analytics.per_day_frame(conn, sel), write=False)

    def good_share_per_session(
        self,
        profile: Names = None,
        exercise: Names = None,
        since: date | datetime | None = None,
        *,
        until: date | datetime | None = None,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Columns ``session_id, started_at, day, profile, exercise, reps, good, good_share``, oldest first."""
        sel = Selection.of(profile, exercise, since, until, tz=tz)
        return analytics.good_share_frame(self._session_frame(sel))

    def session_trends(
        self,
        profile: Names = None,
        exercise: Names = None,
        since: date | datetime | None = None,
        *,
        until: date | datetime | None = None,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Per-session means for ROM and tempo trends, oldest first; sessions without reps are left out.

        Columns ``session_id, started_at, day, profile, exercise, reps, mean_rom_deg,
        mean_eccentric_ms, mean_concentric_ms, mean_duration_ms``."""
        sel = Selection.of(profile, exercise, since, until, tz=tz)
        return analytics.trends_frame(self._session_frame(sel))

    def _session_frame(self, sel: Selection) -> pd.DataFrame:
        found = self._run(
            "reading sessions", lambda conn: analytics.session_summaries(conn, sel, with_extra=False), write=False
        )
        return analytics.session_frame(found, sel)

    def cue_frequency(
        self,
        profile: Names = None,
        exercise: Names = None,
        since: date | datetime | None = None,
        *,
        until: date | datetime | None = None,
        tz: tzinfo | None = None,
    ) -> pd.DataFrame:
        """Columns ``exercise, cue, count, reps, share``: how many of an exercise's reps drew each
        cue (``reps`` is that exercise's total); most frequent first."""
        sel = Selection.of(profile, exercise, since, until, tz=tz)
        return self._run("counting cues", lambda conn: analytics.cue_frame(conn, sel), write=False)

    def session_detail(self, session_id: int) -> pd.DataFrame:
        """One session's reps: the :class:`Rep` fields (lists joined with ``"; "``) plus ``duration_ms``."""
        return analytics.rep_frame(self.get_session(session_id).reps)
