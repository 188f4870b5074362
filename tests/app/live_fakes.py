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
from fitness.store.recorder import EndReason

FRAME = np.zeros((36, 64, 3), dtype=np.uint8)


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


@dataclass
class FakeRecorder:
    exercise: str
    reps: list[Rep] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    fail_add: bool = False
    started_at: float | None = None

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> bool:
        if self.fail_add:
            raise OSError("disk full")
        self.reps.append(rep)
        return True

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> None:
        self.finished.append(reason)

    def remove_last(self) -> int:
        return self.reps.pop().index


@dataclass
class Harness:
    rep_on: set[int] = field(default_factory=set)
    fail_on: set[int] = field(default_factory=set)
    fail_add: bool = False
    rep_side: str = "auto"
    coaches: list[FakeCoach] = field(default_factory=list)
    recorders: list[FakeRecorder] = field(default_factory=list)

    def coach(self, settings: LiveSettings, on_rep: RepSink) -> FakeCoach:
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
