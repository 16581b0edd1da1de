# Every target is idempotent: a second run reuses the venv, the model cache and the index.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/.data
STAMP := $(VENV)/.setup-stamp
# Portable llama.cpp build (not tied to the build machine's CPU), see MODELS.md.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF
DEMO_QUESTION ?= What was Apple's total net sales for the three months ended July 1, 2023?
PYTEST_ARGS ?=
# pip's version nag and root-user warning are not ours to show (here and in `filings models fetch`).
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore
# Set-up shows our own step lines only; `make VERBOSE=1 ...` shows the commands and pip's output
# (pip's warnings about the machine's pip config, setuptools' editable-install notice, ...).
VERBOSE ?=
ifeq ($(VERBOSE),)
Q := @
PIP_QUIET := -qq
else
Q :=
PIP_QUIET :=
endif

.PHONY: setup system-deps models demo test test-fast bench eval lint serve clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@echo "setting up $(VENV): torch (CPU), llama.cpp (compiled, ~5 min), this package and its extras"
	$(Q)test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(Q)$(BIN)/pip install $(PIP_QUIET) --upgrade pip wheel setuptools
	@# torch first and pinned: anything resolving a newer torch downloads GBs of CUDA.
	$(Q)$(BIN)/pip install $(PIP_QUIET) torch==2.13.0
	$(Q)CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip install $(PIP_QUIET) -e '.[all]'
	$(Q)touch $(STAMP)
	@echo "$(VENV) is ready"

models: setup
	$(Q)$(BIN)/filings models fetch

demo: models
	$(Q)$(BIN)/filings --data-dir "$(DATA_DIR)" ingest loaders/samples
	$(Q)$(BIN)/filings --data-dir "$(DATA_DIR)" ask "$(DEMO_QUESTION)"

# PostgreSQL server binaries for the Postgres-checkpointer test (apt; a no-op when present).
system-deps:
	bash .ci/install-system-deps.sh

test: models system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not integration and not slow" $(PYTEST_ARGS)

bench: models
	$(BIN)/python benchmarks/models.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/retrieval.py
	$(BIN)/python benchmarks/tune.py
	$(BIN)/python benchmarks/answer.py

eval: models
	$(BIN)/filings --data-dir "$(DATA_DIR)" ingest loaders/samples
	$(BIN)/filings --data-dir "$(DATA_DIR)" eval run --suite bundled

lint: setup
	$(BIN)/ruff check agent graphs loaders evals tests benchmarks
	$(BIN)/mypy

serve: models
	$(BIN)/filings --data-dir "$(DATA_DIR)" serve

clean:
	rm -rf "$(DATA_DIR)" .pytest_cache .mypy_cache .ruff_cache
