"""The History page: charts over the saved sessions, one session's detail, CSV, and the
corrections a person makes (a session's count and notes, deleting a session, renaming, merging
and deleting profiles).

The store answers (:meth:`~fitness.store.store.SessionStore.history`: filtered and aggregated
by the database, a fixed number of statements however long the history); this page only lays
out the filters and draws what comes back. Every change that loses or rewrites something asks
first: the first click arms it, a second ("Yes, ...") does it (:func:`confirmed`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from typing import Any, Final

import streamlit as st

from fitness.app import charts
from fitness.app.common import (
    _configure_logging,
    enter_page,
    fmt_clock,
    fmt_when,
    get_store,
    history_exercise_label,
    no_store_warning,
)
from fitness.app.tables import rep_table, set_table, summary_table
from fitness.engine.registry import REGISTRY
from fitness.engine.values import SetResult
from fitness.errors import FitnessError
from fitness.store import HistoryChoices, HistoryView, Selection, SessionStore, SessionSummary

log = logging.getLogger("fitness.app")

FLASH_KEY: Final = "hist-flash"  # what the last change did, shown once after the page reloads
# Widgets the last change asked to start afresh, and those doing so on this run (start_at).
RESET_KEY: Final = "hist-reset"
RESETTING_KEY: Final = "hist-resetting"
SESSION_KEY: Final = "hist-session"
FILTER_KEYS: Final = ("hist-profiles", "hist-exercises")
PROFILE_KEYS: Final = (
    "prof-rename-from",
    "prof-rename-to",
    "prof-merge-from",
    "prof-merge-to",
    "prof-delete-name",
    "prof-delete-sessions",
)
MAX_COUNT: Final = 10_000  # reps a corrected session may claim: far beyond any set


def page_history() -> None:
    enter_page("history")
    _configure_logging()
    st.title("History")
    flash = st.session_state.pop(FLASH_KEY, None)
    if isinstance(flash, str):
        st.success(flash)
    st.session_state[RESETTING_KEY] = st.session_state.pop(RESET_KEY, frozenset())
    store, store_error = get_store()
    if store is None:
        no_store_warning(store_error)
        return
    try:
        offered = store.history_choices()
    except FitnessError as exc:
        st.error(f"Could not read the history: {exc}")
        return
    if offered.first is None:
        st.info("No sessions yet. Record a set on **Live workout** or save an analysed video.")
    else:
        show_history(store, offered, offered.first.astimezone().date())
    manage_profiles(store, offered.sessions_of)


def show_history(store: SessionStore, offered: HistoryChoices, first_day: date) -> None:
    """The filters, the numbers and charts of what they select, one session's detail, the CSV."""
    # The filters' state is set here, never by a default: after a change the page must be able
    # to set it again (all profiles after a rename; without a name a deletion took away).
    for key, offer in zip(FILTER_KEYS, (offered.profiles, offered.exercises), strict=True):
        kept = st.session_state.get(key)
        if key not in st.session_state or key in st.session_state[RESETTING_KEY]:
            st.session_state[key] = list(offer)
        elif isinstance(kept, list) and not set(kept) <= set(offer):
            st.session_state[key] = [k for k in kept if k in offer]
    c1, c2, c3 = st.columns([2, 2, 3])
    with c1:
        profiles = st.multiselect("Profile", offered.profiles, key="hist-profiles")
    with c2:
        exercises = st.multiselect(
            "Exercise", offered.exercises, format_func=history_exercise_label, key="hist-exercises"
        )
    with c3:
        picked = st.date_input("Dates", value=(first_day, date.today()), key="hist-dates")
    start_day, end_day = date_range(picked, first_day)
    selection = Selection.of(profiles, exercises, start_day, end_day)
    try:
        view = store.history(selection)
    except FitnessError as exc:
        st.error(f"Could not read the history: {exc}")
        return
    if not view.sessions:
        st.info("No sessions match these filters.")
        return

    m1, m2, m3 = st.columns(3)
    m1.metric("Sessions", len(view.sessions))
    m2.metric("Total reps", view.rep_count)
    m3.metric("Good form", f"{view.good_share:.0%}" if view.good_share is not None else "—")

    history_charts(view)
    workout_overview(view)
    session_detail(store, view.sessions)
    left, right = st.columns(2)
    # Made when a button is pressed (the same exports as `fitness history export`), not on
    # every run of the page.
    left.download_button(
        "Download these reps as CSV",
        data=lambda: store.csv_bytes(selection),
        file_name=f"fitness-history-{date.today().isoformat()}.csv",
        mime="text/csv",
        key="hist-csv",
    )
    right.download_button(
        "Download these sets as CSV",
        data=lambda: store.csv_bytes(selection, per="set"),
        file_name=f"fitness-sets-{date.today().isoformat()}.csv",
        mime="text/csv",
        key="hist-csv-sets",
    )


