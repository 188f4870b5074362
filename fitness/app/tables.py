"""Tables of reps for the pages (pandas frames; the pages show them)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from fitness.app.common import VERDICT_LABEL
from fitness.engine.values import Rep

log = logging.getLogger("fitness.app")

def recent_reps_frame(reps: Sequence[Rep]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Verdict": [VERDICT_LABEL.get(r.verdict, r.verdict) for r in reps],
            "Range": [f"{r.rom_deg:.0f}°" for r in reps],
            "Tempo (down/up)": [f"{r.eccentric_ms / 1000:.1f} / {r.concentric_ms / 1000:.1f} s" for r in reps],
            "Cues": ["; ".join(r.cues) or "—" for r in reps],
        },
        index=pd.Index([r.index for r in reps], name="Rep"),
    )



def rep_table(reps: Sequence[Rep]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Start (s)": [f"{r.start_ms / 1000:.1f}" for r in reps],
            "End (s)": [f"{r.end_ms / 1000:.1f}" for r in reps],
            "Angle min–max": [f"{r.min_angle:.0f}–{r.max_angle:.0f}°" for r in reps],
            "Range": [f"{r.rom_deg:.0f}°" for r in reps],
            "Down / up (s)": [f"{r.eccentric_ms / 1000:.1f} / {r.concentric_ms / 1000:.1f}" for r in reps],
            "Verdict": [VERDICT_LABEL.get(r.verdict, r.verdict) for r in reps],
            "Cues": ["; ".join(r.cues) or "—" for r in reps],
        },
        index=pd.Index([r.index for r in reps], name="Rep"),
    )


