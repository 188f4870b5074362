"""The pipeline behind the live page: one :class:`PipelineCoach` per set, on the callback thread."""

from __future__ import annotations

import logging

import numpy as np

from fitness.app.live_state import LiveSettings, RepSink
from fitness.engine.counter import FrameResult

log = logging.getLogger(__name__)


class PipelineCoach:
    """:class:`fitness.pipeline.live.LiveCoach` counting, and the live view drawn apart from it
    (:meth:`draw`): the page decides what count is shown and whether the picture is mirrored.

    Satisfies :class:`fitness.app.live_state.Coach`; made by :class:`~fitness.app.live_state.LiveState`
    (``PipelineCoach(settings, on_rep)``) on the first frame of every set.
    """

    def __init__(self, settings: LiveSettings, on_rep: RepSink) -> None:
        from fitness.pipeline.live import LiveCoach
        from fitness.pose.estimator import load_estimator

        # One interpreter thread: the other core decodes and encodes the WebRTC video.
        estimator = load_estimator(settings.variant, threads=1)
        self._coach = LiveCoach(settings.exercise, estimator, draw=False, on_rep=on_rep)

    @property
    def exercise(self) -> str | None:
        return self._coach.exercise

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        _, result = self._coach.process(frame_rgb, t_ms)
        if log.isEnabledFor(logging.DEBUG):
            # What the counter saw, frame by frame (FITNESS_LOG_LEVEL=DEBUG): enough to replay
            # a live miscount, which cannot be reproduced from the video file alone.
            pose = self._coach.last_pose
            points = None if pose is None else np.round(pose.keypoints, 3).tolist()
            log.debug(
                "frame %.0f ms: %s %s e=%s angle=%s phase=%s reps=%d pose=%s",
                t_ms, result.view, result.signal,
                None if result.extension is None else round(result.extension, 3),
                None if result.angle is None else round(result.angle, 1),
                result.phase.value, result.reps, points,
            )  # fmt: skip
        return result

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        from fitness.engine.registry import REGISTRY
        from fitness.pipeline.hud import live_view

        key = self._coach.exercise
        return live_view(
            frame_rgb, self._coach.last_pose, result, None if key is None else REGISTRY[key], mirror=mirror
        )
