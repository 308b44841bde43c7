# Bastion: `make run` serves the API on the embedded defaults, `make test` runs the suite.
# The virtual environment is created from uv.lock. When uv is not on PATH it is installed into a
# throw-away virtual environment (.uv-bootstrap), never into the system Python (which Debian and
# Ubuntu mark as externally managed).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock
UV_BOOTSTRAP := .uv-bootstrap
UV := $(shell command -v uv 2>/dev/null || echo "$(UV_BOOTSTRAP)/bin/uv")

export BASTION_TEST_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
export BASTION_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run test lint format check clean bench bench-observability bench-instructions

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || { $(PYTHON) -m venv $(UV_BOOTSTRAP) && $(UV_BOOTSTRAP)/bin/pip install --quiet uv; }
	$(UV) sync --frozen
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/bastion serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

# Throughput and latency as ratios to a bare Litestar app, on SQLite and PostgreSQL (bench/README.md).
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; }
	$(BIN)/python bench/run.py

# Metrics and per-request logging on vs off, two servers measured side by side (bench/README.md).
bench-observability: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "make bench-observability needs wrk: sudo apt-get install wrk" >&2; exit 1; }
	$(BIN)/python bench/observability.py

# The same sides counted in machine instructions per request under cachegrind, in process and served (bench/README.md).
bench-instructions: $(STAMP)
	@command -v valgrind >/dev/null 2>&1 || { echo "make bench-instructions needs valgrind: sudo apt-get install valgrind" >&2; exit 1; }
	$(BIN)/python bench/instructions.py
	$(BIN)/python bench/instructions.py --served

clean:
	rm -rf $(VENV) $(UV_BOOTSTRAP) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
