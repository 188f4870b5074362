"""Fixtures of the store tests: an empty store per test, and one with five known sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from fitness.engine.values import Cue, Rep, Verdict
from fitness.store import SessionStore
from fitness.store.recorder import SessionInfo
from tests.store.helpers import T0


@pytest.fixture()
def store(db_url: str) -> Iterator[SessionStore]:
    with SessionStore.open(db_url) as s:
        yield s


def _rep(index: int, rom: float, ecc: int, con: int, *, span: tuple[int, int], cues: tuple[str, ...] = ()) -> Rep:
    start, end = span
    verdict: Verdict = "needs_work" if cues else "good"
    items = tuple(Cue.from_value(c) for c in cues)  # cues saved before they had ids: told apart by text
    return Rep(index, start, start + ecc, end, 80.0, 80.0 + rom, rom, ecc, con, verdict, items, "left")


@pytest.fixture()
def charted(store: SessionStore) -> dict[str, int]:
    """Five sessions whose aggregates are worked out by hand in the tests below."""
    ann = lambda ex: SessionInfo(ex, "live", profile="ann")  # noqa: E731
    ids = {
        "s1": store.save_session(
            ann("squat"),
            [
                _rep(1, 90.0, 800, 600, span=(0, 1500)),
                _rep(2, 100.0, 1000, 800, span=(2000, 3900), cues=("Go lower",)),
                _rep(3, 110.0, 1200, 1000, span=(4000, 6300), cues=("Go lower", "Chest up")),
            ],
            started_at=T0,
        ),
        "s2": store.save_session(
            ann("squat"), [_rep(1, 120.0, 900, 700, span=(0, 1600))], started_at=T0 + timedelta(hours=9)
        ),
        "s3": store.save_session(
            ann("pushup"),
            [_rep(1, 60.0, 500, 500, span=(0, 1000)), _rep(2, 70.0, 700, 500, span=(1000, 2200), cues=("Hips up",))],
            started_at=T0 + timedelta(days=1, hours=-1.5),
        ),
        "s4": store.save_session(ann("squat"), [], "stopped", started_at=T0 + timedelta(days=2)),
        "s5": store.save_session(
            SessionInfo("squat", "live", profile="bob"),
            [_rep(1, 95.0, 800, 800, span=(0, 1700), cues=("Go lower",))],
            started_at=T0 + timedelta(days=1, hours=3),
        ),
    }
    return ids
