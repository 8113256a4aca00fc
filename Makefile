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
# Where the room door listens: every network of this machine, so that the players' phones and
# laptops on the room's network reach it. GAME_BIND=127.0.0.1 keeps it on this machine only.
GAME_BIND  ?= 0.0.0.0
# For the facilitator notebook opened in JupyterLab (make lab): the game folder and room address.
GAME_ENV   := LEADFLOW_GAME_DIR="$(abspath $(GAME))" LEADFLOW_GAME_URL="http://$(GAME_HOST):$(GAME_PORT)"

.PHONY: help install lab app game test test-fast bench lint clean

help:
	@echo "make lab    - set up .venv and open JupyterLab on the start-here notebook"
	@echo "make app    - set up .venv and open the scenario lab as an app (code hidden)"
	@echo "make game   - set up .venv and serve the workshop game (team pages + facilitator console)"
	@echo "make test   - set up .venv and run every test"
	@echo "make bench  - speed and memory benchmarks, printed as ratios"
	@echo "make lint   - ruff: style, complexity, naming and docstrings (make test runs it first)"

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

# The workshop game, served by one process: the room door on GAME_BIND:GAME_PORT (players open
# their team's link or type their join code at http://GAME_HOST:GAME_PORT/) and the facilitator
# console on this machine only (127.0.0.1:CONSOLE_PORT). Creates the game in GAME with TEAMS if
# needed; the server prints every team's and role's link and join code, then the room, console
# and presenter links, each once (`python -m sim game links GAME` prints the table again).
game: $(STAMP)
	@test -f "$(GAME)/game.yaml" || $(PY) -m sim game new "$(GAME)" --teams "$(TEAMS)"
	@$(PY) -m sim game serve "$(GAME)" --links --host $(GAME_BIND) --port $(GAME_PORT) \
	    --console-port $(CONSOLE_PORT) --url http://$(GAME_HOST):$(GAME_PORT)

# The linter first (style, complexity, naming, docstrings: pyproject.toml), then every test.
test: $(STAMP) lint
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
