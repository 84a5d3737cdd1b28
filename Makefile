# The two commands of the README: `make demo` and `make test`. Each creates .venv and installs
# the package with its dependencies when pyproject.toml changed since the last install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= ../shared/data/hcpcs

.PHONY: demo test lint bench typecheck clean docs screenshot fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# Bytecode now, as pip compiles an installed package: under PYTHONDONTWRITEBYTECODE=1 an
	@# editable install would compile every module again on every run (about 30 ms).
	$(BIN)/python -m compileall -q hcpcs_lint
	touch $(STAMP)

# The CAR-T story on the bundled corpus, then a committee's draft checked against it.
# Findings make hcpcs-lint exit 1; the demo shows them and still succeeds.
demo: $(STAMP)
	@echo "== 1. Every finding in the bundled corpus (corpora/cell-gene-therapy.csv: real CMS descriptors)"
	@$(BIN)/hcpcs-lint check --output-format concise --no-progress || test $$? -eq 1
	@echo
	@echo "== 2. A coding-committee draft (corpora/drafts) in full: services bundled, CPT codes, clean peers, proposed text"
	@$(BIN)/hcpcs-lint check --select HL101,HL201 --output-format full --no-color corpora/drafts/car-t-coding-recommendation.md || test $$? -eq 1
	@echo
	@echo "== 3. Proposed revisions for the whole corpus (unified diff; nothing is rewritten)"
	@$(BIN)/hcpcs-lint check --select HL101 --diff --unsafe-fixes || test $$? -eq 1
	@echo
	@echo "== 4. A CMS-style application summary as committees paste it (.txt): requests, what each resolves, the patch"
	@$(BIN)/hcpcs-lint check --select HL101 --output-format concise --no-progress corpora/drafts/application-summary.txt || test $$? -eq 1
	@$(BIN)/hcpcs-lint check --select HL101 --diff --unsafe-fixes --no-progress corpora/drafts/application-summary.txt || test $$? -eq 1
	@echo
	@echo "== 5. The case for revised descriptors, as a report to send (also --format md or docx)"
	@mkdir -p build
	@$(BIN)/hcpcs-lint report --format html -o build/report.html
	@echo "Report: $(abspath build/report.html)"

# Refresh the README's screenshots of the HTML report, docs/img/report.png and report-code.png (the browser test takes them).
screenshot: $(STAMP)
	HCPCS_LINT_SCREENSHOT=docs/img/report.png $(BIN)/python -m pytest tests/report/test_casefile_browser.py -q

lint: $(STAMP)
	$(BIN)/ruff check hcpcs_lint tests benchmarks
	$(BIN)/ruff format --check hcpcs_lint tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy hcpcs_lint

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

# 10^6 parser inputs and 10^5 reader inputs on every core; prints the counts (docs/limits.md).
fuzz: $(STAMP)
	HCPCS_LINT_DATA=$${HCPCS_LINT_DATA:-$(DATA)} $(BIN)/python -m tests.fuzzing --parser 1000000 --readers 100000

# The README's rules table, from rules/*.toml (tests/cli/test_docs.py fails when it is stale), and
# the shipped LALR tables when the grammar or Lark changed (tests/parser/test_tables.py).
docs: $(STAMP)
	$(BIN)/python -m hcpcs_lint.cli.docs README.md
	$(BIN)/python -m hcpcs_lint.grammar.build

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --data $(DATA)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
