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
from fitness.engine.values import Rep
from fitness.store.recorder import EndReason

FRAME = np.zeros((36, 64, 3), dtype=np.uint8)


def make_rep(index: int = 1, verdict: str = "good", cues: tuple[str, ...] = ()) -> Rep:
    return Rep(index, 0, 500, 1000, 80.0, 170.0, 90.0, 500, 500, verdict, cues)  # type: ignore[arg-type]


def frame_result(
    t_ms: float, angle: float | None, cues: tuple[str, ...] = (), notes: tuple[str, ...] = ()
) -> FrameResult:
    """A counter's result for one frame, as the real pipeline returns it."""
    return FrameResult(
        t_ms=round(t_ms),
        angle=angle,
        extension=None,
        phase=Phase.EXTENDED,
        reps=0,
        per_side={},
        side=None,
        view=None,
        signal="angle",
        cues=cues,
        notes=notes,
    )


class FakeCoach:
    """Completes a rep on the frames listed in ``rep_on`` (1-based call numbers)."""

    def __init__(self, settings: LiveSettings, on_rep: RepSink, rep_on: set[int], fail_on: set[int]) -> None:
        self.settings = settings
        self.on_rep = on_rep
        self.rep_on = rep_on
        self.fail_on = fail_on
        self.calls = 0
        self.times: list[float] = []
        self.redraws = 0

    @property
    def exercise(self) -> str:
        return "squat" if self.settings.exercise == "auto" else self.settings.exercise

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, FrameResult]:
        self.calls += 1
        self.times.append(t_ms)
        if self.calls in self.fail_on:
            raise RuntimeError("model exploded")
        if self.calls in self.rep_on:
            self.on_rep(make_rep(index=99, cues=("Go lower",)))
        out = frame_rgb.copy()
        out[0, 0] = 255  # "annotated"
        # A knee angle that goes down and up once every 30 frames (None: nobody in view).
        angle = None if self.calls % 7 == 0 else 120.0 + 50.0 * float(np.cos(self.calls * np.pi / 15))
        cues = ("Go lower",) if self.calls in self.rep_on else ()
        return out, frame_result(t_ms, angle, cues, notes=("Turn sideways for depth feedback",))

    def redraw(self, frame_rgb: np.ndarray) -> np.ndarray:
        self.redraws += 1
        return frame_rgb


@dataclass
class FakeRecorder:
    exercise: str
    reps: list[Rep] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    fail_add: bool = False

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> bool:
        if self.fail_add:
            raise OSError("disk full")
        self.reps.append(rep)
        return True

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> None:
        self.finished.append(reason)


@dataclass
class Harness:
    rep_on: set[int] = field(default_factory=set)
    fail_on: set[int] = field(default_factory=set)
    fail_add: bool = False
    coaches: list[FakeCoach] = field(default_factory=list)
    recorders: list[FakeRecorder] = field(default_factory=list)

    def coach(self, settings: LiveSettings, on_rep: RepSink) -> FakeCoach:
        made = FakeCoach(settings, on_rep, self.rep_on, self.fail_on)
        self.coaches.append(made)
        return made

    def recorder(self, settings: LiveSettings, exercise: str) -> tuple[FakeRecorder, int]:
        made = FakeRecorder(exercise, fail_add=self.fail_add)
        self.recorders.append(made)
        return made, len(self.recorders)

    def state(self, **settings: Any) -> LiveState:
        live = LiveState(self.coach, self.recorder)
        # max_fps high so the gate never interferes unless a test wants it to.
        live.configure(LiveSettings(**{"exercise": "squat", "max_fps": 1000.0, **settings}))
        return live


def feed(live: LiveState, n: int, start_s: float = 0.0) -> list[np.ndarray]:
    return [live.process(FRAME, start_s + i / 30) for i in range(n)]
