"""Profiles are people: names trimmed and compared case-insensitively; rename, merge and delete.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fitness.errors import StorageError
from fitness.store.recorder import SessionInfo
from fitness.store.schema import profiles
from fitness.store.store import SessionStore
from tests.storage_worker import make_rep
from tests.store.helpers import T0, count_rows


def _save(store: SessionStore, profile: str, reps: int = 2, *, days: int = 0) -> int:
    return store.save_session(
        SessionInfo("squat", "live", profile=profile),
        [make_rep(i) for i in range(1, reps + 1)],
        started_at=T0 + timedelta(days=days),
    )


def test_one_person_however_the_name_is_typed(store: SessionStore) -> None:
    first = store.create_profile(" Alice ")
    assert store.create_profile("alice") == first
    assert store.create_profile("ALICE") == first
    assert store.create_profile("Alice") == first
    assert store.profiles() == ["Alice"]  # trimmed as stored
    a = _save(store, "aLiCe")
    b = _save(store, "  alice", days=1)
    assert {s.profile for s in store.list_sessions()} == {"Alice"}
    assert [s.id for s in store.list_sessions(profile="ALICE ")] == [b, a]
    assert store.profile_named("  ALICE") == "Alice"
    assert store.profile_named("bob") is None
    assert store.profile_named("") is None
    # Inner runs of spaces are one; letters that fold alike are one person.
    assert store.create_profile("Mary  Ann") == store.create_profile("mary ann")
    assert store.create_profile("Straße") == store.create_profile("STRASSE")
    assert store.create_profile("Ｚoë") == store.create_profile("zoë")
    assert store.profiles() == ["Alice", "Mary Ann", "Straße", "Ｚoë"]  # as first typed


def test_the_database_holds_one_profile_per_key(store: SessionStore) -> None:
    """Even a writer that skips the store cannot add a second "alice": the key is unique."""
    store.create_profile("Alice")
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.insert(profiles).values(name="alice", name_key="alice", created_at=T0))
    assert store.profiles() == ["Alice"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", r"^profile name must be text of 1-100 characters, got ''$"),
        ("   ", r"^profile name must be text of 1-100 characters, got '   '$"),
        ("x" * 101, r"^profile name must be text of 1-100 characters, got 'x{101}'$"),
        ("a\x00b", r"^profile name must be text of 1-100 characters, got 'a\\x00b'$"),
        (None, r"^profile name must be text of 1-100 characters, got None$"),
    ],
)
def test_bad_names_are_one_line(store: SessionStore, name: object, message: str) -> None:
    store.create_profile("ann")
    for call in (
        lambda: store.create_profile(name),  # type: ignore[arg-type]
        lambda: store.rename_profile("ann", name),  # type: ignore[arg-type]
        lambda: store.save_session(SessionInfo("squat", "live", profile=name), []),  # type: ignore[arg-type]
    ):
        with pytest.raises(StorageError, match=message):
            call()
    assert store.profiles() == ["ann"]


def test_rename(store: SessionStore) -> None:
    sid = _save(store, "alice")
    store.create_profile("bob")
    assert store.rename_profile("ALICE", "  Alicia  ") == "Alicia"
    assert store.get_session(sid).summary.profile == "Alicia"  # her sessions follow
    assert store.profiles() == ["Alicia", "bob"]
    # Only the case changes: still the same person, now spelled as asked.
    assert store.rename_profile("alicia", "ALICIA") == "ALICIA"
    assert store.profiles() == ["ALICIA", "bob"]
    with pytest.raises(StorageError, match=r"^a profile named 'bob' already exists; merge 'ALICIA' into it"):
        store.rename_profile("alicia", " Bob")
    with pytest.raises(StorageError, match=r"^no profile named 'carol'$"):
        store.rename_profile("carol", "Caroline")
    assert store.profiles() == ["ALICIA", "bob"]


def test_merge_moves_every_session(store: SessionStore) -> None:
    ann = [_save(store, "ann", 3), _save(store, "ann", 1, days=1)]
    anne = _save(store, "Anne", 2, days=2)
    reps_before = count_rows(store, "reps")
    assert store.merge_profiles("ANN", into="anne") == 2
    assert store.profiles() == ["Anne"]
    assert {s.id: s.profile for s in store.list_sessions()} == {ann[0]: "Anne", ann[1]: "Anne", anne: "Anne"}
    assert [s.rep_count for s in store.list_sessions(profile="anne")] == [2, 1, 3]
    assert count_rows(store, "reps") == reps_before
    with pytest.raises(StorageError, match=r"^'anne' and 'ANNE' are the same profile \('Anne'\); nothing to merge$"):
        store.merge_profiles("anne", into="ANNE")
    with pytest.raises(StorageError, match=r"^no profile named 'ann'$"):
        store.merge_profiles("ann", into="Anne")
    with pytest.raises(StorageError, match=r"^no profile named 'zed'$"):
        store.merge_profiles("Anne", into="zed")


def test_delete_refuses_a_profile_with_sessions_unless_forced(store: SessionStore) -> None:
    store.create_profile("empty")
    assert store.delete_profile("EMPTY") == 0
    kept = _save(store, "bob")
    a, b = _save(store, "ann", 3), _save(store, "ann", 2, days=1)
    with pytest.raises(
        StorageError,
        match=r"^profile 'ann' has 2 sessions; merge it into another profile to keep them, or delete them with it$",
    ):
        store.delete_profile("Ann")
    assert count_rows(store, "sessions") == 3
    assert store.delete_profile("Ann", force=True) == 2
    assert store.profiles() == ["bob"]
    assert [s.id for s in store.list_sessions()] == [kept]
    assert count_rows(store, "reps") == 2  # bob's only: ann's reps and their cues went with her
    assert count_rows(store, "cues") == 0
    for sid in (a, b):
        with pytest.raises(StorageError, match=f"^no session with id {sid}$"):
            store.get_session(sid)
    with pytest.raises(StorageError, match=r"^profile 'bob' has 1 session; "):
        store.delete_profile("bob")
    with pytest.raises(StorageError, match=r"^no profile named 'ann'$"):
        store.delete_profile("ann")


def test_a_profile_being_recorded_is_never_deleted(store: SessionStore) -> None:
    sid = store.start_session(SessionInfo("squat", "live", profile="ann"))
    store.add_rep(sid, make_rep(1))
    with pytest.raises(StorageError, match=rf"^profile 'ann' has a session being recorded right now \(#{sid}\)"):
        store.delete_profile("ann", force=True)
    store.end_session(sid)
    assert store.delete_profile("ann", force=True) == 1
    assert count_rows(store, "cues") == 0 and count_rows(store, "reps") == 0
