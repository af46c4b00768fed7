# The bone marrow edema assistant. `make run` to chat, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
RASA := $(BIN)/rasa
MODEL := models/bme-assistant.tar.gz
RASA_PORT ?= 5005
ACTION_PORT ?= 5055
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
# Embedded SQLite tracker store of the local profile (see endpoints.yml).
export TRACKER_DB ?= $(CURDIR)/conversations.db
# Quieter TensorFlow start-up; its CUDA/oneDNN notices are harmless here.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

TRAINING_FILES := config.yml domain.yml $(shell find data components -name '*.yml' -o -name '*.py' 2>/dev/null)
# Test steps after the unit tests; included makefiles append to it.
TEST_STEPS := test-unit validate-rasa test-stories test-integration
-include mk/*.mk

.PHONY: help install run shell train test test-unit validate-rasa test-stories test-integration benchmark clean

help:
	@echo "make run     start the assistant (installs and trains when needed)"
	@echo "make shell   chat with it in this terminal"
	@echo "make test    the whole test suite"
	@echo "make train   retrain the model"
	@echo "make benchmark  training time, model size and turn latency"
	@echo "make validate / test-nlu / crossval / inbox / annotate / merge   the trainers' loop (docs/TRAINING.md)"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PYTHON) || { python=$$(scripts/find-python.sh) && "$$python" -m venv $(VENV); }
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_FILES)
	$(RASA) train --fixed-model-name bme-assistant --out models
	@touch $@

run: $(MODEL)
	@scripts/serve.sh run

shell: $(MODEL)
	@scripts/serve.sh shell

test: $(TEST_STEPS)
	@echo "All test steps passed: $(TEST_STEPS)"

test-unit: $(VENV)/.installed
	$(BIN)/pytest -q tests/unit

validate-rasa: $(VENV)/.installed
	$(RASA) data validate --fail-on-warning

test-stories: $(MODEL)
	$(RASA) test core --e2e --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out reports/stories

test-integration: $(MODEL)
	$(BIN)/pytest -q tests/integration

benchmark: $(MODEL)
	$(PYTHON) benchmarks/single_user.py

clean:
	rm -rf models reports results .pytest_cache

