# Kota Pintar — the two commands: `make run` (set up and serve) and `make test`.
# Everything a fresh Debian machine with Python 3.11 and Node 20 needs is done here.

PYTHON_BIN ?= python3.11
VENV       ?= .venv
PY         := $(VENV)/bin/python
PORT       ?= 8000
HOST       ?= 127.0.0.1
WORKERS    ?= 2
export DJANGO_SETTINGS_MODULE ?= kotapintar.settings

VENV_STAMP   := $(VENV)/.installed
ASSETS_STAMP := node_modules/.installed

.PHONY: help setup run test test-fast e2e bench lint format check-migrations openapi openapi-check \
        messages compilemessages ci clean venv assets

help:
	@echo "make run      set everything up (venv, packages, assets, database, reference + demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make setup    the same, without serving"
	@echo "make test     the whole suite (unit, API, browser); DATABASE_URL picks the database"
	@echo "make bench    the benchmarks under bench/"
	@echo "make lint     ruff, migrations check, OpenAPI drift check"

$(VENV_STAMP): requirements/base.txt requirements/dev.txt
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	@touch $@

venv: $(VENV_STAMP)

$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

kotapintar/static/vendor/.built: $(ASSETS_STAMP) scripts/build_assets.py $(VENV_STAMP)
	$(PY) scripts/build_assets.py
	@touch $@

assets: kotapintar/static/vendor/.built

# Database, reference data and demo data (each step is idempotent).
setup: venv assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py import_regions
	$(PY) manage.py import_boundaries --demo
	$(PY) manage.py import_agencies
	$(PY) manage.py import_categories
	$(PY) manage.py import_permit_types
	$(PY) manage.py import_services
	@test -f var/classifier/model.joblib || $(PY) manage.py train_classifier --no-reports
	$(PY) manage.py load_demo
	$(PY) manage.py refresh_report_stats

run: setup
	@echo "Kota Pintar is serving on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(VENV)/bin/gunicorn kotapintar.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 \
		--access-logfile - --graceful-timeout 5

test: setup
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Without the set-up step, for quick iterations.
test-fast:
	$(PY) -m pytest -x -q $(PYTEST_ARGS)

e2e: setup
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run_all.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_messages.py --extract
	$(MAKE) openapi-check

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: venv
	$(PY) manage.py spectacular --file docs/openapi.yaml --validate

openapi-check: venv
	$(PY) manage.py spectacular --file $(VENV)/openapi.check.yaml --validate
	diff -u docs/openapi.yaml $(VENV)/openapi.check.yaml || \
		(echo "docs/openapi.yaml is out of date: run 'make openapi' and commit it"; exit 1)

# Each app owns its catalogue (kotapintar/<app>/locale); the project one covers
# templates/, settings and whatever is not inside an app. msgids are English; the
# Indonesian catalogue must be complete (a test checks it).
APPS_WITH_LOCALE = $(patsubst kotapintar/%/locale,%,$(wildcard kotapintar/*/locale))
ALL_APPS = $(patsubst kotapintar/%/apps.py,%,$(wildcard kotapintar/*/apps.py))
messages: venv
	cd kotapintar && ../$(PY) ../manage.py makemessages -l id --no-location --no-obsolete \
		$(foreach a,$(ALL_APPS),-i "$(a)/*") -i "static/*" -i "testing/*"
	for app in $(APPS_WITH_LOCALE); do \
		(cd kotapintar/$$app && ../../$(PY) ../../manage.py makemessages -l id --no-location --no-obsolete -i "tests/*") || exit 1; \
	done
	@echo "now translate every empty or fuzzy msgstr, then: make compilemessages"

compilemessages: venv
	cd kotapintar && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) node_modules kotapintar/static/vendor staticfiles var
