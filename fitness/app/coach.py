"""The pipeline behind the live page: one :class:`PipelineCoach` per stream (a workout), on the
callback thread."""

from __future__ import annotations

import logging

import numpy as np

from fitness.app.live_state import LiveSettings, RepSink
from fitness.engine.counter import FrameResult
from fitness.pipeline.live import ProvisionalHold, SetEndFn
from fitness.pose.types import Pose

log = logging.getLogger(__name__)


def log_frame(t_ms: float, result: FrameResult, pose: Pose | None, who: str = "") -> None:
    """What a counter saw on one live frame, at DEBUG (``FITNESS_LOG_LEVEL=DEBUG``): enough to
    replay a live miscount, which cannot be reproduced from the video file alone
    (``scripts/replay_live_log.py``). ``who``: the person, in Group mode ("person 2 ")."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    points = None if pose is None else np.round(pose.keypoints, 3).tolist()
    log.debug(
        "%sframe %.0f ms: %s %s e=%s angle=%s phase=%s reps=%d pose=%s",
        who, t_ms, result.view, result.signal,
        None if result.extension is None else round(result.extension, 3),
        None if result.angle is None else round(result.angle, 1),
        result.phase.value, result.reps, points,
    )  # fmt: skip


class PipelineCoach:
    """:class:`fitness.pipeline.live.LiveCoach` counting, and the live view drawn apart from it
    (:meth:`draw`): the page decides what count is shown and whether the picture is mirrored.

    Satisfies :class:`fitness.app.live_state.Coach`; made by :class:`~fitness.app.live_state.LiveState`
    (``PipelineCoach(settings, on_rep)``) on the first frame of every stream; it finds the
    workout's sets (:meth:`follow_sets`).
    """

    def __init__(self, settings: LiveSettings, on_rep: RepSink) -> None:
        from fitness.pipeline.group import PeopleProbe
        from fitness.pipeline.live import LiveCoach
        from fitness.pose.estimator import MultiPoseEstimator, load_estimator

        # One interpreter thread: the other core decodes and encodes the WebRTC video.
        estimator = load_estimator(settings.variant, threads=1)
        self._coach = LiveCoach(settings.exercise, estimator, draw=False, on_rep=on_rep)
        # Every 2 s MultiPose counts the people in view, so the page can say when a second person
        # is there and who is being counted (a few percent of a frame's cost on average).
        multipose = load_estimator("multipose", threads=1)
        assert isinstance(multipose, MultiPoseEstimator)
        self._probe = PeopleProbe(multipose)

    @property
    def exercise(self) -> str | None:
        return self._coach.exercise

    @property
    def provisional(self) -> ProvisionalHold | None:
        """With auto, the hold being timed before it is recognised for sure
        (:class:`~fitness.app.live_state.HoldGuesser`)."""
        return self._coach.provisional

    def follow_sets(self, on_set_end: SetEndFn) -> None:
        """Find the workout's sets as they end (:class:`~fitness.app.live_state.SetFinder`)."""
        self._coach.follow_sets(on_set_end)

    def crowd_note(self, mirrored: bool) -> str | None:
        return self._probe.live_note(mirrored)

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        _, result = self._coach.process(frame_rgb, t_ms)
        self._probe.check(frame_rgb, t_ms, self._coach.last_pose)
        log_frame(t_ms, result, self._coach.last_pose)
        return result

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        from fitness.engine.registry import REGISTRY
        from fitness.pipeline.hud import live_view

        key, result = self._coach.shown(result)
        return live_view(
            frame_rgb, self._coach.last_pose, result, None if key is None else REGISTRY[key], mirror=mirror
        )
