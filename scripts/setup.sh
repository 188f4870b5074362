#!/usr/bin/env bash
# Set up everything the app (``setup.sh app``) or the test suite (``setup.sh test``) needs:
# Debian packages, the .venv with the project installed, and the MoveNet model cache.
# Safe to re-run: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"

need_apt=()
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium fonts-dejavu-core)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: creating .venv and installing the project (first run takes a few minutes)"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -m pip install -q -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c 'import fitness, cv2, ai_edge_litert, streamlit, sqlalchemy' # fail loudly if the install did not work
  rm -f .venv/.installed-*
  touch "$stamp"
fi

echo "setup: checking the MoveNet model cache"
.venv/bin/fitness models fetch --variant all
