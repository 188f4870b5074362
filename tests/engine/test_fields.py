"""A value's fields as columns: order, kinds, computed values, and the mistakes refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from fitness.engine.fields import Style, about, columns, computed, reading_order, stored_columns
from fitness.engine.values import Rep


def test_rep_columns_in_order_with_the_duration_after_the_end() -> None:
    names = [c.name for c in columns(Rep)]
    assert names == [
        "index", "start_ms", "bottom_ms", "end_ms", "duration_ms", "min_angle", "max_angle", "rom_deg",
        "eccentric_ms", "concentric_ms", "verdict", "cues", "side",
    ]  # fmt: skip
    kinds = {c.name: c.kind for c in columns(Rep)}
    assert (kinds["index"], kinds["min_angle"], kinds["verdict"], kinds["cues"], kinds["side"]) == (
        "int",
        "float",
        "choice",
        "list",
        "text",
    )
    verdict = next(c for c in columns(Rep) if c.name == "verdict")
    assert verdict.choices == ("good", "needs_work")
    assert [c.name for c in stored_columns(Rep)] == [n for n in names if n != "duration_ms"]
    assert [c.name for c in reading_order(columns(Rep))][-2:] == ["side", "cues"]


def test_a_computed_value_reads_like_a_property() -> None:
    rep = Rep(1, 100, 600, 1700, 80.0, 170.0, 90.0, 500, 600, "good")
    assert rep.duration_ms == 1600
    duration = next(c for c in columns(Rep) if c.name == "duration_ms")
    assert duration.computed and duration.get(rep) == 1600 and duration.info.unit == "ms"


def test_a_field_without_a_label_is_refused() -> None:
    @dataclass(frozen=True)
    class Unlabelled:
        a: int = field(metadata=about("A"))
        b: int = 0

    with pytest.raises(TypeError, match=r"^Unlabelled.b has no label: declare it with field\(metadata=about"):
        columns(Unlabelled)


def test_text_needs_a_length_and_odd_types_are_refused() -> None:
    @dataclass(frozen=True)
    class Words:
        word: str = field(metadata=about("Word"))

    @dataclass(frozen=True)
    class Odd:
        when: complex = field(metadata=about("When"))

    with pytest.raises(TypeError, match=r"^Words.word holds text: give it a max_len$"):
        columns(Words)
    with pytest.raises(TypeError, match=r"^Odd.when: cannot store a field of type"):
        columns(Odd)


def test_a_computed_value_must_follow_a_field() -> None:
    @dataclass(frozen=True)
    class Lost:
        a: int = field(metadata=about("A"))

        @computed("B", after="nowhere")
        def b(self) -> int:
            return self.a

    with pytest.raises(TypeError, match=r"^Lost.b comes after 'nowhere', which is not a field$"):
        columns(Lost)


def test_styles_write_units_and_words() -> None:
    @dataclass(frozen=True)
    class Sample:
        t_ms: int = field(metadata=about("Time", "ms"))
        angle: float = field(metadata=about("Angle", "deg"))
        ratio: float = field(metadata=about("Ratio"))
        mood: Literal["fine", "needs_rest"] = field(metadata=about("Mood", max_len=20))
        notes: tuple[str, ...] = field(metadata=about("Notes", max_len=50))

    sample = Sample(1234, 87.65, 0.456, "needs_rest", ())
    cols = columns(Sample)
    compact, detailed = Style(), Style(seconds=2, degrees=1, number=2, empty="-")
    assert [compact.header(c) for c in cols] == ["Time (s)", "Angle (°)", "Ratio", "Mood", "Notes"]
    assert [compact.text(c, c.get(sample)) for c in cols] == ["1.2", "88", "0.5", "needs rest", "—"]
    assert [detailed.text(c, c.get(sample)) for c in cols] == ["1.23", "87.7", "0.46", "needs rest", "-"]
    assert cols[-1].csv_value(("a", "b")) == "a; b" and cols[-1].item == "note"
