"""``--pose-fps`` / ``--every-frame`` on the commands that analyse videos: the default rate, 0 and
``--every-frame`` for every frame, one-line errors for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness.cli import build_parser
from fitness.pipeline.video_analysis import POSE_FPS
from tests.cli_helpers import run_cli

COMMANDS = (["analyze", "clip.mp4"], ["eval", "manifest.csv"], ["batch", "videos/"])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_the_default_rate_and_how_to_ask_for_every_frame(command: list[str]) -> None:
    def parsed(*extra: str) -> float | None:
        argv = [*command, *extra]
        rate: float | None = build_parser(argv).parse_args(argv).pose_fps
        return rate

    assert parsed() == POSE_FPS == 15.0
    assert parsed("--pose-fps", "10") == 10.0
    assert parsed("--pose-fps", "0") is None
    assert parsed("--every-frame") is None


@pytest.mark.parametrize("value", ["-1", "fast", "inf", "nan"])
def test_a_rate_that_is_not_one_is_a_one_line_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, "analyze", "clip.mp4", "--pose-fps", value)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and len(err.strip().splitlines()) == 1
    assert f"expected 0 (every frame) or a positive frame rate, got {value!r}" in err


def test_both_at_once_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run_cli(capsys, "analyze", str(tmp_path / "clip.mp4"), "--pose-fps", "15", "--every-frame")
    assert "not allowed with argument" in capsys.readouterr().err
