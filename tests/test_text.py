"""Counts and durations read the same everywhere."""

from __future__ import annotations

import pytest

from fitness.text import clock, escape_markdown, plural


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 reps"), (1, "1 rep"), (2, "2 reps"), (-1, "-1 reps"), (11, "11 reps")]
)
def test_plural(count: int, expected: str) -> None:
    assert plural(count, "rep") == expected


def test_plural_irregular() -> None:
    assert plural(1, "person", "people") == "1 person"
    assert plural(2, "person", "people") == "2 people"


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0, "0:00"), (0.4, "0:00"), (59.6, "1:00"), (61, "1:01"), (3599, "59:59"), (-3, "0:00")]
)
def test_clock(seconds: float, expected: str) -> None:
    assert clock(seconds) == expected


def test_escape_markdown_keeps_the_words_and_disarms_the_markup() -> None:
    assert escape_markdown("Go lower") == "Go lower"
    assert escape_markdown("Knees out: *wider* [now]") == "Knees out\\: \\*wider\\* \\[now\\]"
    assert escape_markdown("$5 <b>") == "\\$5 \\<b\\>"
