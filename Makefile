# Every target works on a fresh clone: the first one run creates .venv and installs the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: help demo run worker broker-start broker-stop test test-unit lint bench score realcheck backtest clean browser-deps

help:  ## List targets
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,chart]'
	touch $(STAMP)

venv: $(STAMP)  ## Create the virtual environment

demo: $(STAMP)  ## Run the pipeline on the bundled sample against the local broker
	$(BIN)/geotension demo

run: $(STAMP)  ## Start the local broker (if needed) and the worker
	$(BIN)/geotension broker start
	$(BIN)/geotension worker

browser-deps:  ## The system Chromium the dashboard's browser tests drive (installed when root and missing)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium chromium-driver"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else echo "browser tests need /usr/bin/chromium and /usr/bin/chromedriver: sudo apt-get install chromium chromium-driver"; fi; \
	fi

test: $(STAMP) browser-deps  ## Unit, integration, end-to-end and browser tests (starts its own broker)
	$(BIN)/python -m pytest -q

test-unit: $(STAMP)  ## Only the fast tests that need no broker
	$(BIN)/python -m pytest -q -m "not broker"

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check streams tests bench setup.py
	$(BIN)/mypy streams

$(VENV)/.bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(VENV)/.bench

bench: $(VENV)/.bench  ## Benchmarks (machine-readable JSON lines on stdout; installs the bench extra)
	$(BIN)/python -m bench

score: $(STAMP)  ## Score the tagger per language on the labeled sets in ../shared (dev, real_dev)
	@if [ ! -d $(SHARED)/data/labeled ] || [ ! -f $(SHARED)/tools/score_tagging.py ]; then \
	  echo "make score: $(SHARED)/data/labeled or $(SHARED)/tools/score_tagging.py not found: the labeled sets and the scorer live outside the project (SHARED=path to point elsewhere)"; exit 2; fi
	@mkdir -p out; status=0; \
	for set in dev real_dev; do \
	  gold=$(SHARED)/data/labeled/$$set.jsonl; \
	  if [ ! -f $$gold ]; then echo "make score: $$gold not found"; status=2; continue; fi; \
	  echo "== $$set.jsonl (articles as stored)"; \
	  $(BIN)/geotension tag --input $$gold --output out/$$set.tagged.jsonl || { status=1; continue; }; \
	  $(BIN)/python $(SHARED)/tools/score_tagging.py --gold $$gold --pred out/$$set.tagged.jsonl --by-language || status=1; \
	done; exit $$status

realcheck: $(STAMP)  ## Tag the dated relevant real news (needs ../shared) and show where indicator levels rise
	@if [ -f $(SHARED)/data/labeled/real_dev.jsonl ]; then \
	  $(BIN)/python -m streams.realcheck $(SHARED)/data/labeled/real_dev.jsonl $(SHARED)/data/articles; \
	else echo "make realcheck: $(SHARED)/data/labeled/real_dev.jsonl not found (the labeled set lives outside the project)"; exit 2; fi

backtest: $(STAMP)  ## Check the indicators over the bundled timeline and redraw docs/backtest.png
	$(BIN)/geotension backtest --output docs/backtest.png

clean:  ## Remove the virtual environment and local state (not the broker data)
	rm -rf $(VENV) .geotension out
