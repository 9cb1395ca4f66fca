PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/journeysim: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/journeysim

run: $(BIN)/journeysim
	$(BIN)/journeysim run scenarios/quickstart.yaml --out out/quickstart

test: $(BIN)/journeysim
	-bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n 2 tests

bench: $(BIN)/journeysim
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out
