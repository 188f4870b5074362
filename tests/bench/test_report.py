"""Targets: met, missed, or not measured."""

from __future__ import annotations

from fitness.bench.report import Target


def test_targets() -> None:
    assert Target("fps", 31.0, 30.0).met is True
    assert Target("p95", 41.0, 40.0, higher_is_better=False).met is False
    assert Target("none", None, 1.0).met is None
    # The limit itself meets the target either way.
    assert Target("fps", 30.0, 30.0).met is True
    assert Target("p95", 40.0, 40.0, higher_is_better=False).met is True