def count_of(n: int, noun: str) -> str:
    """A count with its noun: 1 rep, 2 reps, 0 reps."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def done(message: str, *reset: str) -> None:
    """After a change: say what happened on the next run, have the widgets ``reset`` start
    afresh there (they may name what is gone: a deleted session, a renamed profile), and
    draw the page again."""
    st.session_state[FLASH_KEY] = message
    st.session_state[RESET_KEY] = frozenset(reset)
    st.rerun()


def start_at(key: str, value: object) -> None:
    """Set widget ``key`` to ``value`` on this run if the last change asked for it; called
    before the widget is drawn. Only a value set this way reaches the browser: a widget
    whose state is merely dropped keeps showing its old choice there."""
    if key in st.session_state.get(RESETTING_KEY, ()):
        st.session_state[key] = value


def confirmed(label: str, *, key: str, target: Hashable, prompt: str, yes: str, problem: str | None = None) -> bool:
    """A button that asks before it acts: the first click shows ``prompt`` with ``yes`` and
    Cancel; True on the run ``yes`` is clicked. Armed for ``target`` only: change what the
    button would act on (another session, another count) and it asks again. A click while
    there is a ``problem`` (no note typed yet) says so instead of asking. The button is never
    disabled: a field typed into and left by clicking the button reaches the script in the
    same run as the click, and a disabled button would swallow that click."""
    armed_key = f"{key}-armed"
    if st.session_state.get(armed_key) != target:
        if not st.button(label, key=key):
            return False
        if problem:
            st.error(problem)
            return False
        st.session_state[armed_key] = target
    st.warning(prompt)
    left, right = st.columns(2)
    if left.button(yes, key=f"{key}-yes", type="primary"):
        st.session_state.pop(armed_key, None)
        return True
    if right.button("Cancel", key=f"{key}-cancel"):
        st.session_state.pop(armed_key, None)
        st.rerun()
    return False


def date_range(picked: Any, first_day: date) -> tuple[date, date]:
    """``st.date_input`` gives one date while the second is being picked."""
    if isinstance(picked, Sequence) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, Sequence) and len(picked) == 1:
        return picked[0], date.today()
    if isinstance(picked, date):
        return picked, date.today()
    return first_day, date.today()


def history_charts(view: HistoryView) -> None:
    row1 = st.columns(2, gap="large")
    row2 = st.columns(2, gap="large")
    row1[0].plotly_chart(charts.reps_per_day_chart(view.per_day), width="stretch", key="h-day")
    row1[1].plotly_chart(charts.good_share_chart(view.per_session), width="stretch", key="h-good")
    row2[0].plotly_chart(charts.rom_chart(view.per_session), width="stretch", key="h-rom")
    row2[1].plotly_chart(charts.tempo_chart(view.per_session), width="stretch", key="h-tempo")
    cues = charts.cue_chart(view.cues)
    if cues is None:
        st.caption("No form cues in these sessions.")
    else:
        st.plotly_chart(cues, width="stretch", key="h-cues")


def workout_overview(view: HistoryView) -> None:
    """By workout: weekly volume, the training calendar, the longest holds, personal records
    and how closely planned workouts were followed (all computed by the database)."""
    st.subheader("Workouts")
    row = st.columns(2, gap="large")
    row[0].plotly_chart(charts.weekly_volume_chart(view.weekly), width="stretch", key="h-weekly")
    row[1].plotly_chart(charts.calendar_chart(view.training_days), width="stretch", key="h-calendar")
    holds = charts.holds_chart(view.holds)
    if holds is not None:
        st.plotly_chart(holds, width="stretch", key="h-holds")
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Personal records**")
        if view.records.empty:
            st.caption("No sets yet.")
        else:
            st.table(records_table(view.records))
    with right:
        st.markdown("**Plan adherence**")
        planned = view.planned
        if not planned:
            st.caption("No workout here followed a plan.")
        else:
            st.table(adherence_table(planned))


def records_table(records: Any) -> Any:
    """Each exercise's best set: most reps, or the longest hold, and the day."""
    return (
        records.assign(
            exercise=[history_exercise_label(str(e)) for e in records["exercise"]],
            value=[f"{v:g} {u}" for v, u in zip(records["value"], records["unit"], strict=True)],
            day=[d.isoformat() for d in records["day"]],
        )[["exercise", "record", "value", "day"]]
        .rename(columns=str.capitalize)
        .set_index("Exercise")
    )


