# One task runner. `make demo` and `make test` each work on a fresh clone.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE ?= $(firstword $(wildcard ../shared/samples/000_91f485cde857f4d1.txt) examples/harbour-lights.txt)
DEV_DATA ?= ../shared/data/passages-dev.jsonl

.PHONY: install install-dev demo test lint browser-deps bench eval model clean

$(BIN)/forewarn: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/forewarn

install-dev: $(VENV)/.dev

## Install, then scan the sample chapter (exit code 1 means: undeclared warnings found).
demo: install
	$(BIN)/forewarn scan "$(SAMPLE)" || test $$? -eq 1

## Install with test extras (and the browser for end-to-end tests), lint, then run every test.
test: install-dev browser-deps lint
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check forewarn tests bench
	$(BIN)/ruff format --check forewarn tests bench
	$(BIN)/mypy forewarn

## Debian's Chromium and ChromeDriver for the browser tests (needs root; skipped otherwise).
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null; \
	else echo "browser-deps: no root/apt-get; browser tests will be skipped"; fi

bench: install-dev
	$(BIN)/python bench/bench_scan.py

eval: install-dev
	$(BIN)/python -m forewarn evaluate --data $(DEV_DATA) --folds 5

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
