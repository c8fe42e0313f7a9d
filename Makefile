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

.PHONY: test-monitoring
test-monitoring: ## Monitoring: promtool/amtool checks, rule tests, dashboards, live alerting (~5 min)
	$(TOOLS) pytest tests/monitoring

.PHONY: test-kubernetes
test-kubernetes: ## Kubernetes manifests: render, strict schemas, checkov, parity with compose (~20 s)
	$(TOOLS) pytest tests/kubernetes
.PHONY: test-faults
test-faults: ## Faults on a small native stack: killed processes, keyed retries, malformed requests (~2 min)
	$(TOOLS) pytest tests/faults

.PHONY: test-hardening
test-hardening: ## Security: schemathesis fuzzing of the live API (FUZZ_SECONDS, 90), bursts, slow clients, compose (~4 min)
	$(TOOLS) pytest tests/hardening

.PHONY: lint
lint: ## ruff, ruff format --check and mypy --strict on the Python code
	$(BACKEND) ruff check .
	$(BACKEND) ruff format --check .
	$(BACKEND) mypy
	$(TOOLS) ruff check stack tests bench
	$(TOOLS) ruff format --check stack tests bench

.PHONY: fmt
fmt: ## Format and autofix the Python and front-end code
	$(BACKEND) ruff check --fix .
	$(BACKEND) ruff format .
	$(TOOLS) ruff check --fix stack tests bench
	$(TOOLS) ruff format stack tests bench
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

.PHONY: up
up: ## Start the development stack in containers (same as `docker compose up`)
	docker compose up
