"""Fakes around :class:`fitness.app.live_state.LiveState`: a coach that completes reps on chosen
frames, a recorder that keeps what it was given, and a harness that wires them up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fitness.app.live_state import LiveSettings, LiveState, RepSink
from fitness.engine.counter import FrameResult
from fitness.engine.spec import Phase
from fitness.engine.values import Cue, Rep
from fitness.pipeline.live import SetEnd, SetEndFn
from fitness.store.recorder import EndReason

FRAME = np.zeros((36, 64, 3), dtype=np.uint8)
REP_MS = 60  # how long a rep of the fake workout coach takes (it ends on the frame it completes)


def make_rep(index: int = 1, verdict: str = "good", cues: tuple[str, ...] = (), side: str = "auto") -> Rep:
    items = tuple(Cue.from_value(c) for c in cues)
    return Rep(index, 0, 500, 1000, 80.0, 170.0, 90.0, 500, 500, verdict, items, side)  # type: ignore[arg-type]


def frame_result(
    t_ms: float,
    angle: float | None,
    cues: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    *,
    reps: int = 0,
    per_side: dict[str, int] | None = None,
) -> FrameResult:
    """A counter's result for one frame, as the real pipeline returns it."""
    return FrameResult(
        t_ms=round(t_ms),
        angle=angle,
        extension=None,
        phase=Phase.EXTENDED,
        reps=reps,
        per_side=per_side or {},
        side=None,
        view=None,
        signal="angle",
        cues=cues,
        notes=notes,
    )


class FakeCoach:
    """Completes a rep on the frames listed in ``rep_on`` (1-based call numbers)."""

    def __init__(
        self, settings: LiveSettings, on_rep: RepSink, rep_on: set[int], fail_on: set[int], rep_side: str = "auto"
    ) -> None:
        self.settings = settings
        self.on_rep = on_rep
        self.rep_on = rep_on
        self.fail_on = fail_on
        self.calls = 0
        self.times: list[float] = []
        self.seen: list[np.ndarray] = []  # the frames the pipeline was given
        self.drawn: list[FrameResult] = []  # what was drawn over the frames sent back
        self.own_reps = 0
        self.rep_side = rep_side
        self.redraws = 0
        self._fresh = False

    @property
    def exercise(self) -> str:
        return "squat" if self.settings.exercise == "auto" else self.settings.exercise

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        self.calls += 1
        self.times.append(t_ms)
        self.seen.append(frame_rgb)
        if self.calls in self.fail_on:
            raise RuntimeError("model exploded")
        if self.calls in self.rep_on:
            self.on_rep(make_rep(index=99, cues=("Go lower",), side=self.rep_side))
        # A knee angle that goes down and up once every 30 frames (None: nobody in view).
        angle = None if self.calls % 7 == 0 else 120.0 + 50.0 * float(np.cos(self.calls * np.pi / 15))
        cues = ("Go lower",) if self.calls in self.rep_on else ()
        # The counter's own count: it knows nothing of renumbering or undo.
        self.own_reps += self.calls in self.rep_on
        per_side = {self.rep_side: self.own_reps} if self.rep_side != "auto" else {}
        self._fresh = True
        notes = ("Turn sideways for depth feedback",)
        return frame_result(t_ms, angle, cues, notes, reps=self.own_reps, per_side=per_side)

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        self.redraws += not self._fresh  # no process() since the last draw: a frame over the cap
        self._fresh = False
        self.drawn.append(result)
        out = frame_rgb[:, ::-1].copy() if mirror else frame_rgb.copy()
        out[0, 0] = 255  # "annotated"
        return out