def adherence_table(planned: Sequence[SessionSummary]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "Workout": [f"#{s.id} · {fmt_when(s.started_at)}" for s in planned],
            "Plan": [s.plan_name or "(deleted)" for s in planned],
            "Sets done": [f"{s.plan_sets_done} of {s.planned_sets}" for s in planned],
            "Adherence": [f"{(s.adherence or 0.0):.0%}" for s in planned],
        }
    ).set_index("Workout")


def session_label(s: SessionSummary) -> str:
    where = s.video_name if s.source == "video" and s.video_name else "live"
    edited = " (corrected)" if s.corrected_reps is not None else ""
    return (
        f"#{s.id} · {fmt_when(s.started_at)} · {history_exercise_label(s.exercise)} · "
        f"{count_of(s.rep_count, 'rep')}{edited} · {s.profile} · {where}"
    )


def session_detail(store: SessionStore, found: Sequence[SessionSummary]) -> None:
    st.subheader("Session detail")
    by_id = {s.id: s for s in found}
    shown = st.session_state.get(SESSION_KEY)
    start_at(SESSION_KEY, shown if shown in by_id else next(iter(by_id)))
    picked = st.selectbox("Session", list(by_id), format_func=lambda i: session_label(by_id[i]), key=SESSION_KEY)
    if picked is None:
        return
    try:
        detail = store.get_session(int(picked))
    except FitnessError as exc:
        st.error(f"Could not read session #{picked}: {exc}")
        return
    s = detail.summary
    # "interrupted" is the longest value: its column gets the room, the numbers need little.
    c1, c2, c3, c4 = st.columns([0.8, 1.1, 0.9, 1.6])
    c1.metric("Reps", s.rep_count)
    c2.metric("Good form", f"{s.good_count} of {s.recorded_count}" if s.recorded_count else "—")
    c3.metric("Duration", fmt_clock(s.duration.total_seconds()) if s.duration is not None else "—")
    c4.metric("Ended", s.end_reason.replace("_", " "))
    if s.extra.get("batch"):
        st.caption(f"Analysed by batch {s.extra['batch']} from {s.extra.get('source_path') or s.video_name}")
    if s.corrected_reps is not None:
        st.caption(
            f"Count corrected by hand: {count_of(s.recorded_count, 'rep')} recorded, "
            f"{s.corrected_reps} done. Why: {s.correction_note}"
        )
    session_notes(store, s)
    correct_session(store, s)
    if detail.sets:
        show_sets(detail.sets)
    if not detail.reps:
        st.caption("No reps in this session.")
        return
    angle_name = REGISTRY[s.exercise].primary.label() if s.exercise in REGISTRY else "angle"
    title = f"{history_exercise_label(s.exercise)}: {angle_name}"
    st.plotly_chart(charts.session_chart(detail.reps, s.extra.get("trace"), title), width="stretch", key="h-session")
    st.table(summary_table(detail.reps))
    with st.expander("Every measurement of each rep"):
        st.dataframe(rep_table(detail.reps))


