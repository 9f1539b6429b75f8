#!/usr/bin/env bash
# Install everything propdesk needs on a fresh Debian machine with Python 3.11, Node/npm and make:
# system packages for browser tests and PDFs, the pinned Python and npm dependencies, and the
# vendored front-end files. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing system packages: ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "Installing uv"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --locked --quiet

npm ci --no-audit --no-fund --loglevel=error 2>&1 | grep -v 'Unknown user config' || true
vendor=propdesk/static/vendor
mkdir -p "$vendor"
# Each file with the source map it names: collectstatic's manifest refuses a missing map.
cp node_modules/bootstrap/dist/css/bootstrap.min.css{,.map} "$vendor/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js{,.map} "$vendor/"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/"
cp node_modules/echarts/dist/echarts.min.js "$vendor/"

DEBUG=1 uv run --quiet python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
# The text assistant's model, built from the labelled messages in the repository (cached by their
# checksum under var/assistant/; a few seconds, then loaded in milliseconds).
DEBUG=1 uv run --quiet python manage.py assistant_train --base >/dev/null
