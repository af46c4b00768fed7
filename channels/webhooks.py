"""What every channel's webhook shares: request size, turns with a deadline, the try-again message.

Each message is handled as a turn (``server.turns``) with a deadline. When the
action server, the tracker store or the lock store fails during it, nothing of
the turn is saved and the user gets the ``temporarily_unavailable`` message of
``knowledge/messages.yml``: the REST channel in its HTTP reply, the other
channels in the conversation (``tell_user_when_turn_fails``). Logs never hold
message text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bme.knowledge import knowledge_base
from channels.inbound import MAX_REQUEST_BYTES, Rejection
from server.action_endpoint import prepare_action_calls
from server.turns import TURN_DEADLINE_S, Turn, open_turn

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def unavailable_text() -> str:
    return knowledge_base().messages["temporarily_unavailable"].text


def rejected(rejection: Rejection) -> HTTPResponse:
    """The status and, as {"error": ...}, the reason."""
    return response.json({"error": rejection.reason}, status=rejection.status)


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


def tell_user_when_turn_fails(
    make_blueprint: Callable[[MessageHandler], Blueprint], on_new_message: MessageHandler
) -> Blueprint:
    """The channel blueprint ``make_blueprint`` builds, with each message handled as
    a turn: when one fails, the user gets the try-again message in the channel."""

    async def guarded(message: UserMessage) -> None:
        app = next(iter(webhook.apps))
        if (await handle_turn(app, on_new_message, message)).failed:
            await message.output_channel.send_text_message(message.sender_id, unavailable_text())

    webhook = make_blueprint(guarded)
    return webhook
