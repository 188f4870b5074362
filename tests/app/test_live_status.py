"""The live scoreboard's status line says what the stream is doing, in words."""

from __future__ import annotations

from fitness.app.group_live import PlaceView
from fitness.app.live_state import LiveSnapshot
from fitness.app.pages.live import status_line


def _place(place: int, exercise: str | None, *, person: int | None, in_view: bool = True) -> PlaceView:
    return PlaceView(place, f"p{place}", 3, exercise, None, in_view, None, person)


def test_group_mode_speaks_for_the_room_not_for_one_person() -> None:
    # Two people doing different exercises: no single exercise, which one-person mode reads as
    # "nobody found yet"; the room is in view and being counted.
    snap = LiveSnapshot(
        armed=True, started_at=1.0, places=(_place(0, "squat", person=1), _place(1, "pushup", person=2))
    )
    line = status_line(snap, snap.workout.board(2.0, snap.started_at))
    assert line == "**Group** · 2 of 2 in view · each person counted on their own"
    assert "Looking for you" not in line


def test_group_mode_counts_who_is_actually_in_view() -> None:
    snap = LiveSnapshot(
        armed=True,
        started_at=1.0,
        places=(_place(0, "squat", person=1), _place(1, None, person=None), _place(2, "curl", person=3, in_view=False)),
    )
    assert status_line(snap, snap.workout.board(2.0, 1.0)).startswith("**Group** · 1 of 3 in view")


def test_one_person_waiting_is_still_looking_for_them() -> None:
    snap = LiveSnapshot(armed=True, started_at=1.0)
    assert status_line(snap, snap.workout.board(2.0, 1.0)).startswith("Looking for you")


def test_stopped_group_says_stopped() -> None:
    snap = LiveSnapshot(armed=False, started_at=1.0, ended_at=3.0, places=(_place(0, "squat", person=1),))
    assert status_line(snap, snap.workout.board(4.0, 1.0)).startswith("Stopped.")
