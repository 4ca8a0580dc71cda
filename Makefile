# wagtail-booking: `make sandbox` runs the demo site, `make test` runs the whole suite on PostgreSQL, then on SQLite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: sandbox test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# One stamp per set of extras, rebuilt when pyproject.toml changes.
$(VENV)/.installed-sandbox: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[sandbox,stripe]" --config-settings editable_mode=compat
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]" --config-settings editable_mode=compat
	touch $@

install: $(VENV)/.installed-test

sandbox: $(VENV)/.installed-sandbox
	BIN=$(BIN) scripts/sandbox.sh

test: $(VENV)/.installed-test
	BIN=$(BIN) scripts/test.sh $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check wagtail_booking tests sandbox benchmarks

clean:
	rm -rf $(VENV) sandbox/var
