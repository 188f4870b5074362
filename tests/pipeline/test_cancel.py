"""Stopping a video analysis on request: the real model over real clips, stopped from another
thread (as the app's Stop button does), ends within a frame and leaves no output behind."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from fitness.pipeline.video_analysis import AnalysisCancelled, analyze_video
from fitness.pose.estimator import Estimator

pytestmark = pytest.mark.slow

LONG_CLIP = "videos/pushup/pushup_side_tutorial_tayyab.mp4"  # 1402 frames, 0:47: ~25 s to count here
SHORT_CLIP = "videos/squat/squat_front_tfjs_mediapipe.mp4"  # 65 frames: counted in a second or two
STOP_AFTER_S = 1.5
PROMPT_S = 1.0  # "stops at once": within a second of the request, whatever the machine's load


def _clip(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {data_dir}")
    return path


def test_stopping_mid_count_ends_within_a_frame_and_writes_nothing(
    data_dir: Path, tmp_path: Path, lightning: Estimator
) -> None:
    clip = _clip(data_dir, LONG_CLIP)
    out = tmp_path / "out"
    out.mkdir()
    stop = threading.Event()
    counted: list[tuple[float, int]] = []  # (when, frames done)

    def progress(done: int, total: int) -> None:
        counted.append((time.monotonic(), done))

    asked_at: list[float] = []

    def ask_to_stop() -> None:
        # Stamped after the flag is up: a busy machine can wake the timer late, and frames
        # counted before the flag went up are not "after the stop".
        stop.set()
        asked_at.append(time.monotonic())

    timer = threading.Timer(STOP_AFTER_S, ask_to_stop)
    timer.start()
    with pytest.raises(AnalysisCancelled) as stopped:
        analyze_video(
            clip, "pushup", estimator=lightning, annotate_to=out / "annotated.mp4", progress=progress,
            should_stop=stop.is_set,
        )  # fmt: skip
    ended = time.monotonic()
    timer.join()
    (asked,) = asked_at
    cancel = stopped.value

    assert ended - asked < PROMPT_S, f"ended {ended - asked:.2f} s after the stop was asked for"
    # At most the frame in hand when the stop came was finished after it.
    assert sum(when > asked for when, _ in counted) <= 1
    frames = counted[-1][1]
    assert 0 < frames < 1402 / 2, "stopped early, not near the end"
    # The position is where the count got to (the frame after the last one counted; 29.97 fps).
    assert cancel.at_ms == pytest.approx(frames * 1000 / 29.97, abs=40)
    assert cancel.duration_ms == pytest.approx(46_770, abs=100) and not cancel.drawing
    assert re.fullmatch(r"Analysis stopped at 0:0\d of 0:47", str(cancel)), str(cancel)
    assert list(out.iterdir()) == []  # no annotated video, no half-written temporary file


def test_stopping_while_drawing_leaves_the_old_annotated_video_untouched(
    data_dir: Path, tmp_path: Path, lightning: Estimator
) -> None:
    clip = _clip(data_dir, SHORT_CLIP)
    out = tmp_path / "annotated.mp4"
    out.write_bytes(b"last week's annotated video")
    stop = threading.Event()
    drawn: list[int] = []
    counted: list[int] = []

    def drawing(done: int, total: int) -> None:
        drawn.append(done)
        if done == 30:  # the app's Stop button, pressed from the page's thread
            threading.Thread(target=stop.set).start()
            time.sleep(0.05)

    with pytest.raises(AnalysisCancelled) as stopped:
        analyze_video(
            clip, "squat", estimator=lightning, annotate_to=out, should_stop=stop.is_set,
            progress=lambda done, total: counted.append(done), drawing_progress=drawing,
        )  # fmt: skip
    cancel = stopped.value
    assert counted[-1] == 65 and drawn[-1] == 30  # the count was done; the drawing stopped at once
    assert cancel.drawing and cancel.at_ms == pytest.approx(30 * 200, abs=1)  # 5 fps: frame 30 at 6 s
    assert str(cancel) == "Analysis stopped at 0:06 of 0:13 while drawing the annotated video"
    assert out.read_bytes() == b"last week's annotated video"
    assert [p.name for p in tmp_path.iterdir()] == ["annotated.mp4"]


def test_an_analysis_asked_to_stop_before_it_starts_counts_nothing(
    data_dir: Path, tmp_path: Path, lightning: Estimator
) -> None:
    clip = _clip(data_dir, SHORT_CLIP)
    counted: list[int] = []
    with pytest.raises(AnalysisCancelled, match=r"^Analysis stopped at 0:00 of 0:13$"):
        analyze_video(
            clip, "squat", estimator=lightning, annotate_to=tmp_path / "a.mp4", should_stop=lambda: True,
            progress=lambda done, total: counted.append(done),
        )  # fmt: skip
    assert counted == [] and list(tmp_path.iterdir()) == []
