"""Checks on what the channels receive, and the user's text in a Teams activity."""

import json
from urllib.parse import urlencode

import pytest

from channels.inbound import (
    MAX_MESSAGE_CHARS,
    bot_was_added,
    rest_request,
    slack_request,
    strip_mentions,
    teams_activity_problem,
    teams_user_text,
    web_message_problem,
)

TOO_LONG = "x" * (MAX_MESSAGE_CHARS + 1)
SLACK_MESSAGE = {
    "type": "event_callback",
    "event": {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "text": "hello"},
}
BUTTON_CLICK = {
    "type": "block_actions",
    "user": {"id": "U1"},
    "channel": {"id": "D1"},
    "actions": [{"type": "button", "value": "/greet"}],
}
TEAMS_MESSAGE = {
    "type": "message",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "channelId": "msteams",
    "conversation": {"id": "a:1"},
    "from": {"id": "29:user"},
    "recipient": {"id": "28:bot"},
    "text": "hello",
}


def with_event(**fields):
    return {**SLACK_MESSAGE, "event": {**SLACK_MESSAGE["event"], **fields}}


def form(payload):
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_slack_accepts_events_url_checks_and_button_clicks():
    assert slack_request("application/json", json.dumps(SLACK_MESSAGE).encode()) == (SLACK_MESSAGE, None)
    check = {"type": "url_verification", "challenge": "abc"}
    assert slack_request("application/json", json.dumps(check).encode()) == (check, None)
    assert slack_request("application/x-www-form-urlencoded", form(BUTTON_CLICK)) == (BUTTON_CLICK, None)


def test_slack_ignores_events_it_does_not_answer():
    for body in ({"type": "app_rate_limited"}, with_event(bot_id="B1", user=None), with_event(subtype="x", text="")):
        assert slack_request("application/json", json.dumps(body).encode())[1] is None


@pytest.mark.parametrize(
    "content_type, body, status, reason",
    [
        ("application/json", b"{not json", 400, "JSON object"),
        ("application/json", b"[1, 2]", 400, "JSON object"),
        ("application/json", b"\xff\xfe", 400, "JSON object"),
        ("text/plain", b"hello", 415, "Slack sends"),
        ("application/json", json.dumps({"type": "url_verification"}).encode(), 400, "'challenge'"),
        ("application/json", json.dumps({"type": "event_callback", "event": "x"}).encode(), 400, "'event'"),
        ("application/json", json.dumps(with_event(user=None)).encode(), 400, "'user'"),
        ("application/json", json.dumps(with_event(channel="")).encode(), 400, "'channel'"),
        ("application/json", json.dumps(with_event(text=["hi"])).encode(), 400, "'text'"),
        ("application/json", json.dumps({**SLACK_MESSAGE, "authorizations": "x"}).encode(), 400, "'authorizations'"),
        ("application/json", json.dumps(with_event(text=TOO_LONG)).encode(), 413, "longer than"),
        ("application/x-www-form-urlencoded", b"payload=%7Bbroken", 400, "'payload'"),
        ("application/x-www-form-urlencoded", b"other=1", 400, "'payload'"),
        ("application/x-www-form-urlencoded", form({**BUTTON_CLICK, "actions": []}), 400, "button clicks"),
        ("application/x-www-form-urlencoded", form({**BUTTON_CLICK, "user": {}}), 400, "'user.id'"),
        ("application/x-www-form-urlencoded", form({**BUTTON_CLICK, "message": "x"}), 400, "'message'"),
    ],
)
def test_slack_rejects_malformed_requests_with_a_reason(content_type, body, status, reason):
    _, rejection = slack_request(content_type, body)
    assert rejection.status == status and reason in rejection.reason


def test_teams_text_loses_mentions_of_the_bot():
    assert strip_mentions("<at>BME Assistant</at> what is  bone marrow edema?") == "what is bone marrow edema?"
    assert strip_mentions("Hi <at>BME\nAssistant</at>, hello") == "Hi , hello"


