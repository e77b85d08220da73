# Tadamon — two commands: `make run` and `make test` (and `make e2e` for the browser tests).
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
export TADAMON_NO_APP :=
LANGS := fr ar en

.PHONY: run test install install-test i18n extract-messages db seed serve e2e bench clean deploy-check

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.installed
	$(VENV)/bin/pip install -q -r requirements-test.txt
	touch $@

$(VENV)/.e2e-installed: requirements-e2e.txt $(VENV)/.test-installed
	$(VENV)/bin/pip install -q -r requirements-e2e.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.test-installed

## Compile the French, Arabic and English catalogues (.mo files are build products, untracked):
## `make run`, `make test` and `make e2e` touch no tracked file. Refreshing the .po files from the
## code is `make extract-messages`, a developer's step whose result is committed.
i18n: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -f -d translations

## Extract marked strings and merge them into every catalogue (developers).
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_pgettext:1c,2 \
	  --ignore-dirs='.* _* .venv tests bench migrations instance node_modules' \
	  --project=Tadamon --omit-header --add-location=file --sort-output -o translations/messages.pot .
	for l in $(LANGS); do $(VENV)/bin/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations -l $$l; done
	$(PY) tools/apply_translations.py

## Upgrade the database, and load the demo data when it is empty.
db: i18n
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty

run: db
	@echo "Tadamon on http://127.0.0.1:$(PORT)/"
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-1} --threads $${GUNICORN_THREADS:-4} \
	  --access-logfile - wsgi:app

## The whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
test: install-test i18n
	$(VENV)/bin/lint-imports --no-cache
	env -u TEST_DATABASE_URL TADAMON_NO_APP=1 $(VENV)/bin/pytest -q -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
	  TADAMON_NO_APP=1 $(VENV)/bin/pytest -q -p no:cacheprovider; \
	fi

## Browser tests: the app under gunicorn on a free port, Debian's chromium driven by Playwright
## (no browser download). A failing test leaves a screenshot in tests/e2e/screenshots/.
## axe-core (accessibility rules) from the npm registry, for the tests only: injected into the
## pages by tests/e2e/a11y.py, never served by the app; tests/e2e/node_modules is not in git.
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE):
	@command -v npm >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq npm; }
	npm install --prefix tests/e2e --no-save --no-package-lock --no-audit --no-fund --silent axe-core@4

## E2E_WORKERS: pytest-xdist workers (each runs its own gunicorn and database); 0 runs in one process.
E2E_WORKERS ?= auto
e2e: $(VENV)/.e2e-installed i18n $(AXE)
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
	  echo "== installing Debian's chromium"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi
	rm -rf tests/e2e/screenshots
	env -u TEST_DATABASE_URL TADAMON_NO_APP=1 $(VENV)/bin/pytest -q -p no:cacheprovider -m e2e \
	  -n $(E2E_WORKERS) --dist loadgroup tests/e2e

## Past one machine: two app instances behind nginx (Debian's, installed when missing) on one
## PostgreSQL, 16 tills selling through nginx while one instance stops (deploy/deploy_check.py).
deploy-check: install i18n
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  echo "== installing Debian's nginx"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx; \
	fi
	env -u TEST_DATABASE_URL $(PY) deploy/deploy_check.py

## Benchmarks: a year of generated data (made when missing) on SQLite, and on PostgreSQL when
## BENCH_DATABASE_URL (or the local postgres@127.0.0.1/tadamon_bench) answers; prints the figures.
bench: install
	TADAMON_NO_APP=1 $(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite* translations/*/LC_MESSAGES/*.mo
