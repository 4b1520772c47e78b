# AI Dojo — two commands on a fresh machine:
#   make start   set up .venv and launch JupyterLab on the course (offline model, no key needed)
#   make test    set up (incl. test tools and system packages) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export GRADIO_ANALYTICS_ENABLED := False
PYTEST_ARGS ?=

.PHONY: start start-trainer setup setup-test system-deps hub-deps hub test test-fast demo bench release doctor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip

# Reinstall only when pyproject.toml changes: a second `make start` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test,local]'
	@touch $@

setup: $(VENV)/.installed
	@$(BIN)/jupyter labextension list 2>&1 | grep -q "@jupyter/nbgrader.*enabled" || $(BIN)/jupyter labextension enable --sys-prefix @jupyter/nbgrader
	@$(BIN)/jupyter labextension list 2>&1 | grep -q "jupyterlab-manager.*enabled" || $(BIN)/jupyter labextension enable --sys-prefix @jupyter-widgets/jupyterlab-manager

setup-test: setup $(VENV)/.installed-test system-deps hub-deps

# configurable-http-proxy for the workshop server (aidojo hub), pinned in deploy/hub/package-lock.json.
HUB_PROXY := deploy/hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY): deploy/hub/package.json deploy/hub/package-lock.json
	npm ci --prefix deploy/hub --no-audit --no-fund --loglevel=error
	@touch $@

hub-deps: $(HUB_PROXY)

# System packages the tests need: Chromium (browser tests) and PostgreSQL (gradebook on a real server).
system-deps:
	@bash scripts/system-deps.sh

# JupyterLab in Japanese on the course; learners' view (no nbgrader instructor tools).
start: setup
	$(BIN)/aidojo lab --dir $(CURDIR)

# The same with nbgrader's instructor tools (Create Assignment, Formgrader) for trainers.
start-trainer: setup
	$(BIN)/aidojo lab --dir $(CURDIR) --trainer

# The workshop server: JupyterHub + the AI gateway (settings: ~/.aidojo/hub/hub.toml, docs/trainer/hub.md).
hub: setup system-deps hub-deps
	$(BIN)/aidojo hub

test: setup-test
	MPLBACKEND=Agg $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	MPLBACKEND=Agg $(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

demo: setup
	rm -rf out/demo && $(BIN)/aidojo demo --out out/demo

bench: setup-test
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

release: setup
	$(BIN)/aidojo release

doctor: setup
	$(BIN)/aidojo doctor

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
