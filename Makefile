# bankops: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
BANKOPS := bin/bankops
export BANKOPS_LOG_LEVEL ?= warn

.PHONY: help install system-packages node-modules test-tools provision demo test test-unit test-integration lint \
        format stack-up stack-down stack-status bench clean

help:
	@echo "make demo        install everything, start the local stack, run the whole lifecycle (STOP=1 stops the stack after)"
	@echo "make test        install everything, run unit and integration tests against the real stack"
	@echo "make lint        eslint, the import rules (dependency-cruiser), prettier --check and the TypeScript compiler"
	@echo "make stack-up / stack-down / stack-status"
	@echo "make bench       benchmarks (benchmarks/; installs wrk and Go; needs a champion: make demo first)"

system-packages:
	@bash scripts/install-system-packages.sh

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

node-modules: node_modules/.package-lock.json

install: system-packages node-modules

# Python tools of the integration tests (schemathesis, an Open Inference Protocol client), pinned.
test-tools:
	@bash scripts/install-test-tools.sh

provision: install
	$(BANKOPS) stack provision

demo: install
	$(BANKOPS) demo $(if $(STOP),--stop-stack,)

test: install test-tools
	npx vitest run

test-unit: node-modules
	npx vitest run --project unit

test-integration: install test-tools
	npx vitest run --project integration

lint: node-modules
	npx eslint .
	npx depcruise --config .dependency-cruiser.cjs src consumers serving producers topics scripts benchmarks tests grafana
	npx prettier --check .
	npx tsc -p tsconfig.json --noEmit

format: node-modules
	npx prettier --write .

stack-up: install
	$(BANKOPS) stack up

stack-down: node-modules
	$(BANKOPS) stack down

stack-status: node-modules
	$(BANKOPS) stack status

# Benchmarks need the stack with a champion (make demo leaves both); each prints its figures.
bench: install
	@BANKOPS_BENCH=1 bash scripts/install-system-packages.sh
	@$(BANKOPS) stack up >/dev/null
	@npx tsx benchmarks/preflight.ts
	npx tsx benchmarks/training-grid.ts
	npx tsx benchmarks/lake-writer.ts
	npx tsx benchmarks/monitoring-throughput.ts
	npx tsx benchmarks/learning-loop.ts
	npx tsx benchmarks/rollout-power.ts
	bash benchmarks/shadow-cost.sh
	bash benchmarks/serving-vs-mlflow.sh
	bash benchmarks/oip-vs-v1.sh

clean:
	-$(BANKOPS) stack down
	rm -rf .bankops
