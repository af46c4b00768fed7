"""The local profile (`make run`): an embedded SQLite store that outlives the servers,
bad requests, the closed HTTP API, quiet logs, and deleting stored conversations."""

import os
import shutil
import subprocess
import sys
import time

import pytest
import requests

from server.conversations import engine_for, purge_inactive
from tests.conversations import PLAN, PLAN_HEADING, asked, stored_events, texts
from tests.processes import ROOT, running_assistant
from tests.servers.conftest import LOGS

LOCAL_LOGS = LOGS / "local"
STORE = LOCAL_LOGS / "kept-conversations.db"
# Words of users' messages that no log line may contain.
PRIVATE = ["Quixotic", "Zebrafinch"]


@pytest.fixture(scope="module")
def restarted(assistant):
    """The Rasa server after a restart, the first run having started a plan and set an audience. Both runs
    use the shared action server: it keeps nothing between calls, the conversations are in the SQLite file."""
    shutil.rmtree(LOCAL_LOGS, ignore_errors=True)  # the logs and store of an earlier run
    local = {"extra_env": {"BME_TRACKER_DB": str(STORE)}, "action_url": assistant.action_url}
    with running_assistant(LOCAL_LOGS / "before-restart", **local) as first:
        for message, next_question in PLAN[:3]:
            assert asked(first.send("restart", message), next_question)
        first.send("audience", "I'm an orthopaedic surgeon")
        first.send("private", f"my neighbour {PRIVATE[0]} says my knee has bone marrow edema")
    with running_assistant(LOCAL_LOGS / "after-restart", **local) as second:
        yield second


def test_a_plan_continues_after_the_servers_restart(restarted):
    for message, next_question in PLAN[3:-1]:
        assert asked(restarted.send("restart", message), next_question)
    assert texts(restarted.send("restart", PLAN[-1][0]))[0].startswith(PLAN_HEADING)


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"message": "hi"}', 400),
        (b'{"sender": "", "message": "hi"}', 400),
        (b'{"sender": "x", "message": 42}', 400),
        (b'{"sender": "x", "message": "hi", "metadata": "nope"}', 400),
        (b'{"sender": "x", "message": "' + b"a" * 10_001 + b'"}', 413),
        (b'{"sender": "x", "message": "' + b"a" * 70_000 + b'"}', 413),
    ],
)
def test_malformed_or_oversized_requests_are_rejected(restarted, body, status):
    response = requests.post(
        f"{restarted.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status, response.text
    assert restarted.send("after-bad-request", "hi")  # and the server still answers


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/restart/tracker"),
        ("GET", "/status"),
        ("PUT", "/model"),
        ("POST", "/conversations/restart/messages"),
    ],
)
def test_the_http_api_is_not_enabled(restarted, method, path):
    assert requests.request(method, f"{restarted.rasa_url}{path}", json={}, timeout=30).status_code == 404


def test_logs_hold_no_message_text(restarted):
    restarted.send("private", f"does iloprost help {PRIVATE[1]}?")
    restarted.send("private", "")
    logs = [path.read_text() for path in [*LOCAL_LOGS.glob("*/*.log"), LOGS / "action-server.log"]]
    assert len(logs) == 3 and "Rasa server is up and running" in "".join(logs)
    for word in PRIVATE:
        assert word not in "".join(logs)


def test_forget_deletes_one_users_conversations(restarted):
    assert "Which best describes you?" not in texts(restarted.send("audience", "hi"))  # set before the restart
    result = subprocess.run(
        [sys.executable, "-m", "server.conversations", "forget", "audience"],
        cwd=ROOT,
        env={**os.environ, "BME_TRACKER_DB": str(STORE)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("Deleted "), result
    url = f"sqlite:///{STORE}"
    assert stored_events(url, "audience") == [] and stored_events(url, "restart")
    # The assistant no longer knows who this user is.
    assert "Which best describes you?" in texts(restarted.send("audience", "hi"))


def test_purge_deletes_conversations_inactive_for_the_retention_period(restarted, tmp_path):
    copy = tmp_path / "conversations.db"
    shutil.copy(STORE, copy)
    result = subprocess.run(
        [sys.executable, "-m", "server.conversations", "--store", str(copy), "purge"],
        cwd=ROOT,
        env={**os.environ, "BME_RETENTION_DAYS": "30"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("Deleted 0 conversations"), result
    assert stored_events(f"sqlite:///{copy}", "restart")

    engine = engine_for(str(copy))
    month_later = time.time() + 31 * 24 * 60 * 60
    assert purge_inactive(engine, 30, now=month_later) >= 3
    assert purge_inactive(engine, 30, now=month_later) == 0
    engine.dispose()
    assert stored_events(f"sqlite:///{copy}", "restart") == []
