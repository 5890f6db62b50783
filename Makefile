# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 5000
HOST ?= 127.0.0.1
# make serve: worker processes (default 2 x cores + 1) and threads in each.
WORKERS ?= $(shell nproc 2>/dev/null | awk '{print 2 * $$1 + 1}' || echo 3)
THREADS ?= 4
# make run: two processes of eight threads on the local SQLite file (writes take turns).
RUN_WORKERS ?= 2
RUN_THREADS ?= 8
# make load: the server to drive and for how long.
LOAD_URL ?= http://127.0.0.1:$(PORT)
LOAD_TIME ?= 2m
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app daycentre
GUNICORN := $(BIN)/gunicorn --bind $(HOST):$(PORT) --timeout 60 --graceful-timeout 30 \
	--keep-alive 5 --access-logfile - --worker-tmp-dir /dev/shm --no-control-socket
VENDOR := daycentre/static/vendor

.PHONY: run serve load load-users test bench check lint translations compile assets install demo-logins migration clean

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end files come from the npm registry and are served by the app itself (no CDN).
assets: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/pico $(VENDOR)/axe
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

compile: install
	$(FLASK) i18n compile

run: install assets compile
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(GUNICORN) --workers $(RUN_WORKERS) --threads $(RUN_THREADS) 'daycentre:create_app()'

# The production server: gunicorn, DAYCENTRE_ENV=production, settings from the environment
# (README, "Running for a county"). It refuses to start without them.
serve: install assets compile
	@missing=""; \
	  [ -n "$$SECRET_KEY" ] || missing="$$missing SECRET_KEY"; \
	  [ -n "$$PSEUDONYM_KEY" ] || missing="$$missing PSEUDONYM_KEY"; \
	  [ -n "$$DATABASE_URL" ] || missing="$$missing DATABASE_URL"; \
	  case "$${RATELIMIT_STORAGE_URI:-memory://}" in memory://*) \
	    [ "$(WORKERS)" = 1 ] || missing="$$missing RATELIMIT_STORAGE_URI(redis://...|memcached://...)";; \
	  esac; \
	  if [ -n "$$missing" ]; then \
	    echo "make serve: production settings missing:$$missing" >&2; \
	    echo "  see README.md, 'Running for a county' (a shared throttling store is needed with WORKERS > 1)" >&2; \
	    exit 2; \
	  fi
	DAYCENTRE_ENV=production $(FLASK) db upgrade
	DAYCENTRE_ENV=production $(GUNICORN) --workers $(WORKERS) --threads $(THREADS) \
	  'daycentre:create_app()'

# Accounts and centres for the load test, in the database DATABASE_URL names (never a live one).
load-users: install
	$(BIN)/python -m loadtest.users

# 50 people for LOAD_TIME against a running server at LOAD_URL (make run, make serve).
load: install
	$(BIN)/locust -f loadtest/locustfile.py --headless --only-summary --users 50 \
	  --spawn-rate 5 --run-time $(LOAD_TIME) --stop-timeout 30 --host $(LOAD_URL)

test: install assets compile
	$(BIN)/pytest $(PYTEST_ARGS)

# The county benchmark (docs/performance.md): builds or reuses a county database, times the pages
# of issue 14 and exits non-zero when a target is missed. DATABASE_URL picks the database (SQLite
# in instance/bench/ by default); BENCH_ARGS passes options: --rebuild, --requests N, --only PAGE.
bench: install assets compile
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check daycentre tests loadtest benchmarks migrations/env.py
	$(BIN)/ruff format --check daycentre tests loadtest benchmarks migrations/env.py

check: lint compile
	$(BIN)/lint-imports
	$(FLASK) i18n check
	@db=$$(mktemp -d)/drift.sqlite; \
	  DATABASE_URL=sqlite:///$$db $(FLASK) db upgrade >/dev/null && \
	  DATABASE_URL=sqlite:///$$db $(FLASK) db check

# After changing strings: re-extract messages.pot and merge it into the catalogs.
translations: install
	$(FLASK) i18n update

# After changing models: make migration MESSAGE="what changed"
migration: install
	@db=$$(mktemp -d)/autogen.sqlite; \
	  DATABASE_URL=sqlite:///$$db $(FLASK) db upgrade && \
	  DATABASE_URL=sqlite:///$$db $(FLASK) db migrate -m "$(MESSAGE)"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
