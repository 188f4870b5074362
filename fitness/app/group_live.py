"""The live page's Group mode: everyone in view counted, each person's set saved to their own
history. No ``st.*`` here: the callback thread writes, the page reads snapshots.

The page names a profile for each place in front of the camera, left to right as the picture
shows it (``LiveSettings.group``: ``("Anna", "Guest 2")``). :class:`GroupSets` gives each
person the tracker finds the place they stand in (the free place nearest their rank from the
left), and keeps one set per place: a history session opened at the place's first rep (once
the exercise is known, as the one-person page does with "auto"), every rep committed as it
completes, all sessions closed when the stream stops. A person who walks off for longer than
the tracker remembers comes back under a new id; they take their place again and their set goes on.

:class:`GroupPipelineCoach` is the per-stream pipeline (a :class:`fitness.pipeline.group.GroupCoach`,
one interpreter thread) in the shape :class:`fitness.app.live_state.LiveState` drives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from fitness.app.coach import log_frame
from fitness.engine.counter import FrameResult
from fitness.engine.values import Rep
from fitness.store.recorder import EndReason, angle_trace

if TYPE_CHECKING:
    from fitness.app.live_state import LiveSettings, Recorder
    from fitness.pipeline.group import PersonStatus

log = logging.getLogger(__name__)

TRACE_STEP_MS: Final = 100.0  # each person's angle trace: 10 samples a second, as for one person

# (profile, exercise) -> (recorder with the session started, session id)
SessionOpener = Callable[[str, str], "tuple[Recorder, int | None]"]


def guest_name(place: int) -> str:
    """The profile a place gets when the page names none: "Guest 2" for the second place."""
    return f"Guest {place + 1}"


@dataclass(frozen=True, slots=True)
class PlaceView:
    """One place in front of the camera as the page shows it (left to right as shown)."""

    place: int
    profile: str
    reps: int
    exercise: str | None  # what this place's set is saved as (None before its first rep)
    cue: str | None
    in_view: bool
    session_id: int | None
    person: int | None  # the tracker's id standing here now (None: nobody yet)


@dataclass
class _Place:
    profile: str
    person: int | None = None
    reps: int = 0
    exercise: str | None = None
    cue: str | None = None
    in_view: bool = False
    recorder: Recorder | None = None
    session_id: int | None = None
    failed: bool = False  # the session could not be opened: counted, not saved
    trace_t: list[float] | None = None
    trace_angle: list[float | None] | None = None

    def sample(self, t_ms: float, angle: float | None) -> None:
        """The set's angle trace, once its session is open (the one-person page keeps it too)."""
        if self.trace_t is None or self.trace_angle is None:
            return
        if not self.trace_t or t_ms - self.trace_t[-1] >= TRACE_STEP_MS:
            self.trace_t.append(t_ms)
            self.trace_angle.append(None if angle is None else float(angle))

    def trace(self) -> dict[str, Any]:
        return {"trace": angle_trace(self.trace_t or [], self.trace_angle or [])}


