# Home Self Care API. `make run` serves it locally; `make test` tests it. Both set up
# everything they need on a fresh machine (virtual environments, dependencies).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is python3.13: use a matching interpreter (pyenv's if not on PATH).
PYTHON313 ?= $(shell for p in python3.13 $$(pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13 \
	$$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1 && { command -v $$p; break; }; done)
PY313_DIR = $(dir $(PYTHON313))
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SCAN_VENV := .venv-scan
ACTIONLINT_VENV := .venv-actionlint
REGION ?= us-east-1
BACKEND ?= sandbox
export SAM_CLI_TELEMETRY = 0
export AWS_DEFAULT_REGION ?= $(REGION)

.PHONY: help venv run test test-fast lint validate scan actionlint build seed events token tmf-check tmf-mapping bench bench-quick ci clean

help:
	@echo "make run       serve the API on http://127.0.0.1:3000 (sandbox data, no AWS, no Docker)"
	@echo "make run BACKEND=tmf   the same API fronting a TM Forum stand-in BSS (same data)"
	@echo "make test      run every test (unit, integration, contract, e2e)"
	@echo "make test-fast unit tests without the property-based and process-starting ones (<1 min)"
	@echo "make lint      ruff and mypy"
	@echo "make validate  sam validate --lint and cfn-lint"
	@echo "make scan      checkov over template.yaml (suppressions carry their reasons)"
	@echo "make actionlint  lint the GitHub Actions workflows"
	@echo "make build     sam build (needs python3.13)"
	@echo "make token ARGS='customer cc 10307011'   mint a local token (or ARGS='agent call-centre')"
	@echo "make tmf-check ARGS='--base-url ... --secret-file ... --country co --document CC:10307011'"
	@echo "              read-only conformance check of a BSS's TM Forum endpoint (README)"
	@echo "make tmf-mapping  write docs/tmf-mapping.md and the TMF extension schemas from the code"
	@echo "make seed COUNTRY=gt SANDBOX_TABLE=... [PAPERLESS_TABLE=... CHECKOUT_TABLE=...]"
	@echo "make events    regenerate events/ from template.yaml and the sandbox demo data"
	@echo "make bench     benchmark suite: cold starts, warm cost, AWS calls, memory, size, load, Backend tmf (~8 min)"
	@echo "make bench-quick  the same with few repeats (~1 min, CI)"

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt functions/*/requirements.txt
	@test -n "$(PYTHON313)" || { echo "python3.13 not found (pyenv install 3.13, or set PYTHON313=...)"; exit 1; }
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

$(SAM_VENV)/.installed: requirements-sam.txt
	$(PYTHON313) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

$(SCAN_VENV)/.installed: requirements-scan.txt
	$(PYTHON313) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	touch $@

scan: $(SCAN_VENV)/.installed
	$(SCAN_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet --skip-download

$(ACTIONLINT_VENV)/.installed: requirements-actionlint.txt
	$(PYTHON313) -m venv $(ACTIONLINT_VENV)
	$(ACTIONLINT_VENV)/bin/python -m pip install --quiet -r requirements-actionlint.txt
	touch $@

actionlint: $(ACTIONLINT_VENV)/.installed
	$(ACTIONLINT_VENV)/bin/actionlint .github/workflows/*.yml

token: venv
	@$(PY) -m local.token $(ARGS)

tmf-check: venv
	@$(PY) -m tools.tmf_check $(ARGS)

tmf-mapping: venv
	$(PY) -m tools.tmf_mapping

run: venv
	$(PY) -m local serve --backend $(BACKEND)

test: venv
	$(PY) -m pytest -n auto -q

# The edit-test loop: unit tests only, without the property-based (hypothesis) ones and
# those that start Python processes (marked `subprocess`); `make test` runs them all.
test-fast: venv
	$(PY) -m pytest -n auto -q tests/unit -m "not hypothesis and not subprocess"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/common/python/selfcare layers/sandbox/python/selfcare local tools
	@for f in functions/*/; do (cd $$f && MYPYPATH=$(CURDIR)/layers/common/python:$(CURDIR)/layers/sandbox/python \
		$(CURDIR)/$(VENV)/bin/mypy --config-file $(CURDIR)/pyproject.toml .) || exit 1; done

validate: venv $(SAM_VENV)/.installed
	$(SAM) validate --lint --region $(REGION)
	$(VENV)/bin/cfn-lint template.yaml

# The common layer carries the sandbox layer's fingerprint (tools/layer_fingerprint.py): a
# change in the sandbox layer alone then publishes new function versions too.
SANDBOX_FINGERPRINT := layers/common/python/selfcare/sandbox.fingerprint

build: $(SAM_VENV)/.installed
	$(PYTHON313) tools/layer_fingerprint.py layers/sandbox/python > $(SANDBOX_FINGERPRINT)
	PATH="$(PY313_DIR):$$PATH" $(SAM) build --parallel

seed: venv
	$(PY) -m local seed --country $(COUNTRY) --sandbox-table $(SANDBOX_TABLE) \
		$(if $(PAPERLESS_TABLE),--paperless-table $(PAPERLESS_TABLE)) \
		$(if $(CHECKOUT_TABLE),--checkout-table $(CHECKOUT_TABLE))

events: venv
	$(PY) -m local.events

bench: venv
	$(PY) -m bench

bench-quick: venv
	$(PY) -m bench --quick

ci: lint test validate scan actionlint build

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
