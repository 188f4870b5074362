"""The state the webcam callback shares with the page: lifecycle, thread safety, throttling."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fitness.app.live_state import (
    Announcer,
    CueThrottle,
    FrameGate,
    LiveSettings,
    LiveSnapshot,
    LiveState,
    RateMeter,
    RepSink,
    StreamClock,
    announcement_html,
    frames_to_run,
    guard_streamer_context,
    parse_ice_servers,
)
from fitness.engine.values import Rep
from fitness.store.recorder import EndReason

FRAME = np.zeros((36, 64, 3), dtype=np.uint8)


def make_rep(index: int = 1, verdict: str = "good", cues: tuple[str, ...] = ()) -> Rep:
    return Rep(index, 0, 500, 1000, 80.0, 170.0, 90.0, 500, 500, verdict, cues)  # type: ignore[arg-type]


@dataclass
class FakeResult:
    phase: str = "extended"
    angle: float | None = 170.0
    cues: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, Any]:
        self.calls += 1
        self.times.append(t_ms)
        if self.calls in self.fail_on:
            raise RuntimeError("model exploded")
        if self.calls in self.rep_on:
            self.on_rep(make_rep(index=99, cues=("Go lower",)))
        out = frame_rgb.copy()
        out[0, 0] = 255  # "annotated"
        # A knee angle that goes down and up once every 30 frames (None: nobody in view).
        angle = None if self.calls % 7 == 0 else 120.0 + 50.0 * np.cos(self.calls * np.pi / 15)
        return out, FakeResult(angle=angle, cues=("Go lower",) if self.calls in self.rep_on else ())

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


def test_frames_pass_through_untouched_until_armed() -> None:
    h = Harness()
    live = h.state()
    out = feed(live, 3)
    assert all(o is FRAME for o in out)
    assert h.coaches == [] and h.recorders == []
    snap = live.snapshot()
    assert snap.frames_in == 3 and snap.frames_processed == 0 and not snap.recording


def test_a_set_opens_one_session_saves_every_rep_and_closes_on_disarm() -> None:
    h = Harness(rep_on={3, 7})
    live = h.state()
    live.arm()
    out = feed(live, 10)
    assert out[-1][0, 0, 0] == 255
    snap = live.snapshot()
    assert snap.recording and snap.session_id == 1 and snap.reps == 2
    assert [r.index for r in snap.recent] == [2, 1]  # renumbered per set, newest first
    assert [r.index for r in h.recorders[0].reps] == [1, 2]
    live.disarm("stopped")
    snap = live.snapshot()
    assert h.recorders[0].finished == ["stopped"]
    assert not snap.armed and snap.ended_at is not None and snap.end_reason == "stopped" and snap.reps == 2
    live.disarm("stopped")  # STOP and on_video_ended both arrive: harmless
    assert h.recorders[0].finished == ["stopped"]
    assert feed(live, 2)[0] is FRAME  # late frames after STOP open nothing
    assert len(h.recorders) == 1


def test_each_start_is_a_new_session_with_a_fresh_coach() -> None:
    h = Harness(rep_on={2})
    live = h.state()
    for _ in range(3):
        live.arm()
        feed(live, 4)
        live.disarm()
    assert len(h.recorders) == 3 and len(h.coaches) == 3
    assert all(r.finished == ["stopped"] and len(r.reps) == 1 for r in h.recorders)
    assert live.snapshot().session_id == 3


def test_auto_opens_the_session_at_the_first_rep_under_the_recognised_exercise() -> None:
    h = Harness(rep_on={5})
    live = h.state(exercise="auto")
    live.arm()
    feed(live, 4)
    assert h.recorders == [] and live.snapshot().recording  # the set timer already runs
    feed(live, 3)
    assert [r.exercise for r in h.recorders] == ["squat"]
    assert len(h.recorders[0].reps) == 1


def test_frames_dropped_while_busy_count_as_received_not_processed() -> None:
    h = Harness()
    live = h.state()
    live.arm()
    live.process(FRAME, 0.0)
    live.process(FRAME, 0.1, skipped=2)
    snap = live.snapshot()
    assert (snap.frames_in, snap.frames_processed, snap.frames_dropped) == (4, 2, 2)
    assert h.coaches[0].calls == 2


def test_a_late_end_of_stream_notice_does_not_end_the_next_set() -> None:
    h = Harness(rep_on={2})
    live = h.state()
    first = live.arm()
    feed(live, 3)
    live.disarm()  # STOP
    second = live.arm()  # START again at once
    live.stream_ended(first)  # the old worker's on_video_ended arrives late
    assert live.armed
    feed(live, 3)
    assert len(h.recorders) == 2 and h.recorders[1].finished == []
    live.stream_ended(second)  # the camera of this set goes away
    assert not live.armed and h.recorders[1].finished == ["stopped"]


def test_arm_without_frames_leaves_no_session() -> None:
    h = Harness()
    live = h.state()
    live.arm()
    live.disarm()
    assert h.recorders == []
    assert live.snapshot().ended_at is None


def test_an_exception_in_the_pipeline_is_reported_and_the_stream_goes_on() -> None:
    h = Harness(rep_on={2, 6}, fail_on={4})
    live = h.state()
    live.arm()
    out = feed(live, 8)
    assert out[3] is FRAME  # the failing frame is returned unannotated
    snap = live.snapshot()
    assert snap.error is not None and "model exploded" in snap.error and snap.errors == 1
    assert snap.reps == 2 and len(h.recorders[0].reps) == 2  # the session survived
    assert out[7][0, 0, 0] == 255
    live.clear_error()
    assert live.snapshot().error is None


def test_a_rep_the_history_cannot_save_is_still_counted_and_reported() -> None:
    h = Harness(rep_on={2}, fail_add=True)
    live = h.state()
    live.arm()
    feed(live, 3)
    snap = live.snapshot()
    assert snap.reps == 1 and snap.error is not None and "could not be saved" in snap.error


def test_a_history_that_cannot_start_a_session_does_not_stop_counting() -> None:
    def broken(settings: LiveSettings, exercise: str) -> tuple[FakeRecorder, int]:
        raise OSError("database is locked")

    h = Harness(rep_on={2})
    live = LiveState(h.coach, broken)
    live.configure(LiveSettings(exercise="squat", max_fps=1000.0))
    live.arm()
    feed(live, 3)
    snap = live.snapshot()
    assert snap.reps == 1 and snap.error is not None and "not being saved" in snap.error


def test_callback_and_page_threads_do_not_race() -> None:
    h = Harness(rep_on=set(range(5, 2000, 10)))
    live = h.state()
    live.arm()
    snaps: list[LiveSnapshot] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            snaps.append(live.snapshot())
            time.sleep(0.0002)  # a page polls; a spinning reader would only starve the writer

    thread = threading.Thread(target=reader)
    thread.start()
    feed(live, 2000)
    stop.set()
    thread.join()
    final = live.snapshot()
    assert final.reps == 200 == len(h.recorders[0].reps)
    counts = [s.reps for s in snaps]
    assert counts == sorted(counts)  # never goes backwards


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


def test_frames_over_the_cap_are_redrawn_not_processed() -> None:
    h = Harness()
    live = h.state(max_fps=1.0)
    live.arm()
    feed(live, 5)
    assert h.coaches[0].calls == 1 and h.coaches[0].redraws == 4
    snap = live.snapshot()
    assert (snap.frames_in, snap.frames_processed, snap.frames_capped, snap.frames_dropped) == (5, 1, 4, 0)


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


def test_the_cost_per_frame_leaves_out_loading_the_model() -> None:
    h = Harness()
    slow_factory = h.coach

    def coach(settings: LiveSettings, on_rep: RepSink) -> Any:
        time.sleep(0.2)  # loading a model for a new set
        return slow_factory(settings, on_rep)

    live = LiveState(coach, h.recorder)
    live.configure(LiveSettings(exercise="squat", max_fps=1000.0))
    live.arm()
    feed(live, 2)
    # The fake coach takes microseconds; a first frame timed with the 200 ms load would make
    # the callback think it can only afford one frame per burst for the next second.
    assert 0 < live.process_ms < 50


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


def test_announcer_beeps_once_per_new_rep_and_not_for_old_ones() -> None:
    announcer = Announcer()

    def snap(reps: int, session: int = 1, cue: str | None = None) -> LiveSnapshot:
        return LiveSnapshot(armed=True, session_id=session, started_at=1.0, reps=reps, cue=cue)

    assert announcer.update(snap(3), 0, beep=True, speak=True) is None  # reps counted before we looked
    item = announcer.update(snap(4), 1, beep=True, speak=True)
    assert item is not None and item.beep and item.say is None
    assert announcer.update(snap(4), 2, beep=True, speak=True) is None
    said = announcer.update(snap(4, cue="Go lower"), 3, beep=True, speak=True)
    assert said is not None and said.say == "Go lower" and not said.beep and said.event_id > item.event_id
    assert said.key != item.key and Announcer().token != announcer.token
    assert announcer.update(snap(4, cue="Go lower"), 4, beep=True, speak=False) is None
    assert announcer.update(snap(5), 5, beep=False, speak=True) is None
    # A new set starts from its own count.
    assert announcer.update(snap(0, session=2), 6, beep=True, speak=True) is None
    assert announcer.update(snap(1, session=2), 7, beep=True, speak=True) is not None
    # Nothing once the set has ended.
    ended = LiveSnapshot(armed=False, session_id=2, started_at=1.0, ended_at=2.0, reps=2)
    assert announcer.update(ended, 8, beep=True, speak=True) is None


def test_announcement_html_plays_once_and_escapes_text() -> None:
    from fitness.app.live_state import Announcement

    page = announcement_html(Announcement(7, beep=True, say='Say "hi" </script>', stream="abc"))
    assert "fitness-announce-abc-7" in page and "speechSynthesis" in page
    assert page.count("</script>") == 1  # the cue cannot close the script early
    assert '"Say \\"hi\\" \\u003c/script>"' in page


def test_parse_ice_servers() -> None:
    assert parse_ice_servers(None) == []
    assert parse_ice_servers("  ") == []
    servers = parse_ice_servers('[{"urls": ["stun:stun.example.org:3478"]}]')
    assert servers == [{"urls": ["stun:stun.example.org:3478"]}]
    assert parse_ice_servers('{"urls": "turn:t.example.org", "username": "u", "credential": "c"}')[0]["username"] == "u"
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_ice_servers("[{")
    with pytest.raises(ValueError, match="JSON list like"):
        parse_ice_servers('["stun:x"]')


class FakeContext:
    def __init__(self) -> None:
        self._last_rendered_run_count: int | None = 5
        self.resets = 0


def test_guard_disables_the_racy_check_and_resets_only_after_a_page_switch() -> None:
    ctx = FakeContext()

    def reset(c: Any) -> None:
        c.resets += 1

    guard_streamer_context(ctx, remounted=False, reset=reset)
    assert ctx._last_rendered_run_count is None and ctx.resets == 0
    ctx._last_rendered_run_count = 9
    guard_streamer_context(ctx, remounted=True, reset=reset)
    assert ctx._last_rendered_run_count is None and ctx.resets == 1
    guard_streamer_context(None, remounted=True, reset=reset)  # first visit: nothing to do


def test_guard_matches_the_installed_streamlit_webrtc() -> None:
    """The work-around relies on 0.79.0 internals: fail loudly if they change.

    Checked in a fresh interpreter: importing aiortc's pylibsrtp after TensorFlow (which other
    tests in this session load) segfaults, so this process may not import streamlit_webrtc.
    The app itself imports streamlit_webrtc first and never loads TensorFlow.
    """
    import subprocess
    import sys

    code = (
        "import inspect; from streamlit_webrtc import component; "
        "src = inspect.getsource(component._get_or_create_context); "
        "assert 'context._last_rendered_run_count is not None' in src; "
        "assert callable(component._reset_context); print('ok')"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


def test_each_stream_logs_where_its_frames_went(caplog: pytest.LogCaptureFixture) -> None:
    h = Harness(rep_on={2})
    live = h.state()
    live.arm()
    live.process(FRAME, 0.0)
    live.process(FRAME, 0.1, skipped=3)
    feed(live, 2, start_s=0.2)
    with caplog.at_level("INFO", logger="fitness.app.live_state"):
        live.disarm()
    summary = [r.getMessage() for r in caplog.records if "live stream" in r.getMessage()]
    assert len(summary) == 1
    assert "7 frames received" in summary[0] and "4 processed" in summary[0]
    assert "3 dropped while busy" in summary[0] and "1 reps" in summary[0]


def test_the_live_angle_trace_is_saved_with_every_rep_and_at_the_end(tmp_path: Path) -> None:
    from fitness.store.recorder import SessionInfo, SessionRecorder
    from fitness.store.store import SessionStore

    store = SessionStore.open(tmp_path / "history.db")

    def recorder(settings: LiveSettings, exercise: str) -> tuple[SessionRecorder, int | None]:
        made = SessionRecorder(store, SessionInfo(exercise=exercise, source="live", profile=settings.profile))
        return made, made.start()

    h = Harness(rep_on={45})
    live = LiveState(h.coach, recorder)
    live.configure(LiveSettings(exercise="squat", max_fps=1000.0))
    live.arm()
    feed(live, 60)  # 2 s at 30 fps; a rep on the 45th frame
    session_id = live.snapshot().session_id
    assert session_id is not None
    trace = store.get_session(session_id).summary.extra["trace"]
    # Saved with the rep, in the same commit: 10 samples a second up to that frame (1.47 s).
    assert trace["t_ms"] == [i * 100 for i in range(15)]
    assert trace["angle"][0] == pytest.approx(120 + 50 * np.cos(np.pi / 15), abs=0.05)
    assert None in trace["angle"]  # frames without a reading stay gaps, not zeros

    live.disarm()  # STOP: the rest of the set is saved with the end of the session
    detail = store.get_session(session_id)
    assert detail.summary.end_reason == "stopped" and len(detail.reps) == 1
    trace = detail.summary.extra["trace"]
    assert trace["t_ms"] == [i * 100 for i in range(20)]
    assert len(trace["angle"]) == 20
