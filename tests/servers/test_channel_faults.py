"""Slack and Teams users with the action server down: the try-again message in
their conversation within seconds, never silence."""

import os
import time

import pytest

from bme.knowledge import knowledge_base
from channels.formatting import slack_message, teams_message
from tests.processes import free_port, rasa_server
from tests.servers.clients import direct_message, say, signed_post
from tests.servers.conftest import CHANNEL_ENV, LOGS

UNAVAILABLE = knowledge_base().messages["temporarily_unavailable"].text
FEW_SECONDS = 5


@pytest.fixture(scope="module")
def no_action_server(assistant):
    """A second Rasa server with every channel, whose action server is not running
    (``assistant`` wrote the channels' credentials)."""
    logs = LOGS / "no-action-server"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "conversations.db").unlink(missing_ok=True)
    env = {
        **os.environ,
        **CHANNEL_ENV,
        "BME_ACTION_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}/webhook",
        "BME_TRACKER_DB": str(logs / "conversations.db"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    with rasa_server(logs, env, credentials=LOGS / "credentials.yml") as rasa:
        yield rasa


def test_slack_user_is_told_to_try_again(no_action_server, slack_api, dm):
    user, channel = dm
    started = time.monotonic()
    reply = signed_post(no_action_server, direct_message(user, channel, "what is bone marrow edema?"))
    [answer] = slack_api.posts_to(channel, 1)
    assert reply.status_code == 200 and time.monotonic() - started < FEW_SECONDS
    assert answer["text"] == slack_message(UNAVAILABLE)["text"]


def test_teams_user_is_told_to_try_again(no_action_server, bot_framework, conversation):
    conversation_id, user = conversation
    started = time.monotonic()
    say(no_action_server, bot_framework, conversation_id, user, text="what is bone marrow edema?")
    [answer] = bot_framework.replies_in(conversation_id, 1)
    assert time.monotonic() - started < FEW_SECONDS
    assert answer.body["text"] == teams_message(UNAVAILABLE)["text"]
