"""What the channels receive: checks that reject bad input with a clear status
and reason before Rasa sees it, and the user's text in a Teams activity.

Plain Python, no Rasa: the connectors (``slack``, ``teams``, ``web``) turn a
``Rejection`` into an HTTP response (or a chat message for the web chat).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Dict, Iterable, Optional, Tuple, Union
from urllib.parse import parse_qs, urlsplit

# Every channel's limits. Longer messages are not questions.
MAX_MESSAGE_CHARS = 10_000
MAX_SENDER_CHARS = 128
MAX_REQUEST_BYTES = 64 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
SLACK_USER_EVENTS = ("message", "app_mention")
TEAMS_ROUTED_ACTIVITIES = ("message", "conversationUpdate")
MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Rejection:
    status: int
    reason: str


def bad(reason: str) -> Rejection:
    return Rejection(HTTPStatus.BAD_REQUEST, reason)


def too_long(what: str) -> Rejection:
    return Rejection(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"{what} is longer than {MAX_MESSAGE_CHARS} characters")


def json_object(data: Union[str, bytes]) -> Optional[Dict[str, Any]]:
    try:
        value = json.loads(data)
    except ValueError:  # includes bytes that are not UTF-8
        return None
    return value if isinstance(value, dict) else None


def field(data: Dict[str, Any], *path: str) -> Any:
    """data[path[0]][path[1]]..., or None where an object or key is missing."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def missing_strings(data: Dict[str, Any], paths: Iterable[Tuple[str, ...]]) -> Optional[Rejection]:
    for path in paths:
        value = field(data, *path)
        if not isinstance(value, str) or not value:
            return bad(f"'{'.'.join(path)}' must be a non-empty string")
    return None


def media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";")[0].strip().lower()


# REST ----------------------------------------------------------------------------------


def rest_request(body: Any) -> Tuple[Dict[str, Any], Optional[Rejection]]:
    """The sender, text and metadata of a REST webhook body, or why it is rejected."""
    if not isinstance(body, dict):
        return {}, bad("the body must be a JSON object")
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
        return {}, bad(f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters")
    if not isinstance(text, str):
        return {}, bad("'message' must be a string")
    if metadata is not None and not isinstance(metadata, dict):
        return {}, bad("'metadata' must be a JSON object")
    if len(text) > MAX_MESSAGE_CHARS:
        return {}, too_long("the message")
    return {"sender": sender, "text": text, "metadata": metadata}, None


# Web chat (socket.io) -------------------------------------------------------------------


def web_message_problem(data: Any, metadata_key: str) -> Optional[Rejection]:
    """A widget message is {"message": text, "session_id": id, metadata_key: object}."""
    if not isinstance(data, dict):
        return bad("a message must be a JSON object")
    message, metadata = data.get("message", ""), data.get(metadata_key)
    if not isinstance(message, str):
        return bad("'message' must be a string")
    metadata_is_object = isinstance(metadata, dict) or isinstance(metadata, str) and json_object(metadata) is not None
    if metadata is not None and not metadata_is_object:
        return bad(f"'{metadata_key}' must be a JSON object")
    if len(message) > MAX_MESSAGE_CHARS:
        return too_long("the message")
    return None


# Slack (Events API and interactivity) ---------------------------------------------------


def slack_request(content_type: Optional[str], body: bytes) -> Tuple[Dict[str, Any], Optional[Rejection]]:
    """Slack posts events as JSON and button clicks as a form with a JSON 'payload':
    the event or payload, or why the request is rejected."""
    kind = media_type(content_type)
    if kind == JSON:
        event_body = json_object(body)
        if event_body is None:
            return {}, bad("the body must be a JSON object")
        return event_body, slack_event_problem(event_body)
    if kind == FORM:
        payloads = parse_qs(body.decode("utf-8", "replace")).get("payload", [])
        payload = json_object(payloads[0]) if len(payloads) == 1 else None
        if payload is None:
            return {}, bad("the form must have one 'payload' field holding a JSON object")
        return payload, slack_interaction_problem(payload)
    return {}, Rejection(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Slack sends {JSON} events or {FORM} interactions")


def is_slack_user_message(event: Dict[str, Any]) -> bool:
    """What Rasa's Slack channel answers: a user's message or mention, not a bot's."""
    return event.get("type") in SLACK_USER_EVENTS and bool(event.get("text")) and not event.get("bot_id")


def slack_event_problem(body: Dict[str, Any]) -> Optional[Rejection]:
    if body.get("type") == "url_verification":
        return None if isinstance(body.get("challenge"), str) else bad("'challenge' must be a string")
    if body.get("type") != "event_callback":
        return None  # other notifications (rate limits, app uninstalled) are acknowledged and ignored
    event = body.get("event")
    if not isinstance(event, dict):
        return bad("'event' must be a JSON object")
    authorizations = body.get("authorizations", [])
    if not isinstance(authorizations, list) or not all(isinstance(item, dict) for item in authorizations):
        return bad("'authorizations' must be a list of objects")
    if not is_slack_user_message(event):
        return None
    problem = missing_strings(event, [("user",), ("channel",), ("text",)])
    if problem:
        return problem
    return too_long("the message") if len(event["text"]) > MAX_MESSAGE_CHARS else None


def slack_interaction_problem(payload: Dict[str, Any]) -> Optional[Rejection]:
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return bad("only button clicks are supported: 'actions' must be a list of objects")
    if "message" in payload and not isinstance(payload["message"], dict):
        return bad("'message' must be a JSON object")
    problem = missing_strings(payload, [("user", "id"), ("channel", "id")])
    if problem:
        return problem
    value = actions[0].get("value")
    return too_long("the button value") if isinstance(value, str) and len(value) > MAX_MESSAGE_CHARS else None


# Microsoft Teams (Bot Framework activities) ---------------------------------------------


def strip_mentions(text: str) -> str:
    """Teams writes "@Assistant what is BME?" as "<at>Assistant</at> what is BME?"."""
    return " ".join(MENTION.sub(" ", text).split())


def teams_user_text(activity: Dict[str, Any]) -> str:
    """A button's payload (messageBack or Adaptive Card submit), else the typed text."""
    payload = field(activity, "value", "payload")
    if isinstance(payload, str) and payload:
        return payload
    return strip_mentions(activity.get("text") or "")


def bot_was_added(activity: Dict[str, Any]) -> bool:
    """A conversationUpdate that adds this bot to a chat, team or personal scope."""
    added = activity.get("membersAdded") or []
    bot_id = field(activity, "recipient", "id")
    return activity.get("type") == "conversationUpdate" and any(field(member, "id") == bot_id for member in added)


def teams_activity_problem(activity: Dict[str, Any]) -> Optional[Rejection]:
    if not isinstance(activity.get("type"), str):
        return bad("'type' must be a string")
    if activity["type"] not in TEAMS_ROUTED_ACTIVITIES:
        return None  # typing, reactions, installs: acknowledged and ignored
    problem = missing_strings(activity, [("serviceUrl",), ("conversation", "id"), ("from", "id"), ("recipient", "id")])
    if problem:
        return problem
    if urlsplit(activity["serviceUrl"]).scheme not in ("https", "http"):
        return bad("'serviceUrl' must be an http(s) URL")
    if not isinstance(activity.get("text", ""), (str, type(None))):
        return bad("'text' must be a string")
    added = activity.get("membersAdded", [])
    if not isinstance(added, list) or not all(isinstance(member, dict) for member in added):
        return bad("'membersAdded' must be a list of objects")
    return too_long("the message") if len(teams_user_text(activity)) > MAX_MESSAGE_CHARS else None
