# ProcureDesk: every target creates or updates .venv itself through `install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench screenshots clean dist dist-check dist-bench install-desktop

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

# The application bundle (packaging/procure-desk.spec): build/dist/procure-desk, and
# build/dist/procure-desk-VERSION-linux-ARCH.tar.gz to hand to users.
DIST := build/dist
BUNDLE := $(DIST)/procure-desk
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
ARCHIVE := $(DIST)/procure-desk-$(VERSION)-linux-$(shell uname -m).tar.gz

dist: install
	rm -rf $(BUNDLE)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath $(DIST) \
		--workpath build/pyinstaller packaging/procure-desk.spec
	tar -C $(DIST) -czf $(ARCHIVE) procure-desk
	@du -sh $(BUNDLE) $(ARCHIVE)

# The archive unpacked and run in a clean environment (env -i: PATH and a new HOME
# only, no virtualenv): packaging/smoke.py.
dist-check:
	test -f $(ARCHIVE) || { echo "no $(ARCHIVE): run make dist first"; exit 2; }
	home=$$(mktemp -d) && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=$$home \
		$$($(PYTHON) -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))') \
		packaging/smoke.py $(ARCHIVE); \
		status=$$?; rm -rf $$home; exit $$status

# Start-up of the bundle against the virtualenv (also part of make bench).
dist-bench: install
	$(BIN)/python -m benchmarks.bundle

# The bundle on this user's desktop: menu entry, icons, the .pdesk type (~/.local/share).
install-desktop:
	test -x $(BUNDLE)/install-desktop.sh || { echo "no bundle: run make dist first"; exit 2; }
	$(BUNDLE)/install-desktop.sh
