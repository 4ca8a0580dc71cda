# wagtail-booking: `make sandbox` runs the demo site, `make test` runs the whole suite on PostgreSQL, then on SQLite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: sandbox test lint install clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# One stamp per set of extras, rebuilt when pyproject.toml changes. The install compiles the translations (setup.py);
# compile_messages.py again makes sure, and sandbox.sh / test.sh recompile any .po edited since.
$(VENV)/.installed-sandbox: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[sandbox,stripe]" --config-settings editable_mode=compat
	$(BIN)/python scripts/compile_messages.py
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]" --config-settings editable_mode=compat
	$(BIN)/python scripts/compile_messages.py
	touch $@

# axe-core for the browser tests' accessibility checks (tests/browser/axe.py), and FullCalendar, whose browser
# bundle is vendored into the package's static files by `make vendor` (installing from PyPI needs no npm);
# reinstalled when package.json or package-lock.json changes. Without npm the browser tests skip their accessibility checks and say so.
node_modules/.installed: package.json $(wildcard package-lock.json)
	@if command -v npm >/dev/null 2>&1; then \
		if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi \
		&& touch $@; \
	else \
		echo "npm is not installed: skipping axe-core, the browser tests will skip their accessibility checks."; \
	fi

install: $(VENV)/.installed-test node_modules/.installed

sandbox: $(VENV)/.installed-sandbox
	BIN=$(BIN) scripts/sandbox.sh

test: $(VENV)/.installed-test node_modules/.installed
	BIN=$(BIN) scripts/test.sh $(PYTEST_ARGS)

# Copy FullCalendar's browser bundle from node_modules into wagtail_booking/static (after changing its version).
vendor: node_modules/.installed
	scripts/vendor_fullcalendar.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check wagtail_booking tests sandbox benchmarks

clean:
	rm -rf $(VENV) sandbox/var node_modules