class GroupSets:
    """Each place's set in Group mode (see the module). Thread-safe: :meth:`frame` and :meth:`rep`
    come from the callback thread, :meth:`snapshot` and :meth:`finish` from the page's."""

    def __init__(self, profiles: Sequence[str], open_session: SessionOpener, *, mirrored: bool = False) -> None:
        self._places = [_Place(p or guest_name(i)) for i, p in enumerate(profiles)]
        self._open_session = open_session
        self._mirrored = mirrored
        self._lock = threading.Lock()
        self._by_person: dict[int, int] = {}  # tracker id -> place
        self._finished = False
        self.errors: list[str] = []

    def set_mirror(self, on: bool) -> None:
        with self._lock:
            self._mirrored = on

    # -- callback thread ---------------------------------------------------------------------
    def frame(self, status: Sequence[PersonStatus], t_ms: float, results: Mapping[int, FrameResult]) -> None:
        """The people worth showing on this frame: places for newcomers, who is in view, cues, traces."""
        with self._lock:
            shown = {s.person: (1.0 - s.x if self._mirrored else s.x) for s in status}
            in_view = {s.person for s in status if s.in_view}
            self._seat(shown, in_view)
            for each in self._places:
                each.in_view = each.person in in_view
            for s in status:
                place = self._place_of(s.person)
                if place is None:
                    continue
                if s.cue:
                    place.cue = s.cue
                res = results.get(s.person)
                if res is not None:
                    place.sample(t_ms, res.angle)

    def _place_of(self, person: int) -> _Place | None:
        index = self._by_person.get(person)
        return None if index is None else self._places[index]

    def _seat(self, shown: Mapping[int, float], in_view: set[int]) -> None:
        """Newcomers take a free place, left to right: the place of their rank among everyone
        shown if it is free, else the free place nearest it. A place is free when nobody holds
        it or its holder is out of view (gone; a new id coming back takes their place)."""
        new = sorted((p for p in shown if p not in self._by_person), key=lambda p: shown[p])
        if not new:
            return
        ranked = sorted(shown, key=lambda p: shown[p])
        for person in new:
            free = [i for i, pl in enumerate(self._places) if pl.person is None or pl.person not in in_view]
            if not free:
                return  # more people than places: the page asked for this many
            want = ranked.index(person)
            index = min(free, key=lambda i: (abs(i - want), i))
            place = self._places[index]
            if place.person is not None:
                self._by_person.pop(place.person, None)
            place.person = person
            self._by_person[person] = index
            log.info("group: person %d takes place %d (%s)", person, index + 1, place.profile)

    def rep(self, person: int, rep: Rep, exercise: str | None) -> None:
        """A rep completed by ``person``: numbered within their place's set and committed."""
        with self._lock:
            place = self._place_of(person)
            if place is None or self._finished:
                return  # not given a place (more people than places) or the set is over
            if place.recorder is None and not place.failed and exercise is not None:
                self._open(place, exercise)
            place.reps += 1
            rep = replace(rep, index=place.reps)
            recorder = place.recorder
            trace = place.trace()
        log.info("group: %s rep %d (%s)", place.profile, rep.index, rep.verdict)
        if recorder is None:
            return
        try:
            recorder.add(rep, extra=trace)
        except Exception as exc:
            log.exception("could not save %s's rep %d", place.profile, rep.index)
            self._error(f"{place.profile}'s rep {rep.index} could not be saved to the history: {exc}")

    def _open(self, place: _Place, exercise: str) -> None:
        # Called with the lock held: a second rep of this place waits for its session.
        try:
            place.recorder, place.session_id = self._open_session(place.profile, exercise)
        except Exception as exc:
            log.exception("could not start %s's session", place.profile)
            place.failed = True
            self.errors.append(f"{place.profile}'s set is not being saved: could not start a session ({exc})")
            return
        place.exercise = exercise
        place.trace_t, place.trace_angle = [], []

    def _error(self, message: str) -> None:
        with self._lock:
            self.errors.append(message)

    # -- page thread -------------------------------------------------------------------------
    def snapshot(self) -> tuple[PlaceView, ...]:
        with self._lock:
            return tuple(
                PlaceView(i, p.profile, p.reps, p.exercise, p.cue, p.in_view, p.session_id, p.person)
                for i, p in enumerate(self._places)
            )

    @property
    def total_reps(self) -> int:
        with self._lock:
            return sum(p.reps for p in self._places)

    def labels(self) -> dict[int, tuple[str, ...]]:
        """What the picture shows above each person: their place's count and profile."""
        with self._lock:
            return {p.person: (str(p.reps), p.profile) for p in self._places if p.person is not None}

    def finish(self, reason: EndReason = "stopped") -> None:
        """The stream stopped: every place's session ends (once)."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
            closing = [(p.profile, p.recorder, p.trace()) for p in self._places if p.recorder is not None]
        for profile, recorder, trace in closing:
            assert recorder is not None
            try:
                recorder.finish(reason, extra=trace)
            except Exception as exc:
                log.exception("could not close %s's session", profile)
                self._error(f"Could not close {profile}'s session in the history: {exc}")


class GroupPipelineCoach:
    """Everyone in view through :class:`fitness.pipeline.group.GroupCoach`, each rep handed to
    :class:`GroupSets`. Satisfies :class:`fitness.app.live_state.Coach`: ``process`` returns a
    frame result for the page's own scoreboard (everyone's total), ``draw`` the people with
    their place's count and profile. Made per set on the callback thread."""

    def __init__(self, settings: LiveSettings, sets: GroupSets) -> None:
        from fitness.pipeline.group import GroupCoach, load_people_estimator

        people = len(settings.group)
        # One interpreter thread, as for one person: the other core decodes and encodes the video.
        estimator = load_people_estimator(people, threads=1)
        self._sets = sets
        self._coach = GroupCoach(settings.exercise, estimator, people=people, draw=False, rate_hz=settings.max_fps)

    @property
    def exercise(self) -> str | None:
        """The exercise everyone does, if all counted people do one (None: not known yet or several)."""
        found = {s.exercise for s in self._coach.status() if s.exercise is not None}
        return found.pop() if len(found) == 1 else None

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        from fitness.pipeline.stream import idle_result

        _, results = self._coach.process(frame_rgb, t_ms)
        for person, res in results.items():
            log_frame(t_ms, res, self._coach.last_people.get(person), who=f"person {person} ")
        status = self._coach.status()
        # Places first: a rep completed on the frame a newcomer is first shown needs theirs.
        self._sets.frame(status, t_ms, results)
        group = self._coach.group
        for person, reps in group.new_reps.items():
            for rep in reps:
                self._sets.rep(person, rep, group.analyzers[person].exercise)
        n = sum(1 for s in status if s.in_view)
        note = "No one in view" if n == 0 else f"{n} {'person' if n == 1 else 'people'} in view"
        return replace(idle_result(t_ms, (note,)), reps=self._sets.total_reps)

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        from fitness.pipeline.group import annotate_people

        return annotate_people(
            frame_rgb,
            self._coach.last_people,
            self._coach.group,
            self._coach.last_results,
            labels=self._sets.labels(),
            mirror=mirror,
        )
