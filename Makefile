# The two commands: `make run` and `make test`. `make bench` prints the benchmark figures.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
QADAM := $(BIN)/qadam
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(QADAM) migrate --no-input
	$(QADAM) demo
	$(QADAM) collectstatic --no-input --verbosity 0
	@echo "Qadam runs at http://127.0.0.1:8000 (a task worker runs beside it)."
	$(QADAM) db_worker --no-startup-delay & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(QADAM) runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy qadam config
	$(QADAM) check --fail-level WARNING
	$(QADAM) makemigrations --check --dry-run --verbosity 0

test-sqlite: $(STAMP)
	$(BIN)/pytest

# Runs when TEST_DATABASE_URL names a PostgreSQL server (.ci/run starts one).
test-postgres: $(STAMP)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite on PostgreSQL"; DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest; \
	else echo "== PostgreSQL leg skipped: TEST_DATABASE_URL is not set (CI sets it)"; \
		if [ -n "$$CI" ]; then exit 1; fi; fi

test: lint test-sqlite test-postgres

# `make bench BENCH_FAMILIES=1000000` for the million; BENCH_SQLITE_PATH and BENCH_DATABASE_URL choose the databases.
BENCH_FAMILIES ?= 100000
bench: $(STAMP)
	$(BIN)/python bench/run.py --families $(BENCH_FAMILIES)
	$(BIN)/python bench/directory.py

clean:
	rm -rf $(VENV) var/static
