"""History analytics against real databases: exact numbers on known data.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from fitness.store import SessionStore
from fitness.store.demo import write_demo
from fitness.store.localtime import local_day
from fitness.store.recorder import SessionInfo
from fitness.store.values import Selection, SessionSummary
from tests.storage_worker import make_rep
from tests.store.helpers import T0, rows_of

# -- chart queries: exact numbers on known data -------------------------------------------------------


def test_reps_per_day(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.reps_per_day(profile="ann", tz=UTC)
    assert list(frame.columns) == ["day", "exercise", "sessions", "reps", "good", "good_share"]
    rows = rows_of(frame)
    assert rows[:2] == [(date(2024, 3, 1), "squat", 2, 4, 2, 0.5), (date(2024, 3, 2), "pushup", 1, 2, 1, 0.5)]
    assert rows[2][:5] == (date(2024, 3, 3), "squat", 1, 0, 0) and math.isnan(rows[2][5])
    everyone = rows_of(store.reps_per_day(tz=UTC))
    assert (date(2024, 3, 2), "squat", 1, 1, 0, 0.0) in everyone and len(everyone) == 4
    # The same sessions seen from UTC-10: the first one falls on the leap day.
    hawaii = rows_of(store.reps_per_day(profile="ann", exercise="squat", tz=timezone(timedelta(hours=-10))))
    assert [r[:5] for r in hawaii] == [
        (date(2024, 2, 29), "squat", 1, 3, 1),
        (date(2024, 3, 1), "squat", 1, 1, 1),
        (date(2024, 3, 2), "squat", 1, 0, 0),
    ]


def test_good_share_per_session(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.good_share_per_session(profile="ann", tz=UTC)
    assert list(frame.columns) == [
        "session_id",
        "started_at",
        "day",
        "profile",
        "exercise",
        "reps",
        "good",
        "good_share",
    ]
    got: list[tuple[Any, ...]] = [(r.session_id, r.reps, r.good, r.good_share) for r in frame.itertuples()]
    assert got[:3] == [(charted["s1"], 3, 1, 1 / 3), (charted["s2"], 1, 1, 1.0), (charted["s3"], 2, 1, 0.5)]
    assert got[3][:3] == (charted["s4"], 0, 0) and math.isnan(got[3][3])
    assert frame["started_at"].iloc[0] == T0


def test_rom_and_tempo_trends(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.session_trends(profile="ann", tz=UTC)
    assert list(frame.columns) == [
        "session_id",
        "started_at",
        "day",
        "profile",
        "exercise",
        "reps",
        "mean_rom_deg",
        "mean_eccentric_ms",
        "mean_concentric_ms",
        "mean_duration_ms",
    ]
    got = [
        (
            r.session_id,
            r.exercise,
            r.reps,
            r.mean_rom_deg,
            r.mean_eccentric_ms,
            r.mean_concentric_ms,
            r.mean_duration_ms,
        )
        for r in frame.itertuples()
    ]
    assert got == [
        (charted["s1"], "squat", 3, 100.0, 1000.0, 800.0, 1900.0),
        (charted["s2"], "squat", 1, 120.0, 900.0, 700.0, 1600.0),
        (charted["s3"], "pushup", 2, 65.0, 600.0, 500.0, 1100.0),
    ]  # s4 has no reps, s5 is bob's


def test_cue_frequency(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.cue_frequency(profile="ann")
    assert list(frame.columns) == ["exercise", "cue", "count", "reps", "share"]
    assert rows_of(frame) == [
        ("pushup", "Hips up", 1, 2, 0.5),
        ("squat", "Go lower", 2, 4, 0.5),
        ("squat", "Chest up", 1, 4, 0.25),
    ]
    assert rows_of(store.cue_frequency(exercise="squat")) == [
        ("squat", "Go lower", 3, 5, 0.6),
        ("squat", "Chest up", 1, 5, 0.2),
    ]
    assert store.cue_frequency(profile="nobody").empty


def test_one_sessions_rep_detail(store: SessionStore, charted: dict[str, int]) -> None:
    frame = store.session_detail(charted["s1"])
    assert list(frame.columns) == [
        "index",
        "start_ms",
        "bottom_ms",
        "end_ms",
        "duration_ms",
        "min_angle",
        "max_angle",
        "rom_deg",
        "eccentric_ms",
        "concentric_ms",
        "verdict",
        "cues",
        "side",
    ]
    assert frame["index"].tolist() == [1, 2, 3]
    assert frame["duration_ms"].tolist() == [1500, 1900, 2300]
    assert frame["cues"].tolist() == ["", "Go lower", "Go lower; Chest up"]
    assert frame["verdict"].tolist() == ["good", "needs_work", "needs_work"]


def test_list_sessions_filters(store: SessionStore, charted: dict[str, int]) -> None:
    ids = charted
    assert [s.id for s in store.list_sessions()] == [ids["s4"], ids["s5"], ids["s3"], ids["s2"], ids["s1"]]
    assert [s.id for s in store.list_sessions(profile="bob")] == [ids["s5"]]
    assert [s.id for s in store.list_sessions(exercise="pushup")] == [ids["s3"]]
    assert [s.id for s in store.list_sessions(since=date(2024, 3, 2), tz=UTC)] == [ids["s4"], ids["s5"], ids["s3"]]
    assert [s.id for s in store.list_sessions(profile="ann", exercise="squat", limit=1)] == [ids["s4"]]
    assert store.profiles() == ["ann", "bob"]


# -- the History page's questions, checked against a brute-force answer --------------------------

# Ends on the day Europe changes to summer time; America changed three weeks before.
DEMO_END = date(2024, 3, 31)
ZONES: list[tzinfo | None] = [
    None,
    UTC,
    ZoneInfo("America/New_York"),
    ZoneInfo("Pacific/Auckland"),  # +13: afternoon UTC sessions fall on the next local day
    ZoneInfo("Asia/Kathmandu"),  # +5:45
    timezone(timedelta(hours=-10)),
]


@pytest.fixture()
def demo(store: SessionStore) -> SessionStore:
    write_demo(store, 40, seed=5, end=DEMO_END)
    return store


def _oracle(store: SessionStore, sel: Selection) -> dict[str, Any]:
    """The old way: every session in Python, each one's reps read on its own."""
    chosen = [
        s
        for s in store.list_sessions()
        if (sel.profiles is None or s.profile in sel.profiles)
        and (sel.exercises is None or s.exercise in sel.exercises)
        and (sel.since is None or s.started_at >= sel.since)
        and (sel.until is None or s.started_at < sel.until)
    ]
    days: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    cue_reps: Counter[tuple[str, str]] = Counter()
    for s in chosen:
        acc = days[(local_day(s.started_at, sel.tz), s.exercise)]
        acc[0] += 1
        acc[1] += s.rep_count
        acc[2] += s.good_count
        for rep in store.get_session(s.id).reps:
            cue_reps.update((s.exercise, cue) for cue in set(rep.cue_texts))
    return {
        "sessions": [s.id for s in chosen],
        "per_day": sorted((d, ex, n, r, g) for (d, ex), (n, r, g) in days.items()),
        "cues": sorted((ex, cue, n) for (ex, cue), n in cue_reps.items()),
        "reps": sum(s.rep_count for s in chosen),
    }


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_history_view_matches_a_brute_force_count(demo: SessionStore, tz: tzinfo | None) -> None:
    sel = Selection.of(tz=tz)
    view = demo.history(sel)
    expected = _oracle(demo, sel)
    assert [s.id for s in view.sessions] == expected["sessions"]
    assert len(view.sessions) >= 15 and view.rep_count == expected["reps"] > 300
    assert [tuple(r[:5]) for r in rows_of(view.per_day)] == expected["per_day"]
    assert sorted((r.exercise, r.cue, r["count"]) for _, r in view.cues.iterrows()) == expected["cues"]
    per_session = view.per_session
    assert per_session["session_id"].tolist() == expected["sessions"][::-1]  # oldest first
    assert per_session["reps"].sum() == expected["reps"]


