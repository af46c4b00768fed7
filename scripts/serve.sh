#!/usr/bin/env bash
# Start the action server, wait until it answers, then the Rasa server
# (`run`) or a terminal chat (`shell`). Ctrl-C stops both.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
export TRACKER_DB=${TRACKER_DB:-$PWD/conversations.db}

"$BIN/rasa" run actions --port "$ACTION_PORT" --actions actions &
action_pid=$!
trap 'kill $action_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1 && break
  kill -0 $action_pid 2>/dev/null || { echo "The action server failed to start (see above)." >&2; exit 1; }
  sleep 0.5
done

if [ "$mode" = shell ]; then
  "$BIN/rasa" shell --model models/bme-assistant.tar.gz --endpoints endpoints.yml
  exit
fi

cat <<MSG
The assistant is starting on http://127.0.0.1:$RASA_PORT (ready when Rasa logs "Rasa server is up and running").
Chat with it:
  - in this terminal instead:  make shell
  - over REST:  curl -s -XPOST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
                  -H 'Content-Type: application/json' -d '{"sender": "me", "message": "What is bone marrow edema?"}'
MSG
"$BIN/rasa" run --model models/bme-assistant.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --interface 127.0.0.1 --port "$RASA_PORT" --cors "*"
