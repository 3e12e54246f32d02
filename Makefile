# Forethought: `make run` serves the demo, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run PORT=8001` (or HOST=0.0.0.0) serves elsewhere; links made outside a request
# (the demo's login line, emails from tasks) follow it through FORETHOUGHT_HOST/_PORT.
HOST ?= 127.0.0.1
PORT ?= 8000
RUN_ENV := FORETHOUGHT_HOST=$(HOST) FORETHOUGHT_PORT=$(PORT)

.PHONY: run test install lint fmt migrate seed worker clean bench reset typecheck browser-deps gettext-deps messages pdf-deps

$(STAMP): pyproject.toml
	@# Debian splits venv out of python3; install it when missing (needs root or sudo).
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "python3-venv is missing; installing it with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: pdf-deps seed
	@echo "Serving Forethought on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(RUN_ENV) $(VENV)/bin/celery -A config worker --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# With CI=true the integration and browser tests must run (they fail if a service is
# missing); locally they are skipped when PostgreSQL, Redis or chromium are absent.
typecheck: install
	$(VENV)/bin/mypy

# The browser tests drive Debian's chromium through Playwright (no browser download):
# install it with apt when it is missing, so `make test` runs the same suite as CI (.ci/run).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# gettext (msgfmt, xgettext) compiles the feedback portal's translations and lets the
# locale test extract its msgids afresh: install it with apt when it is missing.
gettext-deps:
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "Installing gettext for the translations"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }

# After changing a translatable string of the feedback portal: extract, translate the new
# msgids in reviews/feedback/locale/*/LC_MESSAGES/django.po, then compile.
messages: install gettext-deps
	cd reviews/feedback && ../../$(VENV)/bin/django-admin makemessages -l es -l fr -l ar --no-location --no-obsolete
	cd reviews/feedback && ../../$(VENV)/bin/django-admin compilemessages

# The dossiers (audits/dossiers) render with WeasyPrint, which needs pango, and their tests
# read PDFs with poppler's pdftotext and pdftoppm: install them with apt when missing.
pdf-deps:
	@{ command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && \
	  ldconfig -p | grep -q libpangoft2-1.0; } || { \
	  echo "Installing poppler-utils and pango for the PDF dossiers"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils \
	    libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

test: install browser-deps gettext-deps pdf-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	FORETHOUGHT_VAR_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run
	@# The unit, browser and fuzzing tests run on every core (pytest-xdist; PYTEST_WORKERS=0
	@# runs them in one process); the integration pass below stays in one process.
	$(VENV)/bin/pytest -m "not integration" -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)
	@echo "--- integration pass: PostgreSQL, Redis and a real celery worker ---"
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forethought} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	  $(VENV)/bin/pytest -m integration -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	@ls benchmarks/*.py >/dev/null 2>&1 && for b in benchmarks/*.py; do $(PY) $$b; done || echo "no benchmarks yet"

# Start the demo from scratch: the development database, uploads and checkpoints go.
reset:
	rm -rf var/forethought.sqlite3 var/media var/event-checkpoints
	@echo "Development data removed; make run seeds the demo again."

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
