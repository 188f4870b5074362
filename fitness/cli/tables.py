"""Plain-text tables for the terminal. A table of reps (or sets) takes its columns, headers and
units from the value's fields (:func:`fitness.engine.fields.columns`), like every other table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from fitness.engine.fields import Style, columns, reading_order
from fitness.engine.values import Rep, SetResult

# A terminal has room for the digits a person comparing reps wants.
TERMINAL: Final = Style(seconds=2, degrees=1, number=1, empty="-")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """A plain-text table; ``right[i]`` right-aligns column i (numbers)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
        return "  ".join(parts).rstrip() + "\n"

    return line(headers) + line(["-" * w for w in widths]) + "".join(line(r) for r in rows)


def field_table(value: type, items: Sequence[object]) -> str:
    """Every field of each item (a :class:`Rep`, a :class:`SetResult`), one line per item
    (numbers right-aligned, lists last)."""
    cols = reading_order(columns(value))
    headers = [TERMINAL.header(c) for c in cols]
    rows = [[TERMINAL.text(c, c.get(item)) for c in cols] for item in items]
    return format_table(headers, rows, [c.kind in ("int", "float") for c in cols])


def rep_table(reps: Sequence[Rep]) -> str:
    """Every field of each rep, one line per rep (numbers right-aligned, cues last)."""
    return field_table(Rep, reps)


def set_table(sets: Sequence[SetResult]) -> str:
    """A workout's sets: exercise, span, reps, rest before, time held, velocity loss, load."""
    return field_table(SetResult, sets)
