# Backend Mentor — `make run` starts the bot (live with DISCORD_TOKEN, else the offline
# sandbox console); `make test` runs the whole suite on SQLite and PostgreSQL (an embedded
# one when no server answers). Dependencies come from the hashed lock files; `make lock`
# regenerates them from pyproject.toml (`make lock LOCK_FLAGS=--upgrade` to take new releases).
# `make lint` runs ruff, mypy --strict (configured in pyproject.toml) and hadolint.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCKS  := requirements.lock requirements-dev.lock
LOCK_FLAGS ?=
COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_FLAGS)

.PHONY: install lock run test lint format bench clean

$(STAMP): pyproject.toml $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# requirements.lock: what the bot runs on (the Docker image installs only this);
# requirements-dev.lock: the same versions plus the test and lint tools (what `make` installs).
lock: $(STAMP)
	$(COMPILE) -o requirements.lock
	$(COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock

run: $(STAMP)
	$(PY) -m bot start

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/hadolint Dockerfile

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) -m bench.interactions

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
