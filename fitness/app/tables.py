"""Tables of reps and sets for the pages (pandas frames; the pages show them).

Columns, headers and units come from the rep's fields (:func:`fitness.engine.fields.columns`):
a field added to :class:`~fitness.engine.values.Rep` appears in :func:`rep_table` by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from fitness.engine.fields import Column, Style, columns, reading_order
from fitness.engine.values import PartialRep, Rep, SetResult

# Compact: a glance at a set needs tenths of a second and whole degrees.
APP_STYLE: Final = Style(seconds=1, degrees=0, number=1, empty="—")
# The live panel has room for what a person acts on between reps.
LIVE_FIELDS: Final = ("verdict", "rom_deg", "eccentric_ms", "concentric_ms", "cues")
# The rep table a page shows first: when, how deep, how fast, what to fix. It must fit a phone
# (390 px) without hiding the cues; every field is one click away (:func:`rep_table`).
SUMMARY_FIELDS: Final = ("start_ms", "verdict", "rom_deg", "eccentric_ms", "concentric_ms", "cues")


def _index(reps: Sequence[Rep]) -> pd.Index:
    by_name = {c.name: c for c in columns(Rep)}
    return pd.Index([rep.index for rep in reps], name=APP_STYLE.header(by_name["index"]))


def _frame(reps: Sequence[Rep], cols: Sequence[Column]) -> pd.DataFrame:
    data = {APP_STYLE.header(c): [APP_STYLE.text(c, c.get(rep)) for rep in reps] for c in cols}
    return pd.DataFrame(data, index=_index(reps))


def rep_table(reps: Sequence[Rep]) -> pd.DataFrame:
    """Every field of each rep, one row per rep (the rep number as the index, cues last)."""
    return _frame(reps, [c for c in reading_order(columns(Rep)) if c.name != "index"])


def recent_reps_frame(reps: Sequence[Rep]) -> pd.DataFrame:
    """The live panel's table: :data:`LIVE_FIELDS` of the last reps."""
    by_name = {c.name: c for c in columns(Rep)}
    return _frame(reps, [by_name[name] for name in LIVE_FIELDS])


def summary_table(reps: Sequence[Rep]) -> pd.DataFrame:
    """The reps at a glance: :data:`SUMMARY_FIELDS`."""
    by_name = {c.name: c for c in columns(Rep)}
    return _frame(reps, [by_name[name] for name in SUMMARY_FIELDS])


def partial_table(partials: Sequence[PartialRep]) -> pd.DataFrame:
    """Movements that turned back before they counted: when, how much of the way, and why."""
    return pd.DataFrame(
        {
            "Start (s)": [f"{p.start_ms / 1000:.{APP_STYLE.seconds}f}" for p in partials],
            "Of the way": [f"{p.share:.0%}" for p in partials],
            "Why not counted": ["; ".join(str(c) for c in p.cues) or APP_STYLE.empty for p in partials],
        }
    )


def set_table(sets: Sequence[SetResult]) -> pd.DataFrame:
    """Every field of each set (exercise, span, reps, rest before, time held, velocity loss,
    load), one row per set, the set number as the index."""
    cols = [c for c in reading_order(columns(SetResult)) if c.name != "index"]
    index_col = next(c for c in columns(SetResult) if c.name == "index")
    data = {APP_STYLE.header(c): [APP_STYLE.text(c, c.get(s)) for s in sets] for c in cols}
    return pd.DataFrame(data, index=pd.Index([s.index for s in sets], name=APP_STYLE.header(index_col)))
