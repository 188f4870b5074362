"""The live page with Auto times a hold while it is held: the real live coach over the real
poses of a labelled plank clip, through the live state into a real history.

The scoreboard shows the plank and its time held as a chosen exercise's hold is shown; the
history gets nothing until the coach finds the set ended, and then what it always got.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitness.app.live_state import LiveSettings, LiveState, RepSink, store_recorders
from fitness.app.pages.live import status_line
from fitness.engine.counter import FrameResult
from fitness.pipeline.live import LiveCoach, ProvisionalHold, SetEndFn
from fitness.pipeline.stream import analyze_poses
from fitness.pose.types import Pose
from fitness.store import SessionStore
from tests.replay_poses import Replay, labelled_clip, then_nobody

HOLD_CLIP = "plank_side_tomnotchymk.mp4"  # title card, kneeling, then a forearm plank held ~9.5 s
AWAY_S = 3.0  # nobody in view after the clip, so the set ends
FRAME = np.zeros((36, 64, 3), dtype=np.uint8)


class ReplayedCoach:
    """:class:`~fitness.app.coach.PipelineCoach` with the clip's real poses replayed instead of
    a camera's (no MultiPose look-out, nothing drawn)."""

    def __init__(self, poses: list[Pose | None], on_rep: RepSink) -> None:
        self._coach = LiveCoach("auto", Replay(poses), draw=False, on_rep=on_rep)  # type: ignore[arg-type]

    @property
    def exercise(self) -> str | None:
        return self._coach.exercise

    @property
    def provisional(self) -> ProvisionalHold | None:
        return self._coach.provisional

    def follow_sets(self, on_set_end: SetEndFn) -> None:
        self._coach.follow_sets(on_set_end)

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        return self._coach.process(frame_rgb, t_ms)[1]

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        return frame_rgb


@pytest.fixture(scope="module")
def plank_frames(data_dir: Path, artifacts: Path) -> list[tuple[float, Pose | None]]:
    clip = labelled_clip(data_dir / "catalogue_manifest.csv", HOLD_CLIP)
    return then_nobody(clip.path, artifacts, AWAY_S)


def test_auto_shows_the_hold_timed_while_held_and_the_history_gets_it_as_before(
    plank_frames: list[tuple[float, Pose | None]], tmp_path: Path
) -> None:
    poses = [pose for _, pose in plank_frames]
    with SessionStore.open(tmp_path / "history.db") as store:
        live = LiveState(lambda _settings, on_rep: ReplayedCoach(poses, on_rep), store_recorders(store))
        live.configure(LiveSettings(exercise="auto", max_fps=1000.0))
        live.arm()
        timed: list[float] = []  # the time held the scoreboard showed, frame by frame
        for t_ms, _ in plank_frames:
            live.process(FRAME, t_ms / 1000.0)
            snap = live.snapshot()
            board = snap.shown_workout.board(snap.started_at or 0.0, snap.started_at)
            if snap.guess is None:
                continue
            # Shown as a chosen exercise's hold: the set running, its time held in the count's place.
            assert board.state == "set" and board.held_s is not None
            assert status_line(snap, board) == "**Plank** · set 1 · counting"
            timed.append(board.held_s)
            # Only shown: no set in the workout, no session in the history yet.
            assert snap.workout.current is None and snap.session_id is None
            assert store.list_sessions() == []
        assert len(timed) > 30 and timed == sorted(timed) and timed[-1] - timed[0] > 5.0
        snap = live.snapshot()
        assert snap.guess is None and [s.exercise for s in snap.workout.sets] == ["plank"]
        live.disarm("stopped")
        assert snap.session_id is not None
        detail = store.get_session(snap.session_id)
    # Filed as before: the set a video analysis of the same poses finds.
    (found,) = analyze_poses(plank_frames).sets
    (saved,) = detail.sets
    assert (saved.exercise, saved.start_ms, saved.end_ms, saved.hold_ms) == (
        found.exercise, found.start_ms, found.end_ms, found.hold_ms
    )  # fmt: skip