def test_teams_button_clicks_send_their_payload():
    click = {**TEAMS_MESSAGE, "text": "I'm a patient", "value": {"payload": "/set_audience"}}
    assert teams_user_text(click) == "/set_audience"
    assert teams_user_text({**TEAMS_MESSAGE, "value": {"other": 1}, "text": "<at>Bot</at> hi"}) == "hi"
    assert teams_user_text({**TEAMS_MESSAGE, "text": None}) == ""


def test_teams_greets_only_when_the_bot_itself_is_added():
    update = {**TEAMS_MESSAGE, "type": "conversationUpdate"}
    assert bot_was_added({**update, "membersAdded": [{"id": "29:user"}, {"id": "28:bot"}]})
    assert not bot_was_added({**update, "membersAdded": [{"id": "29:someone"}]})
    assert not bot_was_added({**update, "membersRemoved": [{"id": "28:bot"}]})


@pytest.mark.parametrize(
    "activity",
    [
        TEAMS_MESSAGE,
        {"type": "typing"},
        {"type": "invoke", "name": "x"},
        {**TEAMS_MESSAGE, "type": "conversationUpdate", "membersAdded": []},
    ],
)
def test_teams_accepts_activities_it_handles_or_ignores(activity):
    assert teams_activity_problem(activity) is None


@pytest.mark.parametrize(
    "change, status, reason",
    [
        ({"type": None}, 400, "'type'"),
        ({"conversation": None}, 400, "'conversation.id'"),
        ({"from": {"id": ""}}, 400, "'from.id'"),
        ({"recipient": "bot"}, 400, "'recipient.id'"),
        ({"serviceUrl": "file:///etc/passwd"}, 400, "'serviceUrl'"),
        ({"text": {"html": "x"}}, 400, "'text'"),
        ({"type": "conversationUpdate", "membersAdded": "bot"}, 400, "'membersAdded'"),
        ({"text": TOO_LONG}, 413, "longer than"),
    ],
)
def test_teams_rejects_malformed_activities_with_a_reason(change, status, reason):
    rejection = teams_activity_problem({**TEAMS_MESSAGE, **change})
    assert rejection.status == status and reason in rejection.reason


@pytest.mark.parametrize(
    "data",
    [
        {"message": "hi", "session_id": "s"},
        {"message": "hi", "customData": {"a": 1}},
        {"message": "hi", "customData": '{"a": 1}'},
        {"message": "hi", "customData": None},
    ],
)
def test_web_chat_accepts_widget_messages(data):
    assert web_message_problem(data, "customData") is None


@pytest.mark.parametrize(
    "data, status, reason",
    [
        ("hello", 400, "JSON object"),
        ({"message": 42}, 400, "'message'"),
        ({"message": "hi", "customData": "{broken"}, 400, "'customData'"),
        ({"message": "hi", "customData": [1]}, 400, "'customData'"),
        ({"message": TOO_LONG}, 413, "longer than"),
    ],
)
def test_web_chat_rejects_malformed_messages(data, status, reason):
    rejection = web_message_problem(data, "customData")
    assert rejection.status == status and reason in rejection.reason


def test_rest_accepts_a_sender_a_message_and_optional_metadata():
    fields, problem = rest_request({"sender": "me", "message": "hi", "metadata": {"language": "en"}})
    assert problem is None and fields == {"sender": "me", "text": "hi", "metadata": {"language": "en"}}


@pytest.mark.parametrize(
    "body, status, reason",
    [
        ([1, 2], 400, "JSON object"),
        ({"message": "hi"}, 400, "'sender'"),
        ({"sender": "x" * 129, "message": "hi"}, 400, "'sender'"),
        ({"sender": "me", "message": 42}, 400, "'message'"),
        ({"sender": "me", "message": "hi", "metadata": "nope"}, 400, "'metadata'"),
        ({"sender": "me", "message": TOO_LONG}, 413, "longer than"),
    ],
)
def test_rest_rejects_malformed_requests_with_a_reason(body, status, reason):
    _, rejection = rest_request(body)
    assert rejection.status == status and reason in rejection.reason
