# Two promises: `make run` and `make test` work on a fresh clone; each sets up what is missing first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# pytest-xdist workers for `make test`: one per core and one more, since the end-to-end tests spend
# much of their time waiting on a bot process (on 2 cores: 146 s with 2 workers, 115 s with 3 or 4).
# `make test TEST_WORKERS=0` runs the tests one after another.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
STAMP := $(VENV)/.installed

.PHONY: run test bench lint knowledge diagram clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m knowledge build --quiet
	$(PY) -m bot run-auto

test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy bot dialogs knowledge locales bench tests

bench: $(STAMP)
	$(PY) -m bench

knowledge: $(STAMP)
	$(PY) -m knowledge check
	$(PY) -m knowledge build

# The flow's picture in dialogs/data/README.md, redrawn from flow.yaml (a test keeps it current).
diagram: $(STAMP)
	$(PY) -m dialogs diagram --readme dialogs/data/README.md

clean:
	rm -rf $(VENV) var build *.egg-info
