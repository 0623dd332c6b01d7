# Approdo: `make run` starts the app, `make test` runs every test.
# Each target sets up what it needs on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/approdo.db
PORT ?= 8501
PYTEST_ARGS ?=
# Test processes (pytest-xdist): the browser journeys spend much of their time waiting on Chromium and the server,
# so one more process than the 2 cores keeps both busy (from a clone at idle: 2 processes 612 s, 3 496 s, 4 532 s).
# TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 3

.PHONY: run test bench lint lock system-deps clean

# pyproject.toml is the one list of dependencies; requirements.txt (runtime) and requirements-dev.txt (runtime and
# dev) are its lock files, made by `make lock` (uv): every package pinned, what a fresh clone installs.
$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(DB): | $(VENV)/.runtime
	APPRODO_DB=$(DB) $(PY) cli.py init-db --demo

run: $(VENV)/.runtime $(DB)
	APPRODO_DB=$(DB) $(VENV)/bin/streamlit run server.py --server.port $(PORT)

# Debian's Chromium for the browser tests (never a browser download) and
# LibreOffice (and poppler's pdftotext) for opening exported Word files, installed only when running
# as root and missing. Without them those tests are skipped, not failed.
system-deps:
	@if [ "$$(id -u)" = "0" ]; then \
	  missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	  command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	fi

test: $(VENV)/.dev system-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench

lock: $(VENV)/.dev
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 pyproject.toml -o requirements.txt
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.txt

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache bench/results
