# rcmflow: the whole pipeline on this machine, no Docker. Everything lands under .run/ and .cache/.
SHELL := /bin/bash
ENCOUNTERS ?= 1
CODERS ?= 1
BILLERS ?= 1
PAYERS ?= 1
BROKERS ?= 1
export ENCOUNTERS CODERS BILLERS PAYERS BROKERS
ifeq ($(BROKERS),3)
export TOPIC_REPLICATION_FACTOR ?= 3
endif
VISITS ?= 1000
LOCAL := deploy/local
RCM := $(LOCAL)/rcm.sh
VENV_BIN := .venv/bin

.PHONY: help install up down demo logs status test lint format bench schemas lock

help:
	@echo "make demo            install what is missing, start everything, push $(VISITS) visits through, summarise"
	@echo "make up [ENCOUNTERS=N CODERS=N BILLERS=N PAYERS=N]  start Kafka, Postgres, Prometheus and the services (N workers per stage)"
	@echo "make up BROKERS=3    the same with a three-node Kafka cluster (replication 3, min.insync.replicas 2)"
	@echo "make down            stop the services and the infrastructure"
	@echo "make logs            follow the service logs"
	@echo "make test            lint and every test, against real Kafka and Postgres"
	@echo "make bench           rcm bench e2e (figures for docs/benchmarks.md)"

install:
	@$(LOCAL)/install.sh

up: install
	@$(LOCAL)/infra.sh start
	@$(RCM) init
	@$(LOCAL)/services.sh start

down:
	@$(LOCAL)/services.sh stop
	@$(LOCAL)/infra.sh stop

demo: up
	@$(RCM) publish --count $(VISITS) --wait
	@$(LOCAL)/endpoints.sh

logs:
	@tail -n 20 -F .run/logs/*.log

status:
	@$(LOCAL)/infra.sh status; $(LOCAL)/services.sh status; $(RCM) status

lint: install
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: install
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

schemas: install
	@.venv/bin/python -c "from shared.schemas import write_json_schemas as w; [print(p) for p in w()]"

test: install
	@$(LOCAL)/test.sh

# Renew requirements.lock after changing dependencies in pyproject.toml (uv resolves, pip installs).
lock: install
	@$(VENV_BIN)/pip install -q uv && $(VENV_BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --generate-hashes -q -o requirements.lock && echo "requirements.lock renewed"

bench: up
	@$(RCM) bench e2e --visits $(VISITS) --out bench/results.ndjson
