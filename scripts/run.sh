#!/usr/bin/env bash
# Serve the demo: bring the database to the current schema (an empty one is made at once from
# the models, any other is migrated: core.schema), load the demo company, start the worker and
# the web server.
# Their logs go to var/ (the worker writes every SMS and e-mail it sends there); the terminal
# ends with the logins once the server answers. The worker stops with the server (Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
port="${PORT:-8000}"
mkdir -p var
uv run --quiet python manage.py setup_database >var/migrate.log 2>&1 || {
  cat var/migrate.log
  exit 1
}
echo "Loading the demo company (well under a minute on an idle machine)…"
logins=$(uv run --quiet propdesk demo 2>>var/demo.log) || {
  cat var/demo.log
  exit 1
}
uv run --quiet python manage.py run_huey --quiet >>var/worker.log 2>&1 &
worker=$!
uv run --quiet python manage.py runserver "127.0.0.1:$port" --noreload >>var/server.log 2>&1 &
server=$!
trap 'kill "$worker" "$server" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.5
done
echo
echo "Logs: var/server.log (web server), var/worker.log (worker: messages sent, sweeps)."
echo "$logins" | sed "s#127.0.0.1:8000#127.0.0.1:$port#g"
wait "$server"