def show_sets(found: Sequence[SetResult]) -> None:
    """A workout's sets: a timeline with the reps marked, a table, and velocity loss per rep."""
    st.markdown(f"**{count_of(len(found), 'set')}**")
    if len(found) > 1:
        end_s = max(x.end_ms for x in found) / 1000
        st.plotly_chart(charts.sets_timeline(found, end_s, "Sets and rests"), width="stretch", key="h-sets")
    st.table(set_table(found))
    fatigue = charts.fatigue_chart(found)
    if fatigue is not None:
        st.plotly_chart(fatigue, width="stretch", key="h-fatigue")


def session_notes(store: SessionStore, s: SessionSummary) -> None:
    """The session's notes, shown and edited in place (kept in exports too)."""
    notes = st.text_area(
        "Notes", value=s.notes or "", max_chars=2000, key=f"hist-notes-{s.id}", placeholder="How did it feel?"
    )
    if st.button("Save notes", key=f"hist-notes-save-{s.id}"):

        def save() -> str:
            store.set_notes(s.id, notes)
            return f"Notes of session #{s.id} saved."

        apply(save, "Could not save the notes")


def correct_session(store: SessionStore, s: SessionSummary) -> None:
    """Set the count by hand (with the reason) or delete the session, each after a second click."""
    with st.expander("Correct or delete this session"):
        if s.end_reason == "in_progress":
            st.caption("This session is still being recorded: correct or delete it once it has ended.")
            return
        # After a count changes, its fields start from the new count, and the session's label
        # (which shows the count) is set again so that the browser shows the new one.
        edited = (f"hist-count-{s.id}", f"hist-why-{s.id}", SESSION_KEY)
        start_at(f"hist-count-{s.id}", s.rep_count)
        start_at(f"hist-why-{s.id}", "")
        left, right = st.columns([1, 3])
        count = int(
            left.number_input(
                "Reps done", min_value=0, max_value=MAX_COUNT, value=s.rep_count, step=1, key=f"hist-count-{s.id}"
            )
        )
        why = right.text_input(
            "Why the count changes", max_chars=2000, key=f"hist-why-{s.id}", placeholder="two reps were out of frame"
        ).strip()
        problem = None
        if count == s.rep_count:
            problem = f"The count is already {count}: type the number of reps done first."
        elif count != s.recorded_count and not why:
            problem = "Say why the count changes: the note is kept with the session."
        if confirmed(
            "Save the count",
            key="hist-count-save",
            target=(s.id, count, why),
            prompt=f"Change the count of session #{s.id} from {s.rep_count} to {count}?",
            yes=f"Yes, it was {count_of(count, 'rep')}",
            problem=problem,
        ):
            apply(
                lambda: f"Session #{s.id} now counts {count_of(store.correct_rep_count(s.id, count, why), 'rep')}.",
                "Could not correct the count",
                *edited,
            )
        if s.corrected_reps is not None and confirmed(
            f"Back to the {count_of(s.recorded_count, 'rep')} recorded",
            key="hist-count-undo",
            target=s.id,
            prompt=f"Forget the correction of session #{s.id} and count its {s.recorded_count} recorded reps?",
            yes="Yes, undo the correction",
        ):
            apply(
                lambda: f"Session #{s.id} counts its {count_of(store.correct_rep_count(s.id, None), 'recorded rep')}.",
                "Could not undo the correction",
                *edited,
            )
        st.divider()
        if confirmed(
            "Delete this session",
            key="hist-delete",
            target=s.id,
            prompt=(
                f"Delete session #{s.id} ({history_exercise_label(s.exercise)}, {count_of(s.rep_count, 'rep')}, "
                f"{fmt_when(s.started_at)}) from every chart and export? This cannot be undone."
            ),
            yes=f"Yes, delete session #{s.id}",
        ):

            def delete() -> str:
                store.delete_session(s.id)
                return f"Session #{s.id} deleted."

            apply(delete, f"Could not delete session #{s.id}", SESSION_KEY)


