# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 5000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app daycentre
VENDOR := daycentre/static/vendor

.PHONY: run test bench check lint translations compile assets install demo-logins migration clean

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
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install assets compile
	$(BIN)/pytest $(PYTEST_ARGS)

# The county benchmark (docs/performance.md): builds or reuses a county database, times the pages
# of issue 14 and exits non-zero when a target is missed. DATABASE_URL picks the database (SQLite
# in instance/bench/ by default); BENCH_ARGS passes options: --rebuild, --requests N, --only PAGE.
bench: install assets compile
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check daycentre tests benchmarks migrations/env.py
	$(BIN)/ruff format --check daycentre tests benchmarks migrations/env.py

check: lint compile
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
