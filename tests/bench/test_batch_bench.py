"""The arithmetic of ``fitness bench --batch``: ratios, targets and the capacity estimate."""

from __future__ import annotations

import pytest

from fitness.bench.batch import BatchBench, Lap


def lap(name: str, workers: int, wall: float, work: float, cpu: float, *, video: float = 600.0) -> Lap:
    return Lap(name, workers, wall, work, cpu, video, 20, 50.0, (1.0, 1.0, 1.0))


def test_targets_compare_whole_runs_and_the_best_of_each_lap() -> None:
    bench = BatchBench(
        {},
        ("m.csv",),
        (
            lap("sequential", 1, 120.0, 118.0, 115.0),
            lap("ray-1", 1, 130.0, 124.0, 117.0),
            lap("ray-1", 1, 150.0, 140.0, 118.0),  # a slower second round: the best one counts
            lap("ray-2", 2, 70.0, 64.0, 120.0),
        ),
    )
    targets = bench.targets()
    assert targets["two_workers_speedup"].value == pytest.approx(130.0 / 70.0)
    assert targets["two_workers_speedup"].met is True
    assert targets["ray_overhead"].value == pytest.approx(130.0 / 120.0 - 1.0)
    assert targets["ray_overhead"].met is True
    steady = bench.steady()
    assert steady["two_workers_speedup"] == pytest.approx(124.0 / 64.0)
    assert steady["ray_overhead"] == pytest.approx(124.0 / 118.0 - 1.0)


def test_capacity_from_the_two_worker_lap() -> None:
    bench = BatchBench({}, (), (lap("ray-2", 2, 70.0, 60.0, 120.0, video=600.0),))
    cap = bench.capacity()
    assert cap["video_h_per_core_h_cpu"] == pytest.approx(600.0 / 120.0)
    assert cap["video_h_per_core_h_wall"] == pytest.approx(600.0 / 60.0 / 2)
    assert cap["cores_for_10000_h_day"] == pytest.approx(10_000 / 24 / 5.0)
    assert bench.targets()["ray_overhead"].met is None  # not measured without the other laps
    doc = bench.to_dict()
    assert doc["capacity"]["cores_for_10000_h_day"] == pytest.approx(83.33)
    assert doc["laps"][0]["real_time_x"] == pytest.approx(600 / 70, abs=0.01)
