"""With Auto, the live coach times a hold while it is held, before the recogniser can name it
for sure (a hold's evidence is its time held, weighed once the hold ends): real poses of a
labelled plank clip, replayed frame by frame as the webcam page's coach sees them.

The provisional hold is only shown: the set the coach reports as it ends is the one a video
analysis of the same poses finds, measured over all of the hold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitness.engine.recognition import MIN_HOLD_S
from fitness.pipeline.evaluation import LabelledClip
from fitness.pipeline.live import LiveCoach, ProvisionalHold, SetEnd
from fitness.pipeline.stream import LOOKING_NOTE, analyze_poses
from fitness.pose.types import Pose
from tests.replay_poses import Replay, labelled_clip, then_nobody

HOLD_CLIP = "plank_side_tomnotchymk.mp4"  # title card, kneeling, then a forearm plank held ~9.5 s
AWAY_S = 3.0  # nobody in view after the clip: the person has walked off, so the set ends
FRAME = np.zeros((36, 64, 3), dtype=np.uint8)  # the replayed estimator never looks at the picture


@pytest.fixture(scope="module")
def plank(data_dir: Path, artifacts: Path) -> tuple[LabelledClip, list[tuple[float, Pose | None]]]:
    """The clip's label and its real poses (then ``AWAY_S`` of nobody)."""
    clip = labelled_clip(data_dir / "catalogue_manifest.csv", HOLD_CLIP)
    return clip, then_nobody(clip.path, artifacts, AWAY_S)


def test_auto_times_a_hold_while_it_is_held_and_saves_what_it_always_did(
    plank: tuple[LabelledClip, list[tuple[float, Pose | None]]],
) -> None:
    clip, frames = plank
    coach = LiveCoach("auto", Replay([pose for _, pose in frames]), draw=False)  # type: ignore[arg-type]
    ended: list[tuple[float, SetEnd]] = []  # (the frame it was found on, the set)
    now = 0.0

    def on_set_end(end: SetEnd) -> str:
        ended.append((now, end))
        return "auto"

    coach.follow_sets(on_set_end)
    shown: list[tuple[float, ProvisionalHold]] = []
    looking = []  # the frames that said "looking for an exercise"
    for t, _ in frames:
        now = t
        _, result = coach.process(FRAME, t)
        if LOOKING_NOTE in result.notes:
            looking.append(t)
        if coach.provisional is not None:
            # Only while nothing is recognised for sure: a counter's hold is shown as any other.
            assert coach.exercise is None
            shown.append((t, coach.provisional))
            # The hold named and timed: the search for an exercise is not news (page and picture).
            assert LOOKING_NOTE not in result.notes, t

    # Saved: the one set a video analysis of the same poses finds, its hold measured over all of it.
    (found,) = analyze_poses(frames).sets
    assert [end for _, end in ended] == [
        SetEnd("plank", found.start_ms, found.end_ms, "away", (), found.hold_ms, confirmed=True)
    ]
    assert found.hold_ms is not None and clip.lo - 1.0 <= found.hold_ms / 1000 <= clip.hi + 1.0

    # Shown while holding: the plank, from the hold's start, as soon as it has been held the
    # recogniser's minimum for a hold, and growing with the time held.
    assert shown, "no hold was timed while the plank was held"
    assert {g.exercise for _, g in shown} == {"plank"}
    first_t, first = shown[0]
    assert abs(first.start_ms - found.start_ms) <= 250  # counted from the hold's start, not from recognition
    assert MIN_HOLD_S * 1000 <= first.held_ms <= MIN_HOLD_S * 1000 + 250
    assert first_t - first.start_ms <= MIN_HOLD_S * 1000 + 250
    held = [g.held_ms for _, g in shown]
    assert held == sorted(held)
    for t, g in shown:
        assert g.held_ms <= t - g.start_ms + 1  # never more than the time since the hold began
    last_t, last = shown[-1]
    # Up to about the final time by the hold's end (the final one is the full counter's measure).
    assert found.hold_ms - 1000 <= last.held_ms <= found.hold_ms
    # Before the hold, with nothing named, the search was said.
    assert looking and looking[0] < first_t, looking[:3]
    # Gone once the hold ended, well before the set was found to have ended.
    end_t, end = ended[0]
    assert last_t <= end.end_ms + 250 < end_t
