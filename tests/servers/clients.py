"""How the channel tests talk to the assistant as Slack and Teams would: signed
Slack requests and Bot Framework activities. Every id comes from one counter, so
no two tests share a conversation."""

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import urlencode

import requests

SLACK_SIGNING_SECRET = "test-signing-secret"
TEAMS_APP_ID = "00000000-test-app-id"
TEAMS_BOT = {"id": f"28:{TEAMS_APP_ID}", "name": "BME Assistant"}
_ids = itertools.count()


def next_id() -> int:
    return next(_ids)


def signed_post(assistant, body: bytes, content_type="application/json", age_s=0, secret=SLACK_SIGNING_SECRET):
    timestamp = str(int(time.time()) - age_s)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    return requests.post(f"{assistant.rasa_url}/webhooks/slack/webhook", data=body, headers=headers, timeout=30)


def direct_message(user, channel, text):
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": f"Ev{next_id()}",
            "authorizations": [{"user_id": "UBOT"}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": user,
                "channel": channel,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
        }
    ).encode()


def button_click(user, channel, payload):
    click = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "message": {"ts": f"{time.time():.6f}"},
        "actions": [{"type": "button", "value": payload}],
    }
    return urlencode({"payload": json.dumps(click)}).encode()


def activity(bot_framework, conversation_id, user, **fields):
    return {
        "type": "message",
        "id": f"activity-{next_id()}",
        "channelId": "msteams",
        "serviceUrl": bot_framework.service_url,
        "conversation": {"id": conversation_id},
        "from": user,
        "recipient": TEAMS_BOT,
        **fields,
    }


def post(assistant, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{assistant.rasa_url}/webhooks/teams/webhook", json=body, headers=headers, timeout=30)


def say(assistant, bot_framework, conversation_id, user, **fields):
    reply = post(assistant, activity(bot_framework, conversation_id, user, **fields), bot_framework.token())
    assert reply.status_code == 200, reply.text
