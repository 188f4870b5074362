"""Rates, the inference cap, the catch-up budget, the stream clock and the cue throttle."""

from __future__ import annotations

import pytest

from fitness.app.pacing import CueThrottle, FrameGate, RateMeter, StreamClock, frames_to_run


def test_stream_clock_is_strictly_increasing_and_restarts_per_stream() -> None:
    clock = StreamClock()
    assert clock(100.0, 0) == 0.0
    assert clock(100.5, 0) == 500.0
    assert clock(100.5, 0) == 501.0  # a repeated timestamp still moves forward
    assert clock(None, 0) > 501.0
    clock.reset()
    assert clock(3.0, 0) == 0.0


def test_frame_gate_caps_the_rate_but_keeps_a_matching_camera_whole() -> None:
    gate = FrameGate(30.0)
    admitted = sum(gate.admit(i / 60) for i in range(120))  # 60 fps camera, 2 s
    assert 58 <= admitted <= 62
    gate = FrameGate(30.0)
    jitter = [i / 30 + (0.004 if i % 2 else -0.004) for i in range(60)]
    assert sum(gate.admit(t) for t in jitter) == 60
    with pytest.raises(ValueError, match="max_fps"):
        FrameGate(0)


@pytest.mark.parametrize(
    ("queued", "per_frame_ms", "expected"),
    [
        (0, 10.0, 0),  # nothing waiting
        (1, 500.0, 1),  # the newest frame always runs, however slow
        (4, 12.0, 4),  # a burst that fits the 60 ms budget is run whole
        (9, 12.0, 5),  # a stall: only what fits, the older frames are dropped
        (3, 45.0, 1),  # a slow machine: latency stays at one frame
        (20, 0.0, 8),  # not timed yet: a bounded batch
    ],
)
def test_frames_to_run_fits_a_burst_into_the_latency_budget(queued: int, per_frame_ms: float, expected: int) -> None:
    assert frames_to_run(queued, per_frame_ms, budget_ms=60.0) == expected


def test_rate_meter() -> None:
    meter = RateMeter(window_s=1.0)
    for i in range(31):
        meter.tick(i / 30)
    assert meter.rate(1.0) == pytest.approx(30.0, rel=0.05)
    assert meter.rate(10.0) == 0.0


def test_cue_throttle_speaks_new_cues_with_a_gap_and_repeats_rarely() -> None:
    throttle = CueThrottle(min_gap_s=4, repeat_after_s=20)
    assert throttle.decide("Go lower", 0) == "Go lower"
    assert throttle.decide("Go lower", 1) is None
    assert throttle.decide("Chest up", 2) is None  # too soon after the last one
    assert throttle.decide("Chest up", 5) == "Chest up"
    assert throttle.decide("Chest up", 10) is None  # same cue again: only after 20 s
    assert throttle.decide("Chest up", 26) == "Chest up"
    assert throttle.decide(None, 100) is None
