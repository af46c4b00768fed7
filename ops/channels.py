"""Input channels that never leave the user in silence.

Each message is handled as a turn (``ops.turns``) with a deadline. When the
action server, the tracker store or the lock store fails during it, nothing of
the turn is saved and the user gets the ``temporarily_unavailable`` message of
``knowledge/messages.yml``: REST answers 200 with it when only the action
server failed (the assistant itself is up), and 503 otherwise. The other
channels (Socket.IO here, Slack and Teams in ``channels/``) send that message
into the conversation through ``tell_user_when_turn_fails``.

The REST channel also rejects requests that are not a JSON object with a
``sender`` string and a ``message`` string of bounded size, and its logs
never contain message text. Enabled in ``credentials.yml``; the channels keep
their stock names, so the URLs (``/webhooks/rest/webhook``, ``/socket.io``)
do not change.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.knowledge import knowledge_base
from ops.action_endpoint import prepare_action_calls
from ops.turns import ACTION_SERVER, Turn, open_turn

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]

# A turn normally takes well under a second; this bounds waiting for the
# conversation's lock, a hung store and the action calls together.
TURN_DEADLINE_S = 10.0
MAX_MESSAGE_CHARS = 10_000
MAX_SENDER_CHARS = 128
MAX_REQUEST_BYTES = 64 * 1024
RETRY_AFTER_S = "5"


def unavailable_text() -> str:
    return knowledge_base().messages["temporarily_unavailable"].text


async def handle_turn(app: Sanic, on_new_message: MessageHandler, message: UserMessage) -> Turn:
    """Let Rasa handle ``message`` within the deadline; the turn says whether a service failed."""
    agent = app.ctx.agent
    # Here rather than at start-up: a worker may take requests before its start-up listeners ran.
    prepare_action_calls(agent)
    with open_turn() as turn:
        if agent.is_ready():
            await _run(on_new_message, message, turn)
        else:  # Rasa would ignore the message
            turn.fail("Rasa server", "no model loaded")
    if turn.failed:
        # The sender id is a pseudonym; the message text is never logged.
        logger.error("Turn for conversation %s failed, %s: %s", message.sender_id, turn.failed_service, turn.reason)
    return turn


async def _run(on_new_message: MessageHandler, message: UserMessage, turn: Turn) -> None:
    try:
        await asyncio.wait_for(on_new_message(message), TURN_DEADLINE_S)
    except asyncio.TimeoutError:
        turn.fail("Rasa server", f"no reply within {TURN_DEADLINE_S:g} s")
    except Exception as error:  # e.g. the lock store is unreachable
        # Only the class at ERROR: an exception's message could quote the conversation.
        turn.fail("Rasa server", error.__class__.__name__)
        logger.debug("The turn's exception:", exc_info=True)


def limit_request_size(app: Sanic, _loop: Any) -> None:
    """Sanic reads up to 100 MB per request by default."""
    app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, MAX_REQUEST_BYTES)


def bounded_webhook(name: str) -> Blueprint:
    """A channel's blueprint with a health check at its root and request bodies of at most ``MAX_REQUEST_BYTES``."""
    webhook = Blueprint(name, __name__)
    webhook.listener("before_server_start")(limit_request_size)

    @webhook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    return webhook


def parse_request(body: Any) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """The sender, text and metadata of a webhook body, or why it is rejected."""
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
        return None, f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters"
    if not isinstance(text, str):
        return None, "'message' must be a string"
    if len(text) > MAX_MESSAGE_CHARS:
        return None, f"'message' is longer than {MAX_MESSAGE_CHARS} characters"
    if metadata is not None and not isinstance(metadata, dict):
        return None, "'metadata' must be a JSON object"
    return {"sender": sender, "text": text, "metadata": metadata}, None


def _reply(sender: str, messages: List[Dict[str, Any]], turn: Turn) -> HTTPResponse:
    if not turn.failed:
        return response.json(messages)
    unavailable = [{"recipient_id": sender, "text": unavailable_text()}]
    if turn.failed_service == ACTION_SERVER:
        return response.json(unavailable)
    return response.json(unavailable, status=503, headers={"Retry-After": RETRY_AFTER_S})


class GuardedRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ...}`` (no streaming)."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = bounded_webhook(f"guarded_webhook_{self.name()}")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except InvalidUsage:  # not JSON
                body = None
            fields, problem = parse_request(body)
            if problem:
                return response.json({"error": problem}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(fields["text"], collector, fields["sender"], input_channel=self.name(),
                                  metadata=fields["metadata"])
            turn = await handle_turn(request.app, on_new_message, message)
            return _reply(fields["sender"], collector.messages, turn)

        return webhook


def tell_user_when_turn_fails(make_blueprint: Callable[[MessageHandler], Blueprint],
                              on_new_message: MessageHandler) -> Blueprint:
    """The channel blueprint ``make_blueprint`` builds, with each message handled as
    a turn: when one fails, the user gets the try-again message in the channel."""
    async def guarded(message: UserMessage) -> None:
        app = next(iter(webhook.apps))
        if (await handle_turn(app, on_new_message, message)).failed:
            await message.output_channel.send_text_message(message.sender_id, unavailable_text())

    webhook = make_blueprint(guarded)
    return webhook


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's Socket.IO channel, telling the user to try again when a turn fails."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        return tell_user_when_turn_fails(super().blueprint, on_new_message)