def test_selections_filter_in_the_database(demo: SessionStore) -> None:
    offered = demo.history_choices()
    assert offered.profiles == ("ann", "bob", "carol")
    assert offered.exercises == ("curl", "pushup", "squat")
    assert offered.first is not None and offered.last is not None and offered.first < offered.last
    tz = ZoneInfo("Europe/Berlin")
    for sel in (
        Selection.of(["ann", "carol"], ["squat", "curl"], tz=tz),
        Selection.of("bob", since=date(2024, 3, 10), until=date(2024, 3, 20), tz=tz),
        Selection.of(exercise="pushup", until=date(2024, 3, 1), tz=tz),
    ):
        view = demo.history(sel)
        expected = _oracle(demo, sel)
        assert [s.id for s in view.sessions] == expected["sessions"] and expected["sessions"]
        assert [tuple(r[:5]) for r in rows_of(view.per_day)] == expected["per_day"]
    last_days = demo.history(Selection.of(since=date(2024, 3, 10), until=date(2024, 3, 20), tz=tz))
    assert {d for d in last_days.per_day["day"]} <= {date(2024, 3, 10) + timedelta(days=i) for i in range(11)}
    nothing = demo.history(Selection.of(profile=[], tz=tz))  # every profile unticked
    assert (nothing.sessions, nothing.per_day.empty, nothing.per_session.empty, nothing.cues.empty) == (
        (),
        True,
        True,
        True,
    )


