# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint run check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/agenda-bot demo

test: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/mypy bot handlers storage bench
	$(BIN)/pytest -q

run: $(STAMP)
	$(BIN)/agenda-bot run

bench: $(STAMP)
	$(BIN)/python -m bench.packs
	$(BIN)/python -m bench.broadcast

check: $(STAMP)
	$(BIN)/agenda-bot check $${AGENDA_CONSULTATION:-consultations/hagenow.yaml}

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
