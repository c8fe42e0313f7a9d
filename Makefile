# Every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := uv
BACKEND := $(UV) run --directory backend
TOOLS := $(UV) run --project .

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## Install what the tests need: Debian packages when missing, Python and npm dependencies
	./scripts/install-system-deps.sh
	$(UV) sync --frozen --project backend
	$(UV) sync --frozen --project .
	cd frontend && npm ci --no-audit --no-fund

.PHONY: test
test: deps lint test-backend test-frontend test-system ## Run every test and check (what CI runs)

.PHONY: test-backend
test-backend: ## Backend tests against a real PostgreSQL, coverage enforced
	$(BACKEND) pytest

.PHONY: test-frontend
test-frontend: ## Front-end lint, types, component tests, build budget, API client freshness
	cd frontend && npm run check

.PHONY: test-system
test-system: ## Static checks of compose/Dockerfiles/configs and tests of the live native stack
	$(TOOLS) pytest tests

.PHONY: test-edge
test-edge: ## nginx, images and compose: static checks, then the live stack in Chromium (~2 min)
	$(TOOLS) pytest tests/edge

.PHONY: test-cicd
test-cicd: ## Workflows (actionlint, zizmor, schemas); deploys and rollbacks on a private engine (~5 min)
	$(TOOLS) pytest tests/cicd

.PHONY: test-monitoring
test-monitoring: ## Monitoring: promtool/amtool checks, rule tests, dashboards, live alerting (~5 min)
	$(TOOLS) pytest tests/monitoring

.PHONY: test-kubernetes
test-kubernetes: ## Kubernetes manifests: render, strict schemas, checkov, parity with compose (~20 s)
	$(TOOLS) pytest tests/kubernetes
.PHONY: test-faults
test-faults: ## Faults on a small native stack: killed processes, keyed retries, malformed requests (~2 min)
	$(TOOLS) pytest tests/faults
.PHONY: test-containers
test-containers: ## Images built and both compose files run by a private Docker engine (~4 min warm)
	$(TOOLS) pytest tests/containers

.PHONY: test-hardening
test-hardening: ## Security: schemathesis fuzzing of the live API (FUZZ_SECONDS, 90), bursts, slow clients, compose (~4 min)
	$(TOOLS) pytest tests/hardening

.PHONY: lint
lint: ## ruff, ruff format --check and mypy --strict on the Python code (backend, then the rest)
	$(BACKEND) ruff check .
	$(BACKEND) ruff format --check .
	$(BACKEND) mypy
	$(TOOLS) ruff check stack tests bench backup loadtests
	$(TOOLS) ruff format --check stack tests bench backup loadtests
	$(TOOLS) mypy

.PHONY: fmt
fmt: ## Format and autofix the Python and front-end code
	$(BACKEND) ruff check --fix .
	$(BACKEND) ruff format .
	$(TOOLS) ruff check --fix stack tests bench backup loadtests
	$(TOOLS) ruff format stack tests bench backup loadtests
	cd frontend && npm run fmt

.PHONY: frontend-build
frontend-build: ## Build the production bundle (frontend/dist) that nginx serves
	cd frontend && npm run build

.PHONY: stack
stack: frontend-build ## Run the whole stack natively (nginx :8080, Prometheus :9090...) until Ctrl-C
	$(TOOLS) python -m stack

.PHONY: openapi
openapi: ## Regenerate the front end's API client from the backend's OpenAPI schema
	cd frontend && npm run generate

.PHONY: bench
bench: ## Throughput benchmark of the backend (1 and 2 workers); prints a table
	$(TOOLS) python -m bench

.PHONY: status
status: ## Daily check of the native stack: services, targets, alerts, disk, last backup (docs/runbook.md)
	python3 scripts/status.py

SHAPE ?= smoke
HOST ?= http://127.0.0.1:8080
PROMETHEUS ?= http://127.0.0.1:9090
.PHONY: loadtest
loadtest: ## Locust run of SHAPE (smoke|load|stress|soak) against HOST, judged by loadtests/settings.toml
	$(TOOLS) python -m loadtests --shape $(SHAPE) --host $(HOST) --prometheus "$(PROMETHEUS)" \
		$(if $(DURATION),--duration $(DURATION))

.PHONY: up
up: ## Start the development stack in containers (same as `docker compose up`)
	docker compose up

# --- Backups of the native stack's database (docs/backup-and-recovery.md) ---------------------
# In compose: `docker compose exec backup python3 -m backup ...` runs the same commands.
KIND ?= incr

.PHONY: backup
backup: ## Back up `make stack`'s database now: KIND=full|incr|dump (default incr)
	$(TOOLS) python -m stack.backups backup $(KIND)

.PHONY: backup-info
backup-info: ## List the backups, the WAL range and the logical dumps
	$(TOOLS) python -m stack.backups info

.PHONY: backup-verify
backup-verify: ## Read back every backup file and WAL segment and check it
	$(TOOLS) python -m stack.backups verify

.PHONY: restore
restore: ## Restore into a fresh directory: DATA_DIR=... [TARGET_TIME="2026-11-29 21:40:00+00"]
	$(TOOLS) python -m stack.backups restore --data-dir "$(DATA_DIR)" $(if $(TARGET_TIME),--target-time "$(TARGET_TIME)")

.PHONY: drill
drill: ## The restore drills against real servers (~4 min); prints the RTO/RPO report
	$(TOOLS) pytest tests/backups -s
