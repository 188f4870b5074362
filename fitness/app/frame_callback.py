"""The webcam frame callback: streamlit-webrtc's worker thread -> :class:`LiveState` -> the browser.

It never touches ``st``: it runs on streamlit-webrtc's processing thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import av

from fitness.app.live_state import LiveState
from fitness.app.pacing import frames_to_run

log = logging.getLogger(__name__)

CATCH_UP_MS = 60.0  # pipeline time one callback may spend on a burst of queued frames

FrameCallback = Callable[[list[av.VideoFrame]], Coroutine[Any, Any, list[av.VideoFrame]]]


def make_frame_callback(live: LiveState, budget_ms: float = CATCH_UP_MS) -> FrameCallback:
    """The callback for ``webrtc_streamer(queued_video_frames_callback=...)``.

    It gets every frame that arrived since its last call. WebRTC delivers frames in small
    bursts, so the newest ones that fit in ``budget_ms`` are all run (a burst costs no
    frames); older ones are dropped, so when the machine cannot keep up, latency still never
    builds up (see :func:`fitness.app.pacing.frames_to_run`). Only the newest goes back to the
    browser. (``video_frame_callback`` with ``async_processing`` would keep just the newest one
    and log a warning for every burst.)
    """

    async def callback(frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        batch = frames[-frames_to_run(len(frames), live.process_ms, budget_ms) :]
        skipped = len(frames) - len(batch)
        try:
            outs = [
                live.process(
                    frame.to_ndarray(format="rgb24"),
                    float(frame.time) if frame.time is not None else None,
                    skipped=skipped if i == 0 else 0,
                )
                for i, frame in enumerate(batch)
            ]
            return [av.VideoFrame.from_ndarray(outs[-1], format="rgb24")]
        except Exception:
            # Conversion trouble must not end the stream either (LiveState.process never raises).
            log.exception("could not convert a webcam frame")
            return [frames[-1]]

    return callback