def test_local_days_follow_daylight_saving_changes(store: SessionStore) -> None:
    """Berlin moves from +1 to +2 at 01:00 UTC on 2024-03-31: 22:30 UTC is 23:30 the day
    before the change and 00:30 the next day after it. One offset for both would get one wrong."""
    berlin = ZoneInfo("Europe/Berlin")
    for when in (datetime(2024, 3, 30, 22, 30, tzinfo=UTC), datetime(2024, 3, 31, 22, 30, tzinfo=UTC)):
        store.save_session(SessionInfo("squat", "live"), [make_rep(1)], started_at=when)
    frame = store.reps_per_day(tz=berlin)
    assert frame["day"].tolist() == [date(2024, 3, 30), date(2024, 4, 1)]
    assert frame["day"].tolist() == [local_day(s.started_at, berlin) for s in store.list_sessions()][::-1]


# -- a bounded number of statements, however long the history -------------------------------------

# Sessions with their aggregates, totals per day, cue counts; by workout: weekly volume,
# personal records, longest hold per day.
HISTORY_SELECTS = 6


def _selects(store: SessionStore, call: Callable[[], object]) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


@pytest.fixture(params=[8, 60], ids=["8-days", "60-days"])
def sized(request: pytest.FixtureRequest, store: SessionStore) -> Iterator[tuple[SessionStore, int]]:
    sessions, _ = write_demo(store, request.param, seed=5, end=DEMO_END)
    yield store, sessions


def test_the_history_page_questions_take_a_fixed_number_of_statements(sized: tuple[SessionStore, int]) -> None:
    store, sessions = sized
    assert sessions >= 5
    sel = Selection.of(["ann", "bob", "carol"], ["squat", "pushup", "curl"], date(2024, 1, 1), DEMO_END)
    view: list[Any] = []
    assert len(_selects(store, lambda: view.append(store.history(sel)))) == HISTORY_SELECTS
    assert len(view[0].sessions) == sessions
    assert len(_selects(store, store.history_choices)) == 1
    # The session, its cues, its reps, its sets and their breaks.
    assert len(_selects(store, lambda: store.get_session(view[0].sessions[0].id))) == 5
    assert len(_selects(store, lambda: store.csv_bytes(sel))) == 3  # sessions, cues, reps


def test_summaries_carry_no_extra_data_in_the_history_view(demo: SessionStore) -> None:
    """A live set's trace (up to 30 kB) is read for the one session shown, not for every one."""
    view = demo.history(Selection.of())
    traced = [s for s in demo.list_sessions() if "trace" in s.extra]
    assert traced and all(not s.extra for s in view.sessions)
    assert isinstance(demo.get_session(traced[0].id).summary.extra["trace"], dict)
    assert all(isinstance(s, SessionSummary) for s in view.sessions)
