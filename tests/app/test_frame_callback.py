"""The webcam callback with real PyAV frames: bursts within the budget run whole, the rest drop."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import av
import numpy as np

from fitness.app.frame_callback import make_frame_callback
from tests.app.live_fakes import Harness

FPS = 30


def frames(first: int, n: int) -> list[av.VideoFrame]:
    """``n`` webcam frames numbered from ``first``, 30 a second, as WebRTC hands them over."""
    out = []
    for i in range(first, first + n):
        frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i % 200, dtype=np.uint8), format="rgb24")
        frame.pts, frame.time_base = i, Fraction(1, FPS)
        out.append(frame)
    return out


def test_a_burst_that_fits_the_budget_is_run_whole_and_the_newest_goes_back() -> None:
    h = Harness()
    live = h.state()
    live.arm()
    callback = make_frame_callback(live)
    returned = asyncio.run(callback(frames(0, 4)))
    assert len(returned) == 1
    picture = returned[0].to_ndarray(format="rgb24")
    assert picture[0, 0, 0] == 255 and picture[1, 1, 0] == 3  # the newest frame, annotated
    assert h.coaches[0].times == [0.0, 1000 / FPS, 2000 / FPS, 3000 / FPS]  # from the frames' own times
    snap = live.snapshot()
    assert (snap.frames_in, snap.frames_processed, snap.frames_dropped) == (4, 4, 0)


def test_frames_over_the_budget_are_dropped_oldest_first() -> None:
    h = Harness()
    live = h.state()
    live.arm()
    callback = make_frame_callback(live, budget_ms=0.0)  # nothing fits: only the newest runs
    asyncio.run(callback(frames(0, 1)))  # times the first frame
    asyncio.run(callback(frames(1, 5)))
    assert h.coaches[0].calls == 2 and h.coaches[0].times[-1] == 5000 / FPS
    snap = live.snapshot()
    assert (snap.frames_in, snap.frames_processed, snap.frames_dropped) == (6, 2, 4)


def test_frames_pass_back_unchanged_before_start() -> None:
    h = Harness()
    live = h.state()
    returned = asyncio.run(make_frame_callback(live)(frames(7, 2)))
    assert returned[0].to_ndarray(format="rgb24")[0, 0, 0] == 8
    assert h.coaches == [] and live.snapshot().frames_in == 2
