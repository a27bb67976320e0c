# Two commands: `make run` (set up + serve the demo on SQLite) and `make test` (set up + whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PG_URL ?= postgresql+psycopg://root@127.0.0.1:5432/test

.PHONY: run test serve-prod venv deps dev-deps migrate demo lint bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

deps: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

dev-deps: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

run: deps
	$(FLASK) db upgrade
	$(FLASK) demo-data
	@echo "Mở http://127.0.0.1:5000 — đăng nhập: admin / matkhau123 (xem thêm tài khoản mẫu ở trên)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production on one machine: gunicorn + RQ workers against PostgreSQL and Redis, migrations
# first (service/serve_prod.py); needs SECRET_KEY, DATABASE_URL and REDIS_URL.
serve-prod: deps
	$(BIN)/python -m service.serve_prod

# The suite runs on SQLite, then again on PostgreSQL when it is reachable (REQUIRE_POSTGRES=1
# makes an unreachable server an error, as in CI).
test: dev-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q
	@if $(BIN)/python -m tests.pg_available "$${TEST_PG_URL:-$${DATABASE_URL:-$(PG_URL)}}"; then \
		echo "== PostgreSQL =="; \
		TEST_DATABASE_URL="$${TEST_PG_URL:-$${DATABASE_URL:-$(PG_URL)}}" $(BIN)/pytest -q -m "not browser"; \
	elif [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "PostgreSQL is required but not reachable"; exit 1; \
	else echo "PostgreSQL not reachable: suite ran on SQLite only"; fi

lint: dev-deps
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
