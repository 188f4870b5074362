"""Local calendar days over UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from fitness.store.localtime import since_to_utc


def test_since_means_local_midnight() -> None:
    tz = timezone(timedelta(hours=2))
    assert since_to_utc(date(2024, 3, 2), tz) == datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
    assert since_to_utc(datetime(2024, 3, 2, 12, tzinfo=UTC)) == datetime(2024, 3, 2, 12, tzinfo=UTC)
    assert since_to_utc(None) is None
