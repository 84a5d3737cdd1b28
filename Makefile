# The two commands of the README: `make demo` and `make test`. Each creates .venv and installs
# the package with its dependencies when pyproject.toml changed since the last install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= ../shared/data/hcpcs

.PHONY: demo test lint bench typecheck clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m hcpcs_lint demo

lint: $(STAMP)
	$(BIN)/ruff check hcpcs_lint tests benchmarks
	$(BIN)/ruff format --check hcpcs_lint tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy hcpcs_lint

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --data $(DATA)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
