# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint run check bench clean system

# Before anything is installed: the system packages (else one message with the apt-get line) and
# a usable .venv (a broken one is removed and built again).
system:
	@command -v $(PYTHON) >/dev/null || { echo "agenda-bot: $(PYTHON) not found - Debian/Ubuntu: sudo apt-get install python3 python3-venv (or: make PYTHON=python3.12 ...)" >&2; exit 1; }
	@$(PYTHON) deploy/check_system.py --venv $(VENV)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: system
	@$(MAKE) --no-print-directory -s $(STAMP)

demo: install
	$(BIN)/agenda-bot demo

test: install
	$(BIN)/ruff check bot handlers storage tests bench deploy
	$(BIN)/ruff format --check bot handlers storage tests bench deploy
	$(BIN)/mypy bot handlers storage bench tests
	$(BIN)/pytest -q

run: install
	$(BIN)/agenda-bot run

# One table: taps/s, reply latency over HTTP, broadcast rate, pack times, memory (bench/suite.py).
bench: install
	$(BIN)/python -m bench.suite

check: install
	$(BIN)/agenda-bot check $${AGENDA_CONSULTATION:-consultations/hagenow.yaml}

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache

# The durable inbox under fire (tests/crash_harness.py; `make test` runs a short version).
.PHONY: crashtest fuzz
crashtest: $(STAMP)
	$(BIN)/python -m tests.crash_harness --kills 50

# 10,000 generated updates through the real bot (`make test` runs 200 of them).
fuzz: $(STAMP)
	AGENDA_FUZZ_EXAMPLES=10000 $(BIN)/pytest -q -n 0 tests/test_fuzz.py
