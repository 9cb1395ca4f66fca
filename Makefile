PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench notebook clean

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

# JupyterLab is heavy: it comes with the `notebook` extra on first use, not with the dev install.
$(BIN)/jupyter-lab: $(BIN)/journeysim
	$(BIN)/pip install --quiet -e '.[dev,notebook]'
	touch $(BIN)/jupyter-lab

# As root (a container), Jupyter refuses to start without --allow-root.
notebook: $(BIN)/jupyter-lab
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf $(VENV) out