class FakeWorkoutCoach(FakeCoach):
    """A :class:`FakeCoach` that also finds sets (a :class:`~fitness.app.live_state.SetFinder`):
    its reps are timed by the frames they complete on, and a set ends on the frames in
    ``end_on``, after which it counts the exercise it is told to."""

    def __init__(self, settings: LiveSettings, on_rep: RepSink, rep_on: set[int], end_on: set[int]) -> None:
        super().__init__(settings, on_rep, set(), set())
        self.rep_times = rep_on
        self.end_on = end_on
        self.counting = settings.exercise
        self.told: list[str] = []  # what it was told to count after each set
        self.ends: list[SetEnd] = []
        self._on_set_end: SetEndFn | None = None
        self._set: list[Rep] = []

    @property
    def exercise(self) -> str:
        return "squat" if self.counting == "auto" else self.counting

    def follow_sets(self, on_set_end: SetEndFn) -> None:
        self._on_set_end = on_set_end

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        result = super().process(frame_rgb, t_ms)
        if self.calls in self.rep_times:
            t = round(t_ms)
            made = Rep(99, t - REP_MS, t - REP_MS // 2, t, 80.0, 170.0, 90.0, REP_MS // 2, REP_MS // 2, "good")
            self._set.append(made)
            self.on_rep(made)
        if self.calls in self.end_on and self._on_set_end is not None:
            ended = SetEnd(self.exercise, self._set[0].start_ms, self._set[-1].end_ms, "rest", tuple(self._set))
            self.ends.append(ended)
            self._set = []
            self.counting = self._on_set_end(ended)
            self.told.append(self.counting)
        return result


@dataclass
class FakeRecorder:
    exercise: str
    reps: list[Rep] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    fail_add: bool = False
    started_at: float | None = None
    sets: list[dict[str, Any]] = field(default_factory=list)  # start_set's arguments, then end_set's

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> bool:
        if self.fail_add:
            raise OSError("disk full")
        self.reps.append(rep)
        return True

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> None:
        self.finished.append(reason)

    def start_set(self, exercise: str, start_ms: int, *, rest_before_ms: int | None, plan_item_id: int | None) -> int:
        self.sets.append({"exercise": exercise, "start_ms": start_ms, "rest_before_ms": rest_before_ms,
                          "plan_item_id": plan_item_id, "reps": len(self.reps)})  # fmt: skip
        return len(self.sets)

    def end_set(self, *, end_ms: int | None = None, hold_ms: int | None = None) -> None:
        self.sets[-1].update(end_ms=end_ms, hold_ms=hold_ms, ended=True)

    def remove_last(self) -> int:
        return self.reps.pop().index


@dataclass
class Harness:
    rep_on: set[int] = field(default_factory=set)
    fail_on: set[int] = field(default_factory=set)
    fail_add: bool = False
    rep_side: str = "auto"
    end_on: set[int] | None = None  # a coach that finds sets, ending one on these frames
    coaches: list[FakeCoach] = field(default_factory=list)
    recorders: list[FakeRecorder] = field(default_factory=list)

    def coach(self, settings: LiveSettings, on_rep: RepSink) -> FakeCoach:
        if self.end_on is not None:
            made: FakeCoach = FakeWorkoutCoach(settings, on_rep, self.rep_on, self.end_on)
            self.coaches.append(made)
            return made
        made = FakeCoach(settings, on_rep, self.rep_on, self.fail_on, self.rep_side)
        self.coaches.append(made)
        return made

    def recorder(self, settings: LiveSettings, exercise: str, started_at: float) -> tuple[FakeRecorder, int]:
        made = FakeRecorder(exercise, fail_add=self.fail_add, started_at=started_at)
        self.recorders.append(made)
        return made, len(self.recorders)

    def state(self, **settings: Any) -> LiveState:
        live = LiveState(self.coach, self.recorder)
        # max_fps high so the gate never interferes unless a test wants it to.
        live.configure(LiveSettings(**{"exercise": "squat", "max_fps": 1000.0, **settings}))
        return live


def feed(live: LiveState, n: int, start_s: float = 0.0) -> list[np.ndarray]:
    return [live.process(FRAME, start_s + i / 30) for i in range(n)]
