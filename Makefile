# Predictfluence — the two commands a user needs are `make run` and `make test`.
SHELL := /bin/bash
# Lambda runs python3.12 (Amazon Linux 2023); the local virtualenv uses the same version when pyenv has it.
PYTHON_BOOT ?= $(or $(shell ls -d $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 2>/dev/null | tail -1),python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# LocalStack runs under Python 3.13 in its own virtualenv (tests/integration/test_localstack.py uses it).
LOCALSTACK_PY ?= $(or $(shell ls -d $$(pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13 2>/dev/null | tail -1),python3.13)
LS_VENV := .venv-localstack
LS_STAMP := $(LS_VENV)/.installed-stamp

.PHONY: install run test lint bench fuzz clean help package frontend localstack-env checkov-env

help:
	@echo "make run    - start Predictfluence locally (embedded PostgreSQL unless DATABASE_URL is set)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff"
	@echo "make bench [SCALE=full|small|xl] - every bench/ script, one report: bench/results/report.md"
	@echo "make fuzz   - schemathesis, >= 1000 cases over the whole OpenAPI document (bench/fuzz.py)"
	@echo "make package [STAGE=dev] - Lambda package + layers + merged CloudFormation in build/sam"

$(STAMP): requirements.txt requirements-dev.txt layers/ml/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade 'pip<26.3'  # chalice 1.34 declares pip<26.3
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

# The site's chart library: pinned in frontend_static/package.json + lock, copied into vendor/ (gitignored).
FRONTEND_VENDOR := frontend_static/vendor/chart.umd.min.js
$(FRONTEND_VENDOR): frontend_static/package.json frontend_static/package-lock.json
	cd frontend_static && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

frontend: $(FRONTEND_VENDOR)

$(LS_STAMP): requirements-localstack.txt
	test -x $(LS_VENV)/bin/python || $(LOCALSTACK_PY) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install -q --disable-pip-version-check -r requirements-localstack.txt
	touch $@

localstack-env: $(LS_STAMP)

# checkov (tests/package/test_checkov.py) in its own virtualenv: its pins would downgrade .venv's boto3.
CHECKOV_VENV := build/checkov-venv
CHECKOV_STAMP := $(CHECKOV_VENV)/.requirements-stamp
$(CHECKOV_STAMP): infra/requirements-checkov.txt
	rm -rf $(CHECKOV_VENV)
	$(PYTHON_BOOT) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q --disable-pip-version-check -r infra/requirements-checkov.txt
	cp infra/requirements-checkov.txt $@

checkov-env: $(CHECKOV_STAMP)

install: $(STAMP) $(FRONTEND_VENDOR)

run: install
	$(VENV)/bin/predictfluence run

test: install localstack-env checkov-env
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# SCALE=full: 100,000 influencers / 3,000,000 daily metric rows; SCALE=small: a quick run; SCALE=xl: 1,000,000
# influencers / >= 30,000,000 daily metric rows through the real ETL (hours; docs/benchmarks.md). bench/run_all.py
SCALE ?= full
bench: install
	$(PY) bench/run_all.py --scale $(SCALE)

# Not part of make test (tests/api/test_schemathesis.py is the bounded run there).
fuzz: install
	$(PY) bench/fuzz.py

STAGE ?= dev
# chalice package (Python 3.12: Lambda python3.12) + layers + checks; see infra/package.py and docs/deployment.md.
package: install
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(PY) infra/package.py --stage $(STAGE)

clean:
	rm -rf $(VENV) $(LS_VENV) build .pytest_cache
