#!/usr/bin/env bash
# Start the action server, wait until it answers, then the Rasa server
# (`run`) or a terminal chat (`shell`). Ctrl-C stops both.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."
BIN=.venv/bin
BME_RASA_PORT=${BME_RASA_PORT:-5005}
BME_ACTION_PORT=${BME_ACTION_PORT:-5055}
export BME_ACTION_ENDPOINT_URL=${BME_ACTION_ENDPOINT_URL:-http://127.0.0.1:$BME_ACTION_PORT/webhook}
export BME_TRACKER_DB=${BME_TRACKER_DB:-$PWD/conversations.db}
# The printable plan's link (docs/CHANNELS.md): where users reach the Rasa server.
export BME_PUBLIC_URL=${BME_PUBLIC_URL:-http://127.0.0.1:$BME_RASA_PORT}
# Profile (docs/PRODUCTION.md): local keeps conversations in the SQLite file BME_TRACKER_DB;
# BME_PROFILE=production uses PostgreSQL (BME_DATABASE_URL) and the Redis lock store.
ENDPOINTS=endpoints.yml
if [ "${BME_PROFILE:-local}" = production ]; then
  ENDPOINTS=endpoints.production.yml
  : "${BME_DATABASE_URL:?BME_PROFILE=production needs BME_DATABASE_URL (postgresql://user:password@host:5432/db)}"
  export BME_REDIS_HOST=${BME_REDIS_HOST:-127.0.0.1} BME_REDIS_PORT=${BME_REDIS_PORT:-6379}
  export BME_REDIS_PASSWORD=${BME_REDIS_PASSWORD:-}
fi
# Delete conversations inactive for BME_RETENTION_DAYS (default 30).
if [ "$ENDPOINTS" != endpoints.yml ] || [ -f "$BME_TRACKER_DB" ]; then
  "$BIN/python" -m server.conversations purge
fi

SANIC_HOST=127.0.0.1 "$BIN/rasa" run actions --port "$BME_ACTION_PORT" --actions actions &
action_pid=$!
trap 'kill $action_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$BME_ACTION_PORT/health" >/dev/null 2>&1 && break
  kill -0 $action_pid 2>/dev/null || { echo "The action server failed to start (see above)." >&2; exit 1; }
  sleep 0.5
done

if [ "$mode" = shell ]; then
  "$BIN/rasa" shell --model models/bme-assistant.tar.gz --endpoints "$ENDPOINTS"
  exit
fi

# Channels (docs/CHANNELS.md): REST and the web chat page, plus Slack and Teams when
# BME_SLACK_TOKEN / BME_TEAMS_APP_ID are set; the page is served on BME_WEB_PORT.
BME_WEB_PORT=${BME_WEB_PORT:-8080}
# Teams: the settings its app type does not use (BME_TEAMS_APP_TYPE) may stay unset; Rasa needs them defined.
export BME_TEAMS_APP_TYPE=${BME_TEAMS_APP_TYPE:-} BME_TEAMS_TENANT_ID=${BME_TEAMS_TENANT_ID:-}
export BME_TEAMS_APP_PASSWORD=${BME_TEAMS_APP_PASSWORD:-}
credentials=$(mktemp --suffix=.yml)
"$BIN/python" -m channels.credentials "$credentials"
"$BIN/python" -m web.serve --port "$BME_WEB_PORT" --rasa-url "http://127.0.0.1:$BME_RASA_PORT" &
web_pid=$!
trap 'kill $action_pid $web_pid 2>/dev/null || true; rm -f "$credentials"' EXIT

cat <<MSG
The assistant is starting on http://127.0.0.1:$BME_RASA_PORT (ready when Rasa logs "Rasa server is up and running").
Chat with it:
  - in your browser:  http://127.0.0.1:$BME_WEB_PORT/
  - in this terminal instead:  make shell
  - over REST:  curl -s -XPOST http://127.0.0.1:$BME_RASA_PORT/webhooks/rest/webhook \\
                  -H 'Content-Type: application/json' -d '{"sender": "me", "message": "What is bone marrow edema?"}'
MSG
"$BIN/rasa" run --model models/bme-assistant.tar.gz --endpoints "$ENDPOINTS" \
  --credentials "$credentials" --interface 127.0.0.1 --port "$BME_RASA_PORT" \
  --cors "http://127.0.0.1:$BME_WEB_PORT" "http://localhost:$BME_WEB_PORT"
