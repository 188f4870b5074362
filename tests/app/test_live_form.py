"""Form feedback on the live page, with the real counter behind the live state: a quarter squat
is said the moment it turns back, on the scoreboard and by the spoken-cue path, and the last
reps table shows what each cue measured."""

from __future__ import annotations

import numpy as np

from fitness.app.announce import Announcer
from fitness.app.live_state import LiveSettings, LiveState, RepSink
from fitness.app.tables import recent_reps_frame
from fitness.engine.counter import FrameResult
from fitness.pipeline.stream import StreamAnalyzer
from tests.app.live_fakes import FRAME, FakeRecorder
from tests.figures import ramp, standing_figure


class FigureCoach:
    """The real stream analysis (recognition off: squats asked for) fed stick figures, one per
    frame, in place of the camera and the pose model."""

    def __init__(self, settings: LiveSettings, on_rep: RepSink, knees: list[float], lean: float) -> None:
        self._analyzer = StreamAnalyzer(settings.exercise, keep_frames=False)
        self._on_rep = on_rep
        self._knees = knees
        self._lean = lean  # torso lean from vertical per degree of knee bend
        self._i = 0

    @property
    def exercise(self) -> str | None:
        return self._analyzer.exercise

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        knee = self._knees[min(self._i, len(self._knees) - 1)]
        self._i += 1
        pose = standing_figure(knee, shin_lean=30.0, lean=(175.0 - knee) * self._lean)
        result = self._analyzer.update(pose, t_ms)
        for rep in self._analyzer.new_reps:
            self._on_rep(rep)
        return result

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        return frame_rgb


def _live(knees: list[float], recorders: list[FakeRecorder], lean: float = 0.3) -> LiveState:
    def recorder(settings: LiveSettings, exercise: str, started_at: float) -> tuple[FakeRecorder, int]:
        recorders.append(FakeRecorder(exercise, started_at=started_at))
        return recorders[-1], len(recorders)

    live = LiveState(lambda settings, on_rep: FigureCoach(settings, on_rep, knees, lean), recorder)
    live.configure(LiveSettings(exercise="squat", max_fps=1000.0))
    return live


def test_a_quarter_squat_is_said_the_moment_it_turns_back() -> None:
    knees = [175.0] * 15 + ramp(175, 125, 0.6) + ramp(125, 175, 0.6) + [175.0] * 30
    live = _live(knees, [])
    live.arm()
    announcer = Announcer()
    said: list[tuple[int, str]] = []
    for i in range(len(knees)):
        live.process(FRAME, i / 30)
        snap = live.snapshot()
        spoken = announcer.update(snap, now=i / 30, beep=True, speak=True)
        if spoken is not None and spoken.say:
            said.append((i, spoken.say))
    back_up = 15 + len(ramp(175, 125, 0.6)) + len(ramp(125, 175, 0.6)) - 1
    assert said and said[0][1] == "Go lower: hips to knee height"
    assert said[0][0] - back_up <= 3  # within a tenth of a second of standing back up
    assert live.snapshot().reps == 0  # not counted


def test_the_last_reps_table_shows_what_each_cue_measured() -> None:
    knees = [175.0] * 15
    for _ in range(2):
        knees += ramp(175, 70, 0.8) + ramp(70, 175, 0.8) + [175.0] * 15
    recorders: list[FakeRecorder] = []
    live = _live(knees, recorders, lean=0.6)  # the torso leans far forward at the bottom
    live.arm()
    for i in range(len(knees)):
        live.process(FRAME, i / 30)
    snap = live.snapshot()
    assert snap.reps == 2 and all(r.cue_ids == ("chest_up",) for r in snap.recent)
    table = recent_reps_frame(snap.recent)
    assert all(cell.startswith("Keep your chest up (") and cell.endswith("°; target ≤ 50°)") for cell in table["Cues"])
    # The history gets the cue with its evidence, not only its text.
    for rep in recorders[0].reps:
        (cue,) = rep.cues
        assert cue.measured is not None and cue.measured > 50 and cue.t_ms is not None
        assert rep.start_ms <= cue.t_ms <= rep.end_ms
