"""Corrections to the history: a count set by hand (with its reason), session notes, and a
deleted session gone from every number the History page draws and from the CSV.

Runs on the five known sessions of ``charted`` (conftest.py): s1 ann squat 3 reps (1 good),
s2 ann squat 1 rep, s3 ann push-up 2 reps, s4 ann squat no reps, s5 bob squat 1 rep.
Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, date

import pytest

from fitness.errors import StorageError
from fitness.store.export import CSV_COLUMNS
from fitness.store.recorder import SessionInfo
from fitness.store.store import SessionStore
from fitness.store.values import Selection
from tests.storage_worker import make_rep
from tests.store.helpers import rows_of

EVERYONE = Selection(tz=UTC)


def _csv(store: SessionStore, selection: Selection = EVERYONE) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(store.csv_bytes(selection).decode())))


def test_a_corrected_count_is_the_count_everywhere(store: SessionStore, charted: dict[str, int]) -> None:
    s1, s4 = charted["s1"], charted["s4"]
    assert store.correct_rep_count(s1, 5, "two reps out of frame") == 5
    assert store.correct_rep_count(s4, 10, "  the camera was off  ") == 10
    one = store.get_session(s1)
    s = one.summary
    assert (s.rep_count, s.recorded_count, s.corrected_reps, s.correction_note) == (5, 3, 5, "two reps out of frame")
    assert len(one.reps) == 3  # no rep was invented
    assert s.good_share == pytest.approx(1 / 3)  # form: of the reps the coach watched
    assert store.get_session(s4).summary.correction_note == "the camera was off"

    view = store.history(Selection.of("ann", tz=UTC))
    assert view.rep_count == 5 + 1 + 2 + 10
    assert view.good_share == pytest.approx(3 / 6)
    assert [(s.id, s.rep_count) for s in view.sessions][-1] == (s1, 5)
    day = rows_of(view.per_day)
    assert day[0] == (date(2024, 3, 1), "squat", 2, 6, 2, 0.5)  # 5 + 1 reps; 2 good of 4 recorded
    assert day[2][:5] == (date(2024, 3, 3), "squat", 1, 10, 0) and math.isnan(day[2][5])
    assert [r[:5] for r in rows_of(store.reps_per_day(profile="ann", tz=UTC))] == [r[:5] for r in day]
    per_session = {r.session_id: (r.reps, r.good) for r in view.per_session.itertuples()}
    assert per_session[s1] == (5, 1) and per_session[s4] == (10, 0)
    trends = store.session_trends(profile="ann", tz=UTC)
    assert trends["session_id"].tolist() == [s1, charted["s2"], charted["s3"]]  # s4 still has nothing to average
    assert trends["reps"].tolist() == [5, 1, 2]
    # Cue shares stay shares of the recorded reps: a hand-added rep drew no cue.
    assert rows_of(view.cues)[1] == ("squat", "Go lower", 2, 4, 0.5)

    exported = _csv(store)
    assert len(exported) == 7  # one line per recorded rep, as before
    assert {
        (r["session_id"], r["session_reps"], r["correction_note"]) for r in exported if r["session_id"] == str(s1)
    } == {(str(s1), "5", "two reps out of frame")}
    assert {r["session_reps"] for r in exported if r["session_id"] == str(charted["s2"])} == {"1"}

    # Back to what was counted: None, or the recorded number itself.
    assert store.correct_rep_count(s1, None) == 3
    assert store.correct_rep_count(s4, 0, "checked: none") == 0
    for sid in (s1, s4):
        s = store.get_session(sid).summary
        assert (s.corrected_reps, s.correction_note, s.rep_count) == (None, None, s.recorded_count)


@pytest.mark.parametrize(
    ("count", "note", "message"),
    [
        (4, None, r"^a corrected count needs a note saying why \(for example: two reps out of frame\)$"),
        (4, "   ", r"^a corrected count needs a note saying why"),
        (-1, "x", r"^a rep count must be a whole number from 0 up, got -1$"),
        (True, "x", r"^a rep count must be a whole number from 0 up, got True$"),
        (2.5, "x", r"^a rep count must be a whole number from 0 up, got 2.5$"),
        ("4", "x", r"^a rep count must be a whole number from 0 up, got '4'$"),
        (4, "x" * 2001, r"^the note on a corrected count is 2001 characters long; keep it under 2001$"),
    ],
)
def test_bad_corrections_are_one_line(
    store: SessionStore, charted: dict[str, int], count: object, note: object, message: str
) -> None:
    with pytest.raises(StorageError, match=message):
        store.correct_rep_count(charted["s1"], count, note)  # type: ignore[arg-type]
    assert store.get_session(charted["s1"]).summary.rep_count == 3


def test_no_correction_while_recording_or_of_a_missing_session(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live", profile="ann"))
    store.add_rep(sid, make_rep(1))
    with pytest.raises(StorageError, match=f"^session {sid} is still being recorded; correct its count after it ends$"):
        store.correct_rep_count(sid, 2, "missed one")
    store.end_session(sid)
    assert store.correct_rep_count(sid, 2, "missed one") == 2
    with pytest.raises(StorageError, match=r"^no session with id 999$"):
        store.correct_rep_count(999, 2, "x")
    with pytest.raises(StorageError, match=r"^no session with id 999$"):
        store.set_notes(999, "x")


def test_session_notes(store: SessionStore, charted: dict[str, int]) -> None:
    s1 = charted["s1"]
    store.set_notes(s1, "  felt strong; knees ok\n")
    assert store.get_session(s1).summary.notes == "felt strong; knees ok"
    assert {r["notes"] for r in _csv(store) if r["session_id"] == str(s1)} == {"felt strong; knees ok"}
    assert {r["notes"] for r in _csv(store) if r["session_id"] != str(s1)} == {""}
    with pytest.raises(StorageError, match=r"^session notes is 2001 characters long; keep it under 2001$"):
        store.set_notes(s1, "n" * 2001)
    with pytest.raises(StorageError, match=r"^session notes must be text, got 5$"):
        store.set_notes(s1, 5)  # type: ignore[arg-type]
    store.set_notes(s1, "   ")
    assert store.get_session(s1).summary.notes is None


def test_a_deleted_session_is_gone_from_every_chart_and_the_csv(store: SessionStore, charted: dict[str, int]) -> None:
    s1 = charted["s1"]
    before = store.history(EVERYONE)
    assert s1 in before.per_session["session_id"].tolist()
    assert "Chest up" in before.cues["cue"].tolist()  # only s1 drew it
    store.delete_session(s1)
    after = store.history(EVERYONE)
    assert s1 not in [s.id for s in after.sessions]
    assert s1 not in after.per_session["session_id"].tolist()
    assert after.rep_count == before.rep_count - 3
    assert rows_of(after.per_day)[0] == (date(2024, 3, 1), "squat", 1, 1, 1, 1.0)  # s2 alone on that day
    assert "Chest up" not in after.cues["cue"].tolist()
    assert rows_of(after.cues)[0] == ("pushup", "Hips up", 1, 2, 0.5)
    assert rows_of(after.cues)[1] == ("squat", "Go lower", 1, 2, 0.5)  # s5's rep, of s2's and s5's
    exported = _csv(store)
    assert len(exported) == 7 - 3 and str(s1) not in {r["session_id"] for r in exported}
    assert list(exported[0]) == CSV_COLUMNS
    assert store.history_choices().first == before.sessions[-2].started_at  # s2 is the oldest now
