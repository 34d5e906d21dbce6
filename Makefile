# linkwork: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LINKWORK := $(BIN)/linkwork
STATIC_BUILT := src/linkwork/web/static/linkwork/linkwork.css

.PHONY: run test lint typecheck pytest static install install-dev clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[postgres]"
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(STATIC_BUILT): node_modules/.package-lock.json scripts/build-static.mjs $(wildcard src/linkwork/web/scss/*.scss)
	npm run --silent build

static: $(STATIC_BUILT)

install: $(VENV)/.installed static

install-dev: $(VENV)/.installed-dev static

run: install
	$(LINKWORK) migrate --noinput
	$(LINKWORK) collectstatic --noinput --verbosity 0
	$(LINKWORK) demo-data --if-empty
	@echo ""
	@echo "linkwork: http://$(HOST):$(PORT)/  (demo logins above; password linkwork-demo)"
	LINKWORK_DEMO_SKIP_TWO_FACTOR=1 $(LINKWORK) serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy src tests benchmarks

# SQLite always; PostgreSQL too when POSTGRES_TEST_URL is set (required when REQUIRE_POSTGRES=1).
pytest: install-dev
	$(BIN)/python scripts/run-tests.py

test: lint typecheck pytest

clean:
	rm -rf $(VENV) node_modules src/linkwork/web/static/linkwork .pytest_cache .mypy_cache .ruff_cache
