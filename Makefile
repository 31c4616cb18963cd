# Balai — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: demo test setup assets messages migrate serve bench lint typecheck openapi check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	mkdir -p var && test -f var/dev.env || echo "BALAI_ENV=development" > var/dev.env
	touch $(STAMP)

assets: $(STAMP)
	$(BIN)/python frontend/copy_assets.py

messages: $(STAMP)
	test ! -d balai/locale || (cd balai && BALAI_ENV=development ../$(BIN)/balai compilemessages >/dev/null)

setup: $(STAMP) assets messages

migrate: setup
	BALAI_ENV=development $(BIN)/balai migrate --no-input

## make demo: set up, load Kota Banjarbaru and serve web + worker + scheduler on http://127.0.0.1:$(PORT)
demo: migrate
	BALAI_ENV=development $(BIN)/balai demo
	BALAI_ENV=development $(BIN)/balai run --port $(PORT)

## make test: the same set-up, then the whole suite (BALAI_DATABASE_URL selects PostgreSQL)
test: setup
	BALAI_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	BALAI_ENV=test $(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	BALAI_ENV=test $(BIN)/mypy balai

openapi: $(STAMP)
	BALAI_ENV=test $(BIN)/balai export_openapi > docs/openapi.json

check: lint typecheck test

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache balai/static/vendor
