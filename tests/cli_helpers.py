"""Running the ``fitness`` CLI in-process and checking its one-line errors."""

from __future__ import annotations

import pytest

from fitness.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``fitness ARGV...``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    """The single ``fitness: error: ...`` line; fails on tracebacks or multi-line output."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {err!r}"
    assert "Traceback" not in err
    assert lines[0].startswith("fitness: error: ")
    return lines[0]
