"""CSV export of the history, one row per rep.

Every test gets an empty database of its own (a new file, or a new schema on the PostgreSQL server).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.errors import OutputPathError
from fitness.store.export import CSV_COLUMNS
from fitness.store.store import SessionStore


def test_export_csv(store: SessionStore, charted: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "reps.csv"
    assert store.export_csv(out, profile="ann") == 6
    lines = out.read_text().splitlines()
    assert lines[0].split(",") == CSV_COLUMNS
    assert lines[1].startswith(
        f"{charted['s1']},ann,squat,live,lightning,,2024-03-01T09:00:00+00:00,completed,1,0,800,1500,1500,"
    )
    assert lines[3].endswith(",needs_work,Go lower; Chest up,left")
    with pytest.raises(OutputPathError, match="already exists"):
        store.export_csv(out)
    assert store.export_csv(out, overwrite=True) == 7
    with pytest.raises(OutputPathError, match="does not exist"):
        store.export_csv(tmp_path / "missing" / "x.csv")
