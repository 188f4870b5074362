"""Beeps, spoken cues and the camera check: when they happen and what the browser gets."""

from __future__ import annotations

from fitness.app.announce import Announcement, Announcer, announcement_html
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
