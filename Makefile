# LeadFlow Lab — the two commands a newcomer needs are `make lab` and `make test`.
# Both create .venv if it is missing and install the project into it first.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
START  := $(firstword $(wildcard notebooks/00_start_here.ipynb) notebooks)
PYTEST_ARGS ?=
# JupyterLab refuses to start as root (containers) unless told to.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The workshop game: one folder holds the whole game (a shared drive works).
GAME       ?= games/workshop
TEAMS      ?= red,blue,green,yellow
GAME_PORT  ?= 8866
CONSOLE_PORT ?= 8867
# The address players type: this machine's first network address (override GAME_HOST=...).
GAME_HOST  ?= $(or $(firstword $(shell hostname -I 2>/dev/null)),localhost)
GAME_ENV   := LEADFLOW_GAME_DIR="$(abspath $(GAME))" LEADFLOW_GAME_URL="http://$(GAME_HOST):$(GAME_PORT)"
# Each player's page costs a kernel: shut down kernels idle for an hour.
GAME_CULL  := --MappingKernelManager.cull_idle_timeout=3600 --MappingKernelManager.cull_interval=300

.PHONY: help install lab app game test test-fast bench lint clean

help:
	@echo "make lab    - set up .venv and open JupyterLab on the start-here notebook"
	@echo "make app    - set up .venv and open the scenario lab as an app (code hidden)"
	@echo "make game   - set up .venv and serve the workshop game (team pages + facilitator console)"
	@echo "make test   - set up .venv and run every test"
	@echo "make bench  - speed and memory benchmarks, printed as ratios"
	@echo "make lint   - ruff"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(GAME_ENV) $(VENV)/bin/jupyter lab $(LAB_FLAGS) $(START)

# The scenario lab as a web app: Voila runs the notebook and shows its outputs, never its code.
# APP_FLAGS=--no-browser for a server without a browser; --port=N for another port.
APP_FLAGS ?=
app: $(STAMP)
	$(VENV)/bin/voila --strip_sources=True --Voila.ip=127.0.0.1 $(APP_FLAGS) notebooks/06_scenario_lab.ipynb

# The workshop game: team pages for the room on GAME_HOST:GAME_PORT, the facilitator console on
# this machine only (127.0.0.1:CONSOLE_PORT). Creates the game in GAME with TEAMS if needed.
game: $(STAMP)
	@test -f "$(GAME)/game.yaml" || $(PY) -m sim game new "$(GAME)" --teams "$(TEAMS)"
	@$(GAME_ENV) $(PY) -m sim game links "$(GAME)"
	@echo "facilitator console: http://127.0.0.1:$(CONSOLE_PORT)/   (Ctrl+C stops both servers)"
	@$(GAME_ENV) $(VENV)/bin/voila notebooks/game/facilitator.ipynb --no-browser \
	    --strip_sources=True --Voila.ip=127.0.0.1 --port=$(CONSOLE_PORT) & console=$$!; \
	trap 'kill $$console 2>/dev/null' EXIT INT TERM; \
	$(GAME_ENV) $(VENV)/bin/voila notebooks/game/team.ipynb --no-browser --strip_sources=True \
	    --Voila.ip=0.0.0.0 --port=$(GAME_PORT) $(GAME_CULL)

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache out bench/results test-output
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
