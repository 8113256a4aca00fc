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

.PHONY: help install lab app test test-fast bench lint clean

help:
	@echo "make lab    - set up .venv and open JupyterLab on the start-here notebook"
	@echo "make app    - set up .venv and open the scenario lab as an app (code hidden)"
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
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) $(START)

# The scenario lab as a web app: Voila runs the notebook and shows its outputs, never its code.
# APP_FLAGS=--no-browser for a server without a browser; --port=N for another port.
APP_FLAGS ?=
app: $(STAMP)
	$(VENV)/bin/voila --strip_sources=True --Voila.ip=127.0.0.1 $(APP_FLAGS) notebooks/06_scenario_lab.ipynb

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache out bench/results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
