# ProcureDesk: every target creates or updates .venv itself through `install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/python main.py --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

screenshots: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots $${SCREENSHOTS_DIR:-docs/screenshots}

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
