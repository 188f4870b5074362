"""Corrections on the History page in real Streamlit (AppTest, no browser) over a real
database: every change asks first, then shows in the numbers the page draws.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from fitness.app.common import _open_store
from fitness.store import SessionInfo, SessionStore
from tests.storage_worker import make_rep

PAGE = """
from fitness.app.pages.history import page_history
page_history()
"""
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


@pytest.fixture()
def seeded(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """ann: a squat set of 3 reps and a push-up set of 2; bob: a squat set of 4."""
    with SessionStore.open(db_url) as store:
        ids = {
            "squat": store.save_session(
                SessionInfo("squat", "live", profile="ann"), [make_rep(i) for i in (1, 2, 3)], started_at=T0
            ),
            "pushup": store.save_session(
                SessionInfo("pushup", "live", profile="ann"),
                [make_rep(i) for i in (1, 2)],
                started_at=T0 + timedelta(days=1),
            ),
            "bob": store.save_session(
                SessionInfo("squat", "live", profile="bob"),
                [make_rep(i) for i in (1, 2, 3, 4)],
                started_at=T0 + timedelta(days=2),
            ),
        }
    monkeypatch.setenv("FITNESS_DB", db_url)
    _open_store.clear()  # the store is cached per process: open this test's
    return ids


def _page() -> AppTest:
    app = AppTest.from_string(PAGE, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def _metric(app: AppTest, label: str) -> str:
    return str(next(m.value for m in app.metric if m.label == label))


def _store(db_url: str) -> SessionStore:
    return SessionStore.open(db_url)


def test_deleting_a_session_asks_then_removes_it_everywhere(seeded: dict[str, int], db_url: str) -> None:
    app = _page()
    app.selectbox(key="hist-session").set_value(seeded["squat"]).run()
    assert _metric(app, "Total reps") == "9"
    app.button(key="hist-delete").click().run()
    # Asked, not done.
    assert [w.value for w in app.warning] == [
        f"Delete session #{seeded['squat']} (Squat, 3 reps, {T0.astimezone():%Y-%m-%d %H:%M}) from every chart "
        "and export? This cannot be undone."
    ]
    with _store(db_url) as store:
        assert len(store.list_sessions()) == 3
    app.button(key="hist-delete-yes").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == [f"Session #{seeded['squat']} deleted."]
    assert (_metric(app, "Sessions"), _metric(app, "Total reps")) == ("2", "6")
    offered = app.selectbox(key="hist-session").options  # as shown: "#id · ..."
    assert len(offered) == 2 and not any(o.startswith(f"#{seeded['squat']} ·") for o in offered)
    with _store(db_url) as store:
        assert [s.id for s in store.list_sessions()] == [seeded["bob"], seeded["pushup"]]


def test_cancel_leaves_the_session(seeded: dict[str, int], db_url: str) -> None:
    app = _page()
    app.button(key="hist-delete").click().run()
    app.button(key="hist-delete-cancel").click().run()
    assert not app.warning and not app.exception
    with _store(db_url) as store:
        assert len(store.list_sessions()) == 3


def test_editing_a_count_needs_a_note_and_a_second_click(seeded: dict[str, int], db_url: str) -> None:
    sid = seeded["squat"]
    app = _page()
    app.selectbox(key="hist-session").set_value(sid).run()
    good_form = _metric(app, "Good form")
    assert good_form == "78%"  # 7 of the 9 recorded reps (every third one drew a cue)
    app.number_input(key=f"hist-count-{sid}").set_value(5).run()
    app.button(key="hist-count-save").click().run()
    assert [e.value for e in app.error] == ["Say why the count changes: the note is kept with the session."]
    assert not app.warning
    app.text_input(key=f"hist-why-{sid}").input("two reps out of frame").run()
    app.button(key="hist-count-save").click().run()
    assert [w.value for w in app.warning] == [f"Change the count of session #{sid} from 3 to 5?"]
    app.button(key="hist-count-save-yes").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == [f"Session #{sid} now counts 5 reps."]
    assert _metric(app, "Total reps") == "11"
    assert _metric(app, "Reps") == "5"
    assert _metric(app, "Good form") == good_form  # form is that of the reps the coach watched
    assert any(c.value.startswith("Count corrected by hand: 3 reps recorded, 5 done.") for c in app.caption)
    label = app.selectbox(key="hist-session").format_func(sid)
    assert "5 reps (corrected)" in label
    with _store(db_url) as store:
        s = store.get_session(sid).summary
        assert (s.rep_count, s.correction_note) == (5, "two reps out of frame")
    # And back.
    app.button(key="hist-count-undo").click().run()
    app.button(key="hist-count-undo-yes").click().run()
    assert _metric(app, "Total reps") == "9"
    with _store(db_url) as store:
        assert store.get_session(sid).summary.corrected_reps is None


def test_notes_are_shown_and_saved(seeded: dict[str, int], db_url: str) -> None:
    sid = seeded["bob"]
    with _store(db_url) as store:
        store.set_notes(sid, "heavy day")
    app = _page()
    app.selectbox(key="hist-session").set_value(sid).run()
    assert app.text_area(key=f"hist-notes-{sid}").value == "heavy day"
    app.text_area(key=f"hist-notes-{sid}").input("heavy day, knees fine").run()
    app.button(key=f"hist-notes-save-{sid}").click().run()
    assert [s.value for s in app.success] == [f"Notes of session #{sid} saved."]
    with _store(db_url) as store:
        assert store.get_session(sid).summary.notes == "heavy day, knees fine"


def test_profiles_are_renamed_merged_and_deleted_after_asking(seeded: dict[str, int], db_url: str) -> None:
    app = _page()
    app.selectbox(key="prof-rename-from").set_value("bob").run()
    app.text_input(key="prof-rename-to").input("  Robert ").run()
    app.button(key="prof-rename").click().run()
    assert [w.value for w in app.warning] == ["Rename 'bob' to 'Robert'? Its sessions go with it."]
    app.button(key="prof-rename-yes").click().run()
    assert [s.value for s in app.success] == ["'bob' is now 'Robert'."]
    assert app.multiselect(key="hist-profiles").value == ["Robert", "ann"]

    # Renaming onto another person's name is refused with the store's sentence.
    app.selectbox(key="prof-rename-from").set_value("Robert").run()
    app.text_input(key="prof-rename-to").input("ANN").run()
    app.button(key="prof-rename").click().run()
    app.button(key="prof-rename-yes").click().run()
    assert [e.value for e in app.error] == [
        "Could not change the profiles: a profile named 'ann' already exists; merge 'Robert' into it to make them one"
    ]

    app.selectbox(key="prof-merge-from").set_value("Robert").run()
    app.selectbox(key="prof-merge-to").set_value("ann").run()
    app.button(key="prof-merge").click().run()
    assert [w.value for w in app.warning] == ["Move 'Robert''s 1 session to 'ann' and remove 'Robert'?"]
    app.button(key="prof-merge-yes").click().run()
    assert [s.value for s in app.success] == ["'Robert' merged into 'ann' (1 session moved)."]
    with _store(db_url) as store:
        assert store.profiles() == ["ann"]
        assert {s.profile for s in store.list_sessions()} == {"ann"}

    # A profile with sessions goes only with them, ticked on purpose.
    app.selectbox(key="prof-delete-name").set_value("ann").run()
    app.button(key="prof-delete").click().run()
    assert [e.value for e in app.error] == ["Tick the box to delete its sessions too, or merge it instead."]
    app.checkbox(key="prof-delete-sessions").check().run()
    app.button(key="prof-delete").click().run()
    assert [w.value for w in app.warning] == ["Delete 'ann' and its 3 sessions?"]
    app.button(key="prof-delete-yes").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["'ann' deleted with its 3 sessions."]
    assert [i.value for i in app.info] == [
        "No sessions yet. Record a set on **Live workout** or save an analysed video."
    ]
    with _store(db_url) as store:
        assert store.profiles() == [] and store.list_sessions() == []
