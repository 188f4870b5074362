"""The live page's Group mode without a camera: places, one session per place, the live state's
set lifecycle around it, and one-person mode's note about other people in view.

The pipeline is faked here (its real runs are tests/pipeline/test_group_real.py and the browser
test); what is under test is who gets which place, what is saved where, and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fitness.app.group_live import GroupSets, guest_name
from fitness.app.live_state import LiveSettings, LiveState, RepSink
from fitness.engine.counter import FrameResult
from fitness.pipeline.group import PersonStatus
from fitness.store.recorder import EndReason
from tests.app.live_fakes import FRAME, FakeCoach, FakeRecorder, Harness, feed, frame_result, make_rep


def status(person: int, x: float, *, cue: str | None = None, in_view: bool = True) -> PersonStatus:
    return PersonStatus(person, x, "squat", 0, cue, in_view)


class TracingRecorder(FakeRecorder):
    """Keeps the trace it was given at the end of the set."""

    trace: dict[str, Any] | None = None

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> None:
        super().finish(reason, extra)
        self.trace = None if extra is None else dict(extra["trace"])


class Sessions:
    """The session opener GroupSets is given: a FakeRecorder per (profile, exercise)."""

    def __init__(self, fail_for: str | None = None) -> None:
        self.opened: list[tuple[str, str, TracingRecorder]] = []
        self.fail_for = fail_for

    def __call__(self, profile: str, exercise: str) -> tuple[TracingRecorder, int]:
        if profile == self.fail_for:
            raise OSError("database is locked")
        recorder = TracingRecorder(exercise)
        self.opened.append((profile, exercise, recorder))
        return recorder, len(self.opened)

    def of(self, profile: str) -> TracingRecorder:
        return next(r for p, _, r in self.opened if p == profile)


def test_people_take_places_left_to_right_and_each_place_is_its_own_session() -> None:
    sessions = Sessions()
    sets = GroupSets(("Anna", guest_name(1)), sessions)
    # Ids are the tracker's: the one on the right happened to be numbered first.
    sets.frame([status(1, 0.7), status(2, 0.3)], 0.0, {})
    assert [(v.profile, v.person) for v in sets.snapshot()] == [("Anna", 2), ("Guest 2", 1)]
    assert sessions.opened == []  # a session opens at a place's first rep, once its exercise is known
    sets.rep(1, make_rep(index=7), "curl")
    sets.rep(2, make_rep(index=3), "squat")
    sets.rep(1, make_rep(index=8), "curl")
    assert [(p, e) for p, e, _ in sessions.opened] == [("Guest 2", "curl"), ("Anna", "squat")]
    assert [r.index for r in sessions.of("Guest 2").reps] == [1, 2]  # numbered within the place's set
    assert [r.index for r in sessions.of("Anna").reps] == [1]
    views = sets.snapshot()
    assert [(v.reps, v.exercise, v.session_id) for v in views] == [(1, "squat", 2), (2, "curl", 1)]
    assert sets.total_reps == 3
    assert sets.labels() == {2: ("1", "Anna"), 1: ("2", "Guest 2")}
    sets.finish("stopped")
    sets.finish("stopped")  # once
    assert sessions.of("Anna").finished == ["stopped"] and sessions.of("Guest 2").finished == ["stopped"]
    sets.rep(2, make_rep(), "squat")  # a rep after the end is not saved anywhere
    assert len(sessions.of("Anna").reps) == 1


def test_places_follow_the_picture_as_shown_when_mirrored() -> None:
    sets = GroupSets(("Anna", "Ben"), Sessions(), mirrored=True)
    sets.frame([status(1, 0.3), status(2, 0.7)], 0.0, {})  # camera's left is the picture's right
    assert [(v.profile, v.person) for v in sets.snapshot()] == [("Anna", 2), ("Ben", 1)]


def test_someone_back_under_a_new_id_takes_their_place_and_their_set_goes_on() -> None:
    sessions = Sessions()
    sets = GroupSets(("Anna", "Ben"), sessions)
    sets.frame([status(1, 0.3), status(2, 0.7)], 0.0, {})
    sets.rep(2, make_rep(), "squat")
    # Ben walks off for longer than the tracker remembers, then comes back as id 5.
    sets.frame([status(1, 0.3), status(2, 0.7, in_view=False)], 100.0, {})
    assert [v.in_view for v in sets.snapshot()] == [True, False]
    sets.frame([status(1, 0.3), status(2, 0.7, in_view=False), status(5, 0.72)], 200.0, {})
    assert [(v.profile, v.person, v.in_view) for v in sets.snapshot()] == [("Anna", 1, True), ("Ben", 5, True)]
    sets.rep(5, make_rep(), "squat")
    assert len(sessions.opened) == 1 and [r.index for r in sessions.of("Ben").reps] == [1, 2]


def test_more_people_than_places_leaves_the_extra_one_uncounted() -> None:
    sessions = Sessions()
    sets = GroupSets(("Anna", "Ben"), sessions)
    sets.frame([status(1, 0.2), status(2, 0.5), status(3, 0.8)], 0.0, {})
    assert [v.person for v in sets.snapshot()] == [1, 2]
    sets.rep(3, make_rep(), "squat")
    assert sessions.opened == [] and sets.total_reps == 0


def test_a_place_whose_session_cannot_open_is_still_counted_and_says_so() -> None:
    sessions = Sessions(fail_for="Ben")
    sets = GroupSets(("Anna", "Ben"), sessions)
    sets.frame([status(1, 0.3), status(2, 0.7)], 0.0, {})
    sets.rep(2, make_rep(), "squat")
    sets.rep(2, make_rep(), "squat")
    sets.rep(1, make_rep(), "squat")
    assert [v.reps for v in sets.snapshot()] == [1, 2]
    assert sets.errors == ["Ben's set is not being saved: could not start a session (database is locked)"]
    assert len(sessions.of("Anna").reps) == 1


def test_cues_and_traces_go_to_each_place() -> None:
    sessions = Sessions()
    sets = GroupSets(("Anna", "Ben"), sessions)
    sets.frame([status(1, 0.3), status(2, 0.7)], 0.0, {})
    sets.rep(1, make_rep(), "squat")
    for i in range(1, 6):
        results = {1: frame_result(i * 50.0, 100.0 + i), 2: frame_result(i * 50.0, 50.0)}
        sets.frame([status(1, 0.3, cue="Go lower"), status(2, 0.7)], i * 50.0, results)
    assert [v.cue for v in sets.snapshot()] == ["Go lower", None]
    sets.finish()
    # Anna's trace starts with her session and keeps 10 samples a second (every other 50 ms frame);
    # Ben never had a rep, so no session and no trace.
    assert sessions.of("Anna").trace == {"t_ms": [50, 150, 250], "angle": [101.0, 103.0, 105.0]}
    assert [p for p, _, _ in sessions.opened] == ["Anna"]


# -- LiveState in Group mode ---------------------------------------------------------------------


class FakeGroupCoach:
    """Two people, left and right; the right one completes a rep on the frames in ``rep_on``."""

    def __init__(self, settings: LiveSettings, sets: GroupSets, rep_on: set[int]) -> None:
        self.settings, self.sets, self.rep_on, self.calls = settings, sets, rep_on, 0

    @property
    def exercise(self) -> str | None:
        return "squat"

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        self.calls += 1
        self.sets.frame([status(1, 0.25), status(2, 0.75)], t_ms, {})
        if self.calls in self.rep_on:
            self.sets.rep(2, make_rep(), "squat")
        return frame_result(t_ms, None, reps=self.sets.total_reps)

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        return frame_rgb.copy()


def group_state(h: Harness, rep_on: set[int]) -> tuple[LiveState, list[FakeGroupCoach]]:
    made: list[FakeGroupCoach] = []

    def factory(settings: LiveSettings, sets: GroupSets) -> FakeGroupCoach:
        made.append(FakeGroupCoach(settings, sets, rep_on))
        return made[-1]

    live = LiveState(h.coach, h.recorder, factory)
    live.configure(LiveSettings(exercise="auto", max_fps=1000.0, profile="Anna", group=("Anna", "Guest 2")))
    return live, made


def test_a_group_set_saves_each_place_under_its_profile_and_closes_them_all() -> None:
    h = Harness()
    live, coaches = group_state(h, rep_on={3, 6})
    live.arm()
    feed(live, 10)
    assert len(coaches) == 1 and h.coaches == []  # the group pipeline, not the one-person one
    snap = live.snapshot()
    assert snap.reps == 2  # the scoreboard counts everyone
    assert [(p.profile, p.reps) for p in snap.places] == [("Anna", 0), ("Guest 2", 2)]
    assert [r.exercise for r in h.recorders] == ["squat"]  # one session: only Guest 2 has reps
    live.disarm("stopped")
    assert h.recorders[0].finished == ["stopped"] and len(h.recorders[0].reps) == 2
    assert live.snapshot().places[1].session_id == 1  # still shown after STOP, with what was saved
    live.arm()
    feed(live, 2)
    assert [p.reps for p in live.snapshot().places] == [0, 0]  # a new set, new places


def test_one_person_mode_passes_on_the_crowd_note() -> None:
    class Watching(FakeCoach):
        def crowd_note(self, mirrored: bool) -> str | None:
            side = "right" if mirrored else "left"
            return f"2 people in view: counting the one on the {side}; turn on Group"

    def coach(settings: LiveSettings, on_rep: RepSink) -> Any:
        return Watching(settings, on_rep, set(), set())

    h = Harness()
    live = LiveState(coach, h.recorder)
    live.configure(LiveSettings(exercise="squat", max_fps=1000.0))
    live.arm()
    live.process(FRAME, 0.0)
    assert live.snapshot().crowd == "2 people in view: counting the one on the left; turn on Group"
    live.set_mirror(True)
    live.process(FRAME, 0.04)
    assert live.snapshot().crowd == "2 people in view: counting the one on the right; turn on Group"
    assert live.snapshot().places == ()
