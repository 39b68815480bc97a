# Day-to-day commands. `make run` and `make test` are all a newcomer needs: they create the
# virtualenv, install the project and start whatever PostgreSQL/Redis is missing.
#
#   make test ARGS="tests/cases -x"   passes ARGS to pytest

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: install run test lint fmt migrate worker beat bench clean-data

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[dev,local]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m familysupport.devserver run

test: $(STAMP)
	$(PY) -m familysupport.devserver test $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m djlint templates --lint

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# migrate/worker/beat use DATABASE_URL and CELERY_BROKER_URL from the environment or .env
# (see .env.example); `make run` is the way to get embedded servers.
migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

worker: $(STAMP)
	$(PY) -m celery -A familysupport worker -l info --concurrency 2

beat: $(STAMP)
	mkdir -p .data
	$(PY) -m celery -A familysupport beat -l info --schedule .data/celerybeat-schedule

bench: $(STAMP)
	@if [ -f bench/run.py ]; then $(PY) bench/run.py $(ARGS); \
	else echo "bench/run.py does not exist yet"; fi

clean-data:
	rm -rf .data
