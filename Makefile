# propdesk: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV := uv run --quiet

.PHONY: setup run test test-fast lint migrate demo worker messages bench

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh

test: setup lint
	$(UV) python manage.py makemigrations --check --dry-run --settings=propdesk.settings_test
	$(UV) pytest -n 2 --dist loadfile

lint:
	$(UV) ruff check .
	$(UV) ruff format --check .
	$(UV) lint-imports

worker:
	DEBUG=1 $(UV) python manage.py run_huey

messages:
	$(UV) python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=bench
	$(UV) python manage.py compilemessages --ignore=.venv --ignore=node_modules
