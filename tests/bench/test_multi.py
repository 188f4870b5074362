"""Group-mode bench: the mosaics it times on, and one short timed run that adds up."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.bench.multi import MOSAIC_CLIPS, SIZE, MultiBench, format_multi, make_mosaic, time_group
from fitness.pipeline.video_io import open_video


@pytest.mark.slow
def test_two_person_mosaic_is_timed_against_real_time(data_dir: Path, tmp_path: Path) -> None:
    video = make_mosaic([data_dir / c for c in MOSAIC_CLIPS[:2]], tmp_path / "m2.mp4", seconds=3.0)
    with open_video(video) as v:
        assert (v.width, v.height) == SIZE
    timing = time_group(video, 2)
    d = timing.to_dict()
    assert d["people"] == 2 and d["people_found"] == 2
    assert d["frames"] == 90 and d["video_s"] == pytest.approx(3.0)
    # MultiPose on every 3rd of the 45 processed frames, a Lightning crop per person on each.
    assert d["multipose_calls"] == 15
    assert 80 <= d["lightning_calls"] <= 95
    ms = d["ms_per_frame"]
    assert ms["multipose"] > 0 and ms["lightning"] > 0
    assert d["realtime_x"] == pytest.approx(timing.video_s / timing.wall_s, rel=0.01)
    table = format_multi(MultiBench((timing,), None, (None, None)))
    assert table.splitlines()[1].split()[:3] == ["2", "2", "90"]
