# ecredit — the two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1:8000

.PHONY: run test test-pg bench install sysdeps sysdeps-run messages lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# System packages: chromium (end-to-end tests, evidence capture), a CJK font, gettext (translations),
# pango (WeasyPrint's PDF documents) and poppler-utils (tests render PDFs to PNG with pdftoppm).
sysdeps:
	@scripts/sysdeps.sh chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 poppler-utils

sysdeps-run:
	@scripts/sysdeps.sh chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0

messages: install
	cd src/ecredit && ECREDIT_VAR_DIR=$(CURDIR)/var ../../$(BIN)/ecredit compilemessages -v0

run: install sysdeps-run messages
	$(BIN)/ecredit migrate --noinput -v0
	$(BIN)/ecredit demo --if-empty
	@echo "ecredit 运行于 / serving at http://$(HOST)/"
	DEBUG=true scripts/serve.sh $(BIN) $(HOST)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/ecredit makemigrations --check --dry-run -v0

test: install sysdeps messages lint
	$(BIN)/pytest

# The database tests again, against a real PostgreSQL 15 started for the run and stopped after it.
test-pg: install sysdeps messages
	scripts/with-postgres.sh $(BIN)/pytest

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
