"""The app's settings: ``FITNESS_ICE_SERVERS``, and Streamlit's as ``streamlit run`` reads them
from the repository root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fitness.app.config import parse_ice_servers

REPO = Path(__file__).resolve().parents[2]

READ_CONFIG = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
names = ("runner.postScriptGC", "server.maxUploadSize", "browser.gatherUsageStats")
print(json.dumps({name: config.get_option(name) for name in names}))
"""


def test_the_settings_the_live_page_and_the_upload_cap_depend_on() -> None:
    # A fresh interpreter in the repository root, as `make app` starts the app: Streamlit
    # reads ./.streamlit/config.toml from the working directory.
    out = subprocess.run(
        [sys.executable, "-c", READ_CONFIG], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    options = json.loads(out.stdout.strip().splitlines()[-1])
    # A full gc.collect() after each of the live panel's twice-a-second runs held the GIL for
    # ~70 ms and cost the webcam callback about 10% of its frames.
    assert options["runner.postScriptGC"] is False
    assert options["server.maxUploadSize"] == 200  # the cap the Analyse page shows
    assert options["browser.gatherUsageStats"] is False  # offline: nothing phones home


def test_parse_ice_servers() -> None:
    assert parse_ice_servers(None) == []
    assert parse_ice_servers("  ") == []
    servers = parse_ice_servers('[{"urls": ["stun:stun.example.org:3478"]}]')
    assert servers == [{"urls": ["stun:stun.example.org:3478"]}]
    assert parse_ice_servers('{"urls": "turn:t.example.org", "username": "u", "credential": "c"}')[0]["username"] == "u"
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_ice_servers("[{")
    with pytest.raises(ValueError, match="JSON list like"):
        parse_ice_servers('["stun:x"]')
