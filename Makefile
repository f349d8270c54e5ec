# pgQueue: every command a developer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help bootstrap bootstrap-dev db db-url db-admin-url stop clean ha ha-stop ha-status ha-clean run test test-sql test-py fuzz schema-snapshot lint bench bench-quick chaos soak

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

bootstrap: ## Install what running needs (Debian packages as root): PostgreSQL, sqitch, .venv from requirements.txt
	@support/bootstrap.sh

bootstrap-dev: ## As bootstrap, plus what test, lint, bench and ha need (pgTAP, Prometheus, ..., requirements-dev.txt)
	@support/bootstrap.sh dev

db: bootstrap ## Start the local PostgreSQL cluster, deploy pgq; prints the URL last
	@$(PY) -m support.localpg db

db-url: bootstrap ## As make db, quietly: prints only the gateway's URL (pgq_gateway), e.g. URL=$$(make -s db-url)
	@$(PY) -m support.localpg db-url

db-admin-url: bootstrap ## As make db, quietly: prints only the superuser's URL (for configure, redrive, purge)
	@$(PY) -m support.localpg db-admin-url

stop: ## Stop the local PostgreSQL cluster
	@$(PY) -m support.localpg stop

clean: ## Stop the local PostgreSQL cluster and delete its data
	@$(PY) -m support.localpg clean

ha: bootstrap-dev ## A pg_auto_failover formation on loopback (monitor, primary, 2 standbys; PGQ_HA_PORT=54360); prints the gateway's multi-host URL last
	@$(PY) -m support.ha up

ha-stop: ## Stop the formation
	@$(PY) -m support.ha stop

ha-status: ## Each node of the formation and its state, as the monitor sees it
	@$(PY) -m support.ha status

ha-clean: ## Stop the formation and delete its data
	@$(PY) -m support.ha clean

run: db ## Serve the gateway on http://127.0.0.1:8000 (HOST= and PORT= override), straight over PostgreSQL
	PGQ_DATABASE_URL="$$($(PY) -m support.localpg url)" \
	  $(VENV)/bin/uvicorn --factory gateway.app:create_app --host $(HOST) --port $(PORT)

test: bootstrap-dev test-sql test-py ## Run the pgTAP suite, then pytest

test-sql: bootstrap-dev ## pgTAP suite (pg_prove) on a throwaway cluster
	@$(PY) -m support.pgtap

test-py: bootstrap-dev ## pytest on throwaway clusters, 3 test files at a time (each worker has its own cluster)
	@$(PY) -m pytest -n 3 --dist loadfile

fuzz: bootstrap-dev ## Random HTTP fuzzing of every route (make test runs the same fuzz derandomized)
	@PGQ_FUZZ=random $(PY) -m pytest tests/reliability/test_fuzz_http.py

chaos: bootstrap-dev ## Crash, outage, failover, HTTP fuzz and 1-minute soak tests (tests/reliability; also in make test)
	@$(PY) -m pytest tests/reliability

soak: bootstrap-dev ## 10 minutes at half the benchmark's knee (or RATE=req/s), watching errors and gateway memory
	@$(PY) -m tests.reliability.soak $(if $(RATE),--rate $(RATE))

schema-snapshot: bootstrap-dev ## Rewrite sql/pgq.schema.sql from a fresh deploy (the drift check compares it)
	@$(PY) -m support.schema_snapshot

lint: bootstrap-dev ## ruff and mypy
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy

bench: bootstrap-dev ## pgq vs minimal baselines on one and many channels (pgbench), gateway under k6; about 50 minutes on 2 cores, own cluster
	@$(PY) -m performance.bench

bench-quick: bootstrap-dev ## Every bench scenario scaled down, about 8 minutes on 2 cores: a smoke test, not results
	@$(PY) -m performance.bench --quick