def manage_profiles(store: SessionStore, sessions_of: Mapping[str, int]) -> None:
    """Rename, merge and delete profiles (names are one person whatever their case)."""
    if not sessions_of:
        return
    names = list(sessions_of)
    for key in PROFILE_KEYS:
        start_at(key, {"prof-rename-to": "", "prof-delete-sessions": False}.get(key, names[0]))
    with st.expander("Manage profiles"):
        rename, merge, delete = st.tabs(["Rename", "Merge", "Delete"])
        with rename:
            old = str(st.selectbox("Profile", names, key="prof-rename-from"))
            new = st.text_input("New name", max_chars=100, key="prof-rename-to").strip()
            if confirmed(
                "Rename",
                key="prof-rename",
                target=(old, new),
                prompt=f"Rename {old!r} to {new!r}? Its sessions go with it.",
                yes=f"Yes, rename to {new}",
                problem=None if new and new != old else "Type the new name first.",
            ):
                _profile_change(lambda: f"{old!r} is now {store.rename_profile(old, new)!r}.")
        with merge:
            merge_profiles(store, sessions_of)
        with delete:
            delete_profile(store, sessions_of)


def merge_profiles(store: SessionStore, sessions_of: Mapping[str, int]) -> None:
    names = list(sessions_of)
    if len(names) < 2:
        st.caption("Only one profile: nothing to merge.")
        return
    source = str(st.selectbox("Merge", names, key="prof-merge-from"))
    others = [n for n in names if n != source]
    start_at("prof-merge-to", others[0])
    if st.session_state.get("prof-merge-to") not in others:
        st.session_state["prof-merge-to"] = others[0]  # the source was just picked: not into itself
    target = str(st.selectbox("into", others, key="prof-merge-to"))
    moving = count_of(sessions_of.get(source, 0), "session")
    if confirmed(
        "Merge",
        key="prof-merge",
        target=(source, target),
        prompt=f"Move {source!r}'s {moving} to {target!r} and remove {source!r}?",
        yes=f"Yes, merge into {target}",
    ):
        _profile_change(
            lambda: (
                f"{source!r} merged into {target!r} "
                f"({count_of(store.merge_profiles(source, target), 'session')} moved)."
            )
        )


def delete_profile(store: SessionStore, sessions_of: Mapping[str, int]) -> None:
    """A profile with sessions goes only with them, and only when the box says so."""
    gone = str(st.selectbox("Profile", list(sessions_of), key="prof-delete-name"))
    owned = sessions_of.get(gone, 0)
    also = False
    if owned:
        st.caption(
            f"{gone!r} has {count_of(owned, 'session')}: merge it into another profile to keep them, "
            "or delete them with it."
        )
        also = st.checkbox(f"Also delete its {count_of(owned, 'session')}", key="prof-delete-sessions")

    def delete() -> str:
        deleted = store.delete_profile(gone, force=also)
        return f"{gone!r} deleted" + (f" with its {count_of(deleted, 'session')}." if deleted else ".")

    if confirmed(
        "Delete profile",
        key="prof-delete",
        target=(gone, also),
        prompt=f"Delete {gone!r}" + (f" and its {count_of(owned, 'session')}" if owned else "") + "?",
        yes=f"Yes, delete {gone}",
        problem="Tick the box to delete its sessions too, or merge it instead." if owned and not also else None,
    ):
        _profile_change(delete)


def apply(change: Callable[[], str], failed: str, *reset: str) -> None:
    """Run ``change`` (it gives the sentence saying what it did): then reload the page with the
    widgets ``reset`` started afresh, or say why it failed (``failed``: the start of that line)."""
    try:
        message = change()
    except FitnessError as exc:
        st.error(f"{failed}: {exc}")
        return
    done(message, *reset)


def _profile_change(change: Callable[[], str]) -> None:
    """A profile change: the filters and profile fields start afresh, naming what is there now."""
    apply(change, "Could not change the profiles", *FILTER_KEYS, SESSION_KEY, *PROFILE_KEYS)
