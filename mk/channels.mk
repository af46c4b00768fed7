# Chat channels (README, "Channels"): the web chat page's widget, and the channel tests
# (web chat in Debian's chromium, Slack and Teams against local stubs).
WEB_WIDGET := web/node_modules/rasa-webchat/lib/index.js

TEST_STEPS += test-channels

.PHONY: web test-channels

web: $(WEB_WIDGET)

# The rasa-webchat bundle from the npm registry, as pinned in web/package-lock.json.
$(WEB_WIDGET): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

run: $(WEB_WIDGET)

test-channels: $(MODEL) $(WEB_WIDGET)
	$(BIN)/pytest -q tests/channels
