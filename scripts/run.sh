#!/usr/bin/env bash
# Serve the demo: migrate, load the demo company, start the worker and the web server.
# The worker (imports, notifications, periodic sweeps) stops with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
uv run --quiet python manage.py migrate --no-input
uv run --quiet propdesk demo
uv run --quiet python manage.py run_huey --quiet &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
uv run --quiet python manage.py runserver 127.0.0.1:8000
