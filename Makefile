# Two commands do everything (see README):
#   make shell   set up, validate, train if the data changed, then chat with the assistant
#   make test    set up, then run the test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup shell test validate train clean services

setup: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

validate: setup
	$(PY) cli.py validate

train: validate
	$(PY) cli.py train

shell: train
	$(PY) cli.py shell

services:
	bash scripts/install-test-services.sh

test: setup services
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) models .pytest_cache
