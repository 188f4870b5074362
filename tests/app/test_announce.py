"""Beeps, spoken cues and the camera check: when they happen and what the browser gets."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

from fitness.app.announce import Announcement, Announcer, announcement_html, camera_check_html, static_text
from fitness.app.live_state import LiveSnapshot


def test_announcer_beeps_once_per_new_rep_and_not_for_old_ones() -> None:
    announcer = Announcer()

    def snap(reps: int, session: int = 1, cue: str | None = None) -> LiveSnapshot:
        return LiveSnapshot(armed=True, session_id=session, started_at=1.0, reps=reps, cue=cue)

    assert announcer.update(snap(3), 0, beep=True, speak=True) is None  # reps counted before we looked
    item = announcer.update(snap(4), 1, beep=True, speak=True)
    assert item is not None and item.beep and item.say is None
    assert announcer.update(snap(4), 2, beep=True, speak=True) is None
    said = announcer.update(snap(4, cue="Go lower"), 3, beep=True, speak=True)
    assert said is not None and said.say == "Go lower" and not said.beep and said.event_id > item.event_id
    assert said.key != item.key and Announcer().token != announcer.token
    assert announcer.update(snap(4, cue="Go lower"), 4, beep=True, speak=False) is None
    assert announcer.update(snap(5), 5, beep=False, speak=True) is None
    # A new set starts from its own count.
    assert announcer.update(snap(0, session=2), 6, beep=True, speak=True) is None
    assert announcer.update(snap(1, session=2), 7, beep=True, speak=True) is not None
    # Nothing once the set has ended.
    ended = LiveSnapshot(armed=False, session_id=2, started_at=1.0, ended_at=2.0, reps=2)
    assert announcer.update(ended, 8, beep=True, speak=True) is None


def test_announcement_html_plays_once_and_escapes_text() -> None:
    page = announcement_html(Announcement(7, beep=True, say='Say "hi" </script>', stream="abc"))
    assert "fitness-announce-abc-7" in page and "speechSynthesis" in page
    assert page.count("</script>") == 1  # the cue cannot close the script early
    assert '"Say \\"hi\\" \\u003c/script>"' in page


def test_an_announcement_carries_its_data_to_the_packaged_script() -> None:
    page = announcement_html(Announcement(1, beep=False, say=None, stream="s"))
    assert '{"key": "fitness-announce-s-1", "beep": false, "say": ""}' in page
    assert static_text("announce.js") in page  # the script itself comes from the file, unchanged
    assert page.startswith("<script>") and page.endswith("</script>")


def test_the_camera_check_is_the_packaged_page() -> None:
    page = camera_check_html()
    assert page == static_text("camera_check.html")
    assert 'id="camera-check"' in page and "enumerateDevices" in page
    for problem in ("No camera found", "Camera access is blocked", "blocks cameras on this address"):
        assert problem in page


def test_the_browser_snippets_ship_in_the_wheel(tmp_path: Path) -> None:
    """importlib.resources finds them in an installed package only if they are package data."""
    repo = Path(__file__).resolve().parents[2]
    src = tmp_path / "src"  # a copy: building writes build/ and *.egg-info beside the sources
    shutil.copytree(repo / "fitness", src / "fitness", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(repo / "exercises", src / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, src / name)
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)]
    proc = subprocess.run([*build, str(src)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    static = resources.files("fitness.app").joinpath("static")
    names = sorted(f"fitness/app/static/{item.name}" for item in static.iterdir())
    assert names == ["fitness/app/static/announce.js", "fitness/app/static/camera_check.html"]
    assert set(names) <= shipped
