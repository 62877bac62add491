# The two commands a new machine needs: `make run` and `make test`.
# Both create .venv and install what they need; re-running skips what is done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KLYNGE_DATABASE_URL ?= sqlite+aiosqlite:///./klynge.db

.PHONY: run test fuzz lint typecheck migrations-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.install-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.install-stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.install-stamp

# The demo signs tokens with a random secret of its own, kept in .env (made once).
run: $(VENV)/.install-stamp
	$(BIN)/klynge ensure-secret
	$(BIN)/klynge migrate
	$(BIN)/klynge demo-data
	$(BIN)/klynge serve --skip-migrations

test: $(VENV)/.install-stamp-test
	$(BIN)/pytest

# Schemathesis over real HTTP: `klynge serve` on a fresh PostgreSQL database with the
# demo data, as a write key, anonymously and as a public key (see .ci/schemathesis).
fuzz: $(VENV)/.install-stamp-test
	BIN=$(BIN) bash .ci/schemathesis

lint: $(VENV)/.install-stamp-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.install-stamp-test
	$(BIN)/mypy

# The models and the migrations describe the same schema.
migrations-check: $(VENV)/.install-stamp-test
	rm -f .alembic-check.db
	KLYNGE_DATABASE_URL=sqlite+aiosqlite:///./.alembic-check.db $(BIN)/alembic upgrade head
	KLYNGE_DATABASE_URL=sqlite+aiosqlite:///./.alembic-check.db $(BIN)/alembic check
	rm -f .alembic-check.db*

$(VENV)/.install-stamp-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.install-stamp-test $(VENV)/.install-stamp

# Klynge against a hand-written limit and a template-style peer on PostgreSQL
# (127.0.0.1:5432): see bench/README.md. Installs wrk (Debian's package) when missing.
bench: $(VENV)/.install-stamp-bench
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
		|| echo "wrk could not be installed: the benchmark falls back to a slower httpx load loop"
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) klynge.db klynge.db-* .pytest_cache .mypy_cache .ruff_cache
