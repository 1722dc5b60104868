# Two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
RASA := $(BIN)/rasa
UV_VERSION := 0.13.8
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning

# What the model is trained from: a change here (and only here) retrains. The red-flag component
# (bot/triage) is not trainable and stores nothing in the model, so its code is read at run time.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml')
MODEL := models/current.tar.gz

.PHONY: help setup run test train validate directory nlu-gate pytest story-test lock clean

help:
	@echo "make run    set up, load the directory, train if needed, start the assistant"
	@echo "make test   set up, validate data, train if needed, run pytest and story tests"

# --- setup: a Python $(PYTHON_VERSION) venv with the locked dependencies, redone only when the lock changes
$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v python$(basename $(PYTHON_VERSION)) >/dev/null || { \
		echo "Python $(basename $(PYTHON_VERSION)) is required (pyenv install $(PYTHON_VERSION))" >&2; exit 1; }
	@test -x $(PY) || python$(basename $(PYTHON_VERSION)) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

# --- bytecode for every installed module, written once: uv does not write it, and where
# PYTHONDONTWRITEBYTECODE is set (as on this project's machines) Python never does, so each start
# compiled Rasa, TensorFlow and scikit-learn from source again: 7 of the Rasa server's 13 s
# (py-spy of `python -m bot run`; README, "Start-up").
$(VENV)/.compiled: $(VENV)/.installed
	$(PY) -m compileall -q -j 0 $(VENV)/lib/python$(basename $(PYTHON_VERSION))/site-packages
	@touch $@

# --- the web page's front-end: nhsuk-frontend from npm, built into a git-ignored vendor/ folder,
# redone only when package-lock.json or the Sass entry changes
NHSUK_DIST := node_modules/nhsuk-frontend/dist/nhsuk
VENDOR := bot/web/static/vendor

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 18+ with npm is required (apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

$(VENDOR)/.built: node_modules/.installed bot/web/static/nhsuk.scss
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/nhsuk
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
		bot/web/static/nhsuk.scss $(VENDOR)/nhsuk/nhsuk-frontend.css
	cp -R $(NHSUK_DIST)/assets $(VENDOR)/nhsuk/
	cp $(NHSUK_DIST)/nhsuk-frontend.min.js $(NHSUK_DIST)/nhsuk-frontend.min.js.map $(VENDOR)/nhsuk/
	@! grep -Eo 'https?://[^")]*' $(VENDOR)/nhsuk/nhsuk-frontend.css || { \
		echo "$(VENDOR)/nhsuk/nhsuk-frontend.css names a remote URL: the page must make no third-party request" >&2; exit 1; }
	@touch $@

# --- Debian's Chromium for the browser tests (Playwright drives it; a browser download is not used).
# The binary is the stamp: installed once, and again only if it disappears.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { \
		echo "Chromium is needed at $(CHROMIUM) for the browser tests: install it, or run make with CHROMIUM=/path/to/chromium" >&2; exit 1; }
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
	@test -x $@

setup: $(VENV)/.compiled $(VENDOR)/.built $(CHROMIUM)

lock: $(VENV)/.installed
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.10 -o requirements.lock

# --- data and model
directory: setup
	$(PY) -m bot directory load

validate: setup
	$(RASA) data validate --fail-on-warnings > var/validate.log 2>&1 || { cat var/validate.log; exit 1; }
	@echo "rasa data validate: clean"

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	@echo "Training the model (about 2 minutes; log in var/train.log)..."
	$(RASA) train --fixed-model-name current > var/train.log 2>&1 || { tail -50 var/train.log; exit 1; }
	@touch $@

train: $(MODEL)

# --- the two commands
run: setup directory train
	@$(PY) -m compileall -q bot actions
	$(PY) -m bot run

pytest: setup train
	$(PY) -m pytest

# The shipped model on the held-out NLU set: fails if intent macro-F1 is under 0.90.
nlu-gate: setup train
	$(PY) benchmarks/nlu_evaluation.py --heldout

story-test: setup train
	$(RASA) test core --stories tests/stories --fail-on-prediction-errors --out results/core \
		> var/story-test.log 2>&1 || { tail -60 var/story-test.log; cat results/core/failed_test_stories.yml 2>/dev/null; exit 1; }
	@grep -E "Correct:|Accuracy:" var/story-test.log | head -4 || true
	@echo "Story tests: passed"

# Stages run in order and each prints how long it took (CI reads these lines).
test:
	@for stage in setup validate train nlu-gate pytest story-test; do \
		start=$$(date +%s); echo "::: $$stage"; \
		$(MAKE) --no-print-directory $$stage; \
		echo "::: $$stage took $$(( $$(date +%s) - start ))s"; \
	done

clean:
	rm -rf $(VENV) models .rasa results var/*.db var/*.log node_modules $(VENDOR)
