"""The state the webcam callback shares with the page: lifecycle, thread safety, fps, the history."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fitness.app.live_state import LiveRecorder, LiveSettings, LiveSnapshot, LiveState, RepSink, store_recorders
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
    def broken(settings: LiveSettings, exercise: str, started_at: float) -> tuple[FakeRecorder, int]:
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
    assert "3 dropped while busy" in summary[0] and summary[0].endswith(", 1 rep")


def test_the_live_angle_trace_is_saved_with_every_rep_and_at_the_end(tmp_path: Path) -> None:
    from fitness.store import SessionStore
    from fitness.store.recorder import SessionInfo

    store = SessionStore.open(tmp_path / "history.db")

    def recorder(settings: LiveSettings, exercise: str, started_at: float) -> tuple[LiveRecorder, int | None]:
        made = LiveRecorder(store, SessionInfo(exercise=exercise, source="live", profile=settings.profile))
        return made, made.start(datetime.fromtimestamp(started_at, UTC))

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
    from fitness.store import SessionStore

    settings = LiveSettings(profile="ana", exercise="squat", variant="thunder")
    set_start = 1_700_000_000.25
    with pytest.raises(FitnessError, match="history database is not available"):
        store_recorders(None)(settings, "squat", set_start)
    with SessionStore.open(tmp_path / "history.db") as store:
        recorder, session_id = store_recorders(store)(settings, "pushup", set_start)
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
    assert summary.started_at == datetime.fromtimestamp(set_start, UTC)  # the set's start, not the session's


def test_the_picture_shows_the_count_the_panel_shows() -> None:
    """The overlay is drawn with the set's count, not the counter's own: after an undo (and with
    auto, whose recogniser may switch counters) the two differ, and the picture must not."""
    h = Harness(rep_on={3, 6}, rep_side="left")
    live = h.state()
    live.arm()
    feed(live, 7)
    assert [d.reps for d in h.coaches[0].drawn] == [0, 0, 1, 1, 1, 2, 2]
    live.undo_last_rep(2)
    feed(live, 2, start_s=1.0)
    drawn = h.coaches[0].drawn[-1]
    assert h.coaches[0].own_reps == 2  # the counter itself still has two
    assert drawn.reps == live.snapshot().reps == 1
    assert drawn.per_side == {"left": 1}


def test_undo_takes_the_last_rep_off_the_count_and_out_of_the_history() -> None:
    h = Harness(rep_on={3, 6, 9})
    live = h.state()
    live.arm()
    feed(live, 10)
    message = live.undo_last_rep(3)
    assert message == "Rep 3 removed from the count and from the history: 2 reps in this set."
    snap = live.snapshot()
    assert snap.reps == 2 and [r.index for r in snap.recent] == [2, 1]
    assert [r.index for r in h.recorders[0].reps] == [1, 2]
    with pytest.raises(FitnessError, match=r"^rep 3 is no longer the last one \(the set has 2 reps\)"):
        live.undo_last_rep(3)  # confirmed twice: the second does nothing
    assert live.snapshot().reps == 2 and len(h.recorders[0].reps) == 2
    live.disarm()  # the set has ended: its last rep can still be taken back
    assert live.undo_last_rep(2).startswith("Rep 2 removed") and [r.index for r in h.recorders[0].reps] == [1]
    assert live.undo_last_rep(1).endswith(": 0 reps in this set.")
    with pytest.raises(FitnessError, match="no rep to take back"):
        live.undo_last_rep(0)


def test_a_rep_completed_while_confirming_is_not_the_one_removed() -> None:
    h = Harness(rep_on={3, 6, 20})
    live = h.state()
    live.arm()
    feed(live, 4)
    confirmed = live.snapshot().reps  # the person asks to take back rep 1...
    feed(live, 3, start_s=1.0)  # ...and rep 2 completes before they confirm
    with pytest.raises(FitnessError, match=r"^rep 1 is no longer the last one \(the set has 2 reps\); nothing"):
        live.undo_last_rep(confirmed)
    assert live.snapshot().reps == 2 and len(h.recorders[0].reps) == 2
    live.undo_last_rep(2)
    feed(live, 13, start_s=2.0)  # the next rep (frame 20) takes the freed number, here and in the history
    assert h.coaches[0].calls == 20
    assert [r.index for r in h.recorders[0].reps] == [1, 2] and live.snapshot().reps == 2


def test_a_new_set_cannot_undo_the_last_one() -> None:
    h = Harness(rep_on={2})
    live = h.state()
    live.arm()
    feed(live, 3)
    live.disarm()
    live.arm()  # START again: not even before the new set's first frame
    with pytest.raises(FitnessError, match="no rep to take back"):
        live.undo_last_rep(1)
    feed(live, 1, start_s=5.0)
    with pytest.raises(FitnessError, match="no rep to take back"):
        live.undo_last_rep(1)
    assert len(h.recorders[0].reps) == 1 and live.snapshot().reps == 0


def test_undo_of_a_rep_the_history_never_got_changes_the_count_only() -> None:
    h = Harness(rep_on={2}, fail_add=True)
    live = h.state()
    live.arm()
    feed(live, 3)
    assert live.undo_last_rep(1) == "Rep 1 removed from the count (it was not in the history): 0 reps in this set."
    assert live.snapshot().reps == 0


def test_undo_with_a_real_history(tmp_path: Path) -> None:
    from fitness.store import SessionStore

    with SessionStore.open(tmp_path / "history.db") as store:
        h = Harness(rep_on={3, 6})
        live = LiveState(h.coach, store_recorders(store))
        live.configure(LiveSettings(exercise="squat", max_fps=1000.0))
        live.arm()
        feed(live, 7)
        session_id = live.snapshot().session_id
        assert session_id is not None and store.get_session(session_id).summary.rep_count == 2
        live.undo_last_rep(2)
        live.disarm()
        detail = store.get_session(session_id)
        assert [r.index for r in detail.reps] == [1] and detail.summary.end_reason == "stopped"


def test_the_mirror_flips_what_is_shown_never_what_is_analysed() -> None:
    frame = np.zeros((4, 6, 3), dtype=np.uint8)
    frame[:, 0] = 50  # a mark on the camera's left edge
    h = Harness(rep_on={2})
    live = h.state()
    live.set_mirror(True)
    before = live.process(frame, 0.0)  # streaming, not yet armed: mirrored too
    assert (before[:, -1] == 50).all() and (before[:, 0] == 0).all()
    live.arm()
    shown = [live.process(frame, i / 30) for i in range(1, 4)]
    assert all(seen is frame for seen in h.coaches[0].seen)  # the pipeline got the camera's frame
    assert all((s[1:, -1] == 50).all() for s in shown)
    live.set_mirror(False)  # changed mid-set: the set goes on, the picture turns back
    assert (live.process(frame, 0.2)[1:, 0] == 50).all()
    assert len(h.coaches) == 1 and live.snapshot().reps == 1


def test_an_auto_set_is_filed_from_its_first_frame_not_its_first_rep() -> None:
    h = Harness(rep_on={20})
    live = h.state(exercise="auto")
    live.arm()
    feed(live, 25)
    snap = live.snapshot()
    assert h.recorders[0].started_at == snap.started_at  # the session opened at rep 1, 19 frames later
