"""History analytics against real databases: exact numbers on known data.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import math
from datetime import UTC, date, timedelta, timezone
from typing import Any

from fitness.store.store import SessionStore
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
