# Two promises: `make run` and `make test` work on a fresh clone; each sets up what is missing first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# pytest-xdist workers for `make test`: one per core and one more, since the end-to-end tests spend
# much of their time waiting on a bot process. `make test TEST_WORKERS=0` runs them one by one.
# Tests go out two at a time (--maxschedchunk), the ones marked slow first (tests/conftest.py),
# so that the workers finish together: xdist's default hands each worker a quarter of its share
# in one block, and the worker that got the long tests then ran alone for the last 20 s or more.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
STAMP := $(VENV)/.installed

.PHONY: run test bench lint knowledge diagram clean stats browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m knowledge build --quiet
	$(PY) -m bot run-auto

# Chromium and its driver from Debian, for the test that opens the figures page in a real browser
# (tests/test_stats_browser.py; without root it is skipped, saying so).
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
		|| echo "browser: Chromium could not be installed: the browser test will be skipped"; \
	else echo "browser: no Chromium and no root: the browser test will be skipped"; fi

test: $(STAMP) browser
	$(PY) -m pytest -q -n $(TEST_WORKERS) --maxschedchunk 2

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy bot dialogs knowledge locales bench tests

bench: $(STAMP)
	$(PY) -m bench

# The anonymous figures (bot/stats/) as var/stats/cijfers.html and var/stats/cijfers.csv.
stats: $(STAMP)
	$(PY) -m bot stats

knowledge: $(STAMP)
	$(PY) -m knowledge check
	$(PY) -m knowledge build

# The flow's picture in dialogs/data/README.md, redrawn from flow.yaml (a test keeps it current).
diagram: $(STAMP)
	$(PY) -m dialogs diagram --readme dialogs/data/README.md

clean:
	rm -rf $(VENV) var build *.egg-info
