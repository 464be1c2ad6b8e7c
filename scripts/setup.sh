#!/usr/bin/env bash
# Installs everything sohoa needs on a Debian machine that has Python 3.11:
# system packages (when root), a virtual environment in .venv, and sohoa with pinned dependencies.
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie poppler-utils
              fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf
              chromium postgresql)
PYTHON=${PYTHON:-python3}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "sohoa setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "sohoa setup: missing system packages: ${missing[*]}" >&2
    echo "  install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
fi

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "sohoa setup: Python 3.11 is required ($PYTHON is $("$PYTHON" --version 2>&1))." >&2
  echo "  set PYTHON=/path/to/python3.11 and run again" >&2
  exit 3
fi

if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then  # Debian splits venv out
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq python3-venv >/dev/null
  else
    echo "sohoa setup: Python's venv module is missing: sudo apt-get install -y python3-venv" >&2
    exit 3
  fi
fi

stamp=.venv/.sohoa-installed
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "sohoa setup: installing Python packages into .venv (pinned by requirements.lock)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -c requirements.lock -e '.[test]'
  echo "$want" > "$stamp"
fi
