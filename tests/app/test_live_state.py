"""The state the webcam callback shares with the page: lifecycle, thread safety, fps, the history."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fitness.app.live_state import LiveSettings, LiveSnapshot, LiveState, RepSink, store_recorders
from fitness.errors import FitnessError
from tests.app.live_fakes import FRAME, FakeRecorder, Harness, feed


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


def test_frames_over_the_cap_are_redrawn_not_processed() -> None:
    h = Harness()
    live = h.state(max_fps=1.0)
    live.arm()
    feed(live, 5)
    assert h.coaches[0].calls == 1 and h.coaches[0].redraws == 4
    snap = live.snapshot()
    assert (snap.frames_in, snap.frames_processed, snap.frames_capped, snap.frames_dropped) == (5, 1, 4, 0)


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


def test_the_snapshot_shows_what_the_counter_concluded_on_the_last_frame() -> None:
    h = Harness(rep_on={3})
    live = h.state()
    live.arm()
    feed(live, 3)
    snap = live.snapshot()
    assert snap.phase == "extended" and snap.exercise == "squat"
    assert snap.angle == pytest.approx(120 + 50 * np.cos(3 * np.pi / 15)) and type(snap.angle) is float
    assert snap.cue == "Go lower" and snap.note == "Turn sideways for depth feedback"
    feed(live, 1, start_s=1.0)
    assert live.snapshot().cue is None  # a cue is about one frame, not the set


def test_a_stream_is_stalled_only_while_armed_and_silent() -> None:
    assert not LiveSnapshot(armed=True).stalled(now=100.0, after_s=4.0)  # no frame yet: waiting, not stalled
    assert not LiveSnapshot(armed=True, last_frame_at=97.0).stalled(now=100.0, after_s=4.0)
    assert LiveSnapshot(armed=True, last_frame_at=95.0).stalled(now=100.0, after_s=4.0)
    assert not LiveSnapshot(armed=False, last_frame_at=95.0).stalled(now=100.0, after_s=4.0)


def test_store_recorders_file_live_sets_and_say_when_there_is_no_history(tmp_path: Path) -> None:
    from fitness.store.store import SessionStore

    settings = LiveSettings(profile="ana", exercise="squat", variant="thunder")
    with pytest.raises(FitnessError, match="history database is not available"):
        store_recorders(None)(settings, "squat")
    with SessionStore.open(tmp_path / "history.db") as store:
        recorder, session_id = store_recorders(store)(settings, "pushup")
        assert session_id is not None
        recorder.finish("stopped")
        summary = store.get_session(session_id).summary
    assert (summary.exercise, summary.source, summary.profile, summary.model_variant, summary.end_reason) == (
        "pushup",
        "live",
        "ana",
        "thunder",
        "stopped",
    )
