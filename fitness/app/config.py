"""The app's settings from the environment (read by the pages, checked here)."""

from __future__ import annotations

import json
from typing import Any


def parse_ice_servers(raw: str | None) -> list[dict[str, Any]]:
    """``FITNESS_ICE_SERVERS`` (JSON list of RTCIceServer dicts) -> the list; none by default.

    An empty list keeps WebRTC on the local network: no STUN request leaves the machine, which
    is what localhost needs and what works offline.
    """
    if raw is None or not raw.strip():
        return []
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"FITNESS_ICE_SERVERS is not valid JSON: {exc.msg} (at character {exc.pos})") from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) and "urls" in v for v in value):
        raise ValueError('FITNESS_ICE_SERVERS must be a JSON list like [{"urls": ["stun:stun.example.org:3478"]}]')
    return value
