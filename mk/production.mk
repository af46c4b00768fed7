# Production profile, faults and stored conversations (README, "Production").
# Conversations inactive for this many days are deleted by `make purge-conversations`
# and when the servers start (scripts/serve.sh).
export CONVERSATION_RETENTION_DAYS ?= 30

TEST_STEPS += test-production

.PHONY: test-production forget-user purge-conversations benchmark-load

# Starts a throwaway PostgreSQL and Redis for the multi-server tests and stops them
# afterwards; without them those tests skip (and fail under CI=true).
test-production: $(MODEL)
	@mkdir -p reports; export BME_SERVICES_DIR=$$(mktemp -d "$(CURDIR)/reports/services.XXXXXX"); \
	trap 'scripts/test-services.sh stop' EXIT; \
	scripts/test-services.sh start || echo "PostgreSQL or Redis did not start: the tests that need them will skip."; \
	if [ -f "$$BME_SERVICES_DIR/services.env" ]; then set -a; . "$$BME_SERVICES_DIR/services.env"; set +a; fi; \
	$(BIN)/pytest -q tests/production

# make forget-user SENDER=<conversation id>: delete that user's stored conversations.
forget-user: $(VENV)/.installed
	@test -n "$(SENDER)" || { echo "usage: make forget-user SENDER=<conversation id>" >&2; exit 2; }
	$(PYTHON) -m ops.conversations forget "$(SENDER)"

purge-conversations: $(VENV)/.installed
	$(PYTHON) -m ops.conversations purge

# Load benchmark against this assistant and a stock `rasa init` one (a few minutes; README, "Production").
benchmark-load: $(MODEL)
	$(PYTHON) benchmarks/load.py
