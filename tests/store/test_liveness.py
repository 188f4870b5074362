"""Who may still be recording a session: the owner rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fitness.store.liveness import Owner, owner_is_alive


def test_owner_is_alive_rules() -> None:
    me = Owner("here", 100, "boot:1")
    now = datetime(2024, 1, 1, tzinfo=UTC)

    def probe(pid: int) -> str | None:
        return {100: "boot:1", 200: "boot:7", 300: ""}.get(pid)

    def alive(host: str | None, pid: int | None, tag: str | None, beat: datetime | None = now) -> bool:
        return owner_is_alive(host, pid, tag, beat, me=me, now=now, probe=probe)

    assert alive("here", 100, "boot:1")
    assert not alive("here", 200, "boot:1")  # same pid number, a different process
    assert not alive("here", 400, "boot:1")  # no such process
    assert alive("here", 300, "boot:1")  # the OS cannot tell more than "it exists"
    assert not alive(None, None, None)  # recorded before owners existed
    assert alive("there", 1, "x", now - timedelta(minutes=5))
    assert not alive("there", 1, "x", now - timedelta(hours=3))
