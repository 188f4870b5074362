"""Group-mode bench: the mosaics it times on, and one short timed run that adds up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fitness.bench.multi import MOSAIC_CLIPS, SIZE, MultiBench, format_multi, make_mosaic, time_group
from fitness.cli import main
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
    # Both people are followed from the first frame: MultiPose then only counts who is in view,
    # once a second (on processed frames 0, 15 and 30 of 45); a Lightning crop per person on each.
    assert d["multipose_calls"] == 3
    assert 80 <= d["lightning_calls"] <= 95
    ms = d["ms_per_frame"]
    assert ms["multipose"] > 0 and ms["lightning"] > 0
    assert d["realtime_x"] == pytest.approx(timing.video_s / timing.wall_s, rel=0.01)
    table = format_multi(MultiBench((timing,), None, (None, None)))
    assert table.splitlines()[1].split()[:3] == ["2", "2", "90"]


@pytest.mark.slow
def test_fitness_bench_times_group_mode_and_holds_it_to_its_target(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    clip = data_dir / "videos/curl/curl_side_formfit.mp4"
    argv = ["bench", "--clip", str(clip), "--seconds", "2", "--variants", "lightning", "--runtimes", "litert"]
    code = main([*argv, "--soak-minutes", "0", "--no-analyze", "--group-people", "1,2", "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "group mode (analyze --people N on 1280x720 mosaics):" in text
    doc = json.loads(out.read_text())
    assert doc["config"]["group_people"] == [1, 2]
    group = doc["group"]
    assert [g["people"] for g in group["group"]] == [1, 2] and group["probe"] is None
    two = group["group"][1]
    assert two["people_found"] == 2 and two["frames"] == 60
    assert two["ms_per_frame"]["tracking"] > 0 and two["ms_per_frame"]["counting"] > 0
    assert two["cpu_realtime_x"] == pytest.approx(
        two["video_s"] / (two["cpu_s_per_video_s"] * two["video_s"]), rel=0.02
    )
    targets = doc["targets"]
    assert targets["group analyze x real time (2 people, 720p)"]["value"] == pytest.approx(two["realtime_x"], abs=0.01)
    assert targets["group analyze x real time (2 people, 720p)"]["target"] == ">= 2x"
    assert targets["group analyze x real time per CPU s"]["value"] == pytest.approx(two["cpu_realtime_x"], abs=0.01)
