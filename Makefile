# Chantier — two commands: `make run` (set up and start) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
CHANTIER := $(VENV)/bin/chantier
export DJANGO_SETTINGS_MODULE := chantier.settings

.PHONY: run test setup assets static db demo lint typecheck check chromium clean messages bench

run: setup static db demo
	@echo
	@echo "  Chantier: http://127.0.0.1:$${PORT:-8000}/   login: demo / chantier-demo"
	@echo "  (Ctrl-C stops the web server and the worker)"
	@echo
	$(CHANTIER) serve

test: setup chromium static
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	@PYTHON=$$(scripts/find-python.sh) || exit 1; \
	  [ -x $(PY) ] || "$$PYTHON" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

assets: src/chantier/static/vendor/htmx.min.js

src/chantier/static/vendor/htmx.min.js: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p src/chantier/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

static: setup
	$(CHANTIER) collectstatic --noinput --verbosity 0

db: setup
	$(CHANTIER) migrate --noinput

demo: db
	$(CHANTIER) demo

chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || { echo "apt-get install chromium failed"; exit 1; }; \
	else \
	  echo "The browser tests need Debian's chromium at /usr/bin/chromium:"; \
	  echo "  sudo apt-get install chromium   (then run make test again)"; exit 1; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

QUOTES_TYPED = $(wildcard src/chantier/quotes/engine*.py src/chantier/quotes/tender_*.py) \
	src/chantier/quotes/pricing.py src/chantier/quotes/line_services.py \
	src/chantier/quotes/building.py src/chantier/quotes/services.py

BILLING_TYPED = $(wildcard src/chantier/billing/engine*.py) src/chantier/einvoice

typecheck: setup
	$(VENV)/bin/mypy src/chantier/core src/chantier/catalogue/costing.py $(QUOTES_TYPED) \
		$(BILLING_TYPED) src/chantier/contracts/final_account_timeline.py src/chantier/analysis

check: lint typecheck
	$(CHANTIER) makemigrations --check --dry-run
	$(CHANTIER) check

messages: setup
	cd src/chantier && for app in core parties catalogue mail documents; do \
	  (cd $$app && ../../../$(CHANTIER) makemessages -l fr --no-obsolete >/dev/null); done
	cd src/chantier && ../../$(CHANTIER) makemessages -l fr --no-obsolete --ignore '*/*' >/dev/null

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules var src/chantier/static/vendor
