# Trainers' workflow (docs/TRAINING.md): chat, inbox, annotate, merge, validate, train, evaluate.
TRAINER := $(PYTHON) -m trainer
# The gate of `make test` on the held-out set: raise it as the data grows.
NLU_MIN_MACRO_F1 ?= 0.90
NLU_TEST_DATA := tests/nlu_test.yml
NLU_REPORTS := reports/nlu
CROSSVAL_REPORTS := reports/crossval
CROSSVAL_FOLDS ?= 5
# The inbox holds real users' messages: reports/ is kept out of version control.
INBOX ?= reports/inbox.yml
STORE ?= $(TRACKER_DB)

TEST_STEPS += validate test-nlu-gate

.PHONY: validate test-nlu test-nlu-gate crossval inbox annotate merge

validate: validate-rasa
	$(TRAINER) check

# Old reports go first: Rasa writes intent_errors.json only when there are errors.
test-nlu: $(MODEL)
	rm -rf $(NLU_REPORTS)
	$(RASA) test nlu --nlu $(NLU_TEST_DATA) --model $(MODEL) --out $(NLU_REPORTS)
	$(TRAINER) report $(NLU_REPORTS)

test-nlu-gate: test-nlu
	$(TRAINER) gate $(NLU_REPORTS) --min-macro-f1 $(NLU_MIN_MACRO_F1)

crossval: $(VENV)/.installed
	rm -rf $(CROSSVAL_REPORTS)
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds $(CROSSVAL_FOLDS) \
		--out $(CROSSVAL_REPORTS)
	$(TRAINER) report $(CROSSVAL_REPORTS)

inbox: $(VENV)/.installed
	$(TRAINER) inbox --store "$(STORE)" --out $(INBOX) $(if $(INBOX_THRESHOLD),--threshold $(INBOX_THRESHOLD)) \
		$(if $(FORCE),--force)

annotate: $(VENV)/.installed
	$(TRAINER) annotate $(INBOX)

merge: $(VENV)/.installed
	$(TRAINER) merge $(INBOX)
