"""Slack on loopback: signed events and button clicks reach the assistant, and
its answers go to Slack's Web API (a local stub) as mrkdwn text and blocks."""

import json
import time

import pytest
import requests

from bme.knowledge import knowledge_base
from tests.servers.clients import SLACK_SIGNING_SECRET, button_click, direct_message, signed_post

KB = knowledge_base()
# "does iloprost help?" is answered by this question card, its question as the heading.
ILOPROST_HEADING = KB.questions["iloprost_works"].question
DISCLAIMER = KB.disclaimers.clinical
AUDIENCE_BUTTONS = [(button.title, button.payload) for button in KB.messages["ask_audience"].buttons]


def test_url_verification_echoes_the_challenge(assistant):
    reply = signed_post(assistant, json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB"}).encode())
    assert reply.status_code == 200 and reply.json() == {"challenge": "3eZbrw1aB"}


def test_a_conversation_in_slack(assistant, slack_api, dm):
    user, channel = dm
    assert signed_post(assistant, direct_message(user, channel, "hello")).status_code == 200
    greeting, question = slack_api.posts_to(channel, 2)
    assert "I answer questions about bone marrow edema" in greeting["text"] and "blocks" not in greeting
    section, actions = question["blocks"]
    assert section["text"] == {"type": "mrkdwn", "text": "Which best describes you?"}
    assert [(button["text"]["text"], button["value"]) for button in actions["elements"]] == AUDIENCE_BUTTONS

    patient_button = AUDIENCE_BUTTONS[0][1]
    reply = signed_post(assistant, button_click(user, channel, patient_button), "application/x-www-form-urlencoded")
    assert reply.status_code == 200
    assert "plain language" in slack_api.posts_to(channel, 3)[2]["text"]

    signed_post(assistant, direct_message(user, channel, "does iloprost help?"))
    post = slack_api.posts_to(channel, 4)[3]
    answer = post["text"].split("\n")
    assert answer[0] == f"*{ILOPROST_HEADING}*"
    assert answer[1] == KB.questions["iloprost_works"].answer.patient  # the direct answer leads
    assert answer[2].startswith("• ") and "|[1]>" in answer[2]
    assert answer[-3].startswith("Sources: <https://") and answer[-2] == f"_{DISCLAIMER}_"
    assert answer[-1] == KB.messages["ask_feedback"].text
    thumbs = [button["text"]["text"] for button in post["blocks"][-1]["elements"]][-2:]
    assert thumbs == ["👍", "👎"]
    assert not any("**" in line or line.startswith("- ") for line in answer)


@pytest.mark.parametrize(
    "age_s, secret", [(0, "wrong-secret"), (600, SLACK_SIGNING_SECRET)], ids=["bad signature", "stale timestamp"]
)
def test_unsigned_or_replayed_requests_are_rejected(assistant, slack_api, dm, age_s, secret):
    user, channel = dm
    reply = signed_post(assistant, direct_message(user, channel, "hello"), age_s=age_s, secret=secret)
    assert reply.status_code == 401 and "signature" in reply.json()["error"]
    unsigned = requests.post(
        f"{assistant.rasa_url}/webhooks/slack/webhook",
        timeout=30,
        data=direct_message(user, channel, "hello"),
        headers={"Content-Type": "application/json"},
    )
    assert unsigned.status_code == 401
    signed_post(assistant, direct_message(user, channel, "hello"))  # then a signed one: only it is answered
    assert "I answer questions" in slack_api.posts_to(channel, 2)[0]["text"]
    time.sleep(2)
    assert len(slack_api.posts(channel)) == 2  # one greeting and its audience question


def test_bad_requests_get_a_clear_4xx_and_do_not_disturb_other_conversations(assistant, slack_api, dm):
    user, channel = dm
    bad = [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (
            json.dumps({"type": "event_callback", "event": {"type": "message", "text": "hi"}}).encode(),
            "application/json",
            400,
        ),
        (direct_message(user, channel, "x" * 10_001), "application/json", 413),
        (b'{"padding": "' + b"x" * 300_000 + b'"}', "application/json", 413),
        (b"payload=%7B", "application/x-www-form-urlencoded", 400),
        (b"hello", "text/plain", 415),
    ]
    for body, content_type, status in bad:
        reply = signed_post(assistant, body, content_type)
        assert reply.status_code == status and reply.text, (body[:40], reply.text)
    signed_post(assistant, direct_message(user, channel, "what is bone marrow edema?"))
    assert any("Sources: <https://" in post["text"] for post in slack_api.posts_to(channel, 1))
