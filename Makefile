# The two commands of the README: `make demo` (install and start with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo run-install install test lint bench clean

# Running the platform needs only the package; the test command adds the test extras (torch, Playwright, …).
$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: $(VENV)/.run-installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run-install: $(VENV)/.run-installed

install: $(VENV)/.installed

demo: run-install
	IPCITY_DEMO=1 $(VENV)/bin/ipcity demo

test: install
	bash scripts/install-system-deps.sh
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/web.py

clean:
	rm -rf $(VENV) var
