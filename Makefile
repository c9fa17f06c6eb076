# Two commands: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DATABASE_URL ?= sqlite:///./kindred.db

.PHONY: run test install install-dev install-similarity migrate demo lint types bench bench-matching bench-growth fuzz reliability clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# Own-words similarity's local model (torch, ~1.2 GB installed); torch stays pinned in the same
# command, so pip never swaps it for a CUDA build.
$(VENV)/.installed-similarity: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,similarity]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-similarity: $(VENV)/.installed-similarity

migrate: install
	$(BIN)/alembic upgrade head

demo: migrate
	$(BIN)/python -m api.demo

# One process: the app runs a job-queue worker in-process (webhooks, expiries, reminders,
# e-mails) and a local mail catcher on 127.0.0.1:1025 (what it caught: /dev/mail).
run: demo
	@echo "Kindred on http://127.0.0.1:$(PORT)  (PWA /, API /api/v1, docs /docs, e-mails /dev/mail)"
	RUN_WORKER=1 MAIL_CATCHER=1 PUBLIC_URL=http://127.0.0.1:$(PORT) $(BIN)/uvicorn --factory api.main:create_app --host 127.0.0.1 --port $(PORT) --no-access-log

# Lint, layers and types, then the whole suite on SQLite, and again on PostgreSQL when
# TEST_DATABASE_URL is set.
# `make test SIMILARITY=1` installs the own-words similarity model first (CI does).
test: $(if $(SIMILARITY),install-similarity,install-dev)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		KINDRED_TEST_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest; \
	else echo "TEST_DATABASE_URL is not set: the PostgreSQL run was skipped."; fi

# Style, layers (import-linter contracts in pyproject.toml) and types.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install-dev
	$(BIN)/mypy

# The API's hot paths over HTTP on PostgreSQL against the stack's ceiling, in one run
# (bench/bench_api.py; needs wrk). A quick run: BENCH_SECONDS=3 BENCH_PEOPLE=20000 make bench.
# Then the matching kernels (`make bench-matching` alone).
bench: install-dev
	$(BIN)/python -m bench.bench_api
	$(BIN)/python -m bench

# The API against its OpenAPI document with many more examples than `make test` (schemathesis,
# --checks all, a fixed seed), and who may reach what (the access matrices), on SQLite and,
# with TEST_DATABASE_URL, PostgreSQL. FUZZ_EXAMPLES=300 for a longer run.
FUZZ_EXAMPLES ?= 100
FUZZ_TESTS := tests/conformance/test_schemathesis.py tests/conformance/test_access_matrix.py \
	tests/conformance/test_resource_access.py tests/clients/test_scope_matrix.py
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest $(FUZZ_TESTS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) KINDRED_TEST_DATABASE_URL="$$TEST_DATABASE_URL" \
		$(BIN)/pytest $(FUZZ_TESTS); fi

# Invariants under concurrency (over 50 clients, 3 API processes on one database) and faults
# (a replica killed mid-load, PostgreSQL restarted, the matching index's freshness), on
# PostgreSQL: TEST_DATABASE_URL, or the local server. Figures: bench/results/reliability.json.
RELIABILITY_DATABASE_URL ?= $(or $(TEST_DATABASE_URL),postgresql://postgres@127.0.0.1:5432/test)
reliability: install-dev
	KINDRED_TEST_DATABASE_URL="$(RELIABILITY_DATABASE_URL)" $(BIN)/pytest tests/reliability -m reliability

bench-matching: install-dev
	$(BIN)/python -m bench

# Growth on PostgreSQL: the matching pool from 10k to 1M supporters, messages from 100k to 10M
# (bench/bench_growth.py; 20–40 minutes on a shared 2-core machine). BENCH_GROWTH_MAX=300000 for a shorter run.
bench-growth: install-dev
	$(BIN)/python -m bench.bench_growth

clean:
	rm -rf $(VENV) kindred.db kindred.db-* .pytest_cache tests/artifacts
