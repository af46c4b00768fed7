"""The REST channel: ``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ...}``.

Rasa's REST channel, with requests checked before Rasa reads them (400 or
413 with the reason, ``channels.inbound``) and each message handled as a turn
(``channels.webhooks``): the reply is the try-again message with 200 when
only the action server failed (the assistant itself is up), and with 503
otherwise. The channel keeps its stock name, so its URL does not change.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.inbound import rest_request
from channels.webhooks import MessageHandler, bounded_webhook, handle_turn, rejected, unavailable_text
from server.turns import ACTION_SERVER, Turn

RETRY_AFTER_S = "5"


def _reply(sender: str, messages: List[Dict[str, Any]], turn: Turn) -> HTTPResponse:
    if not turn.failed:
        return response.json(messages)
    unavailable = [{"recipient_id": sender, "text": unavailable_text()}]
    if turn.failed_service == ACTION_SERVER:
        return response.json(unavailable)
    return response.json(unavailable, status=503, headers={"Retry-After": RETRY_AFTER_S})


class GuardedRestInput(RestInput):
    """Rasa's REST channel (no streaming) that checks requests and never answers with silence."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = bounded_webhook(f"guarded_webhook_{self.name()}")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except InvalidUsage:  # not JSON
                body = None
            fields, problem = rest_request(body)
            if problem:
                return rejected(problem)
            collector = CollectingOutputChannel()
            message = UserMessage(
                fields["text"], collector, fields["sender"], input_channel=self.name(), metadata=fields["metadata"]
            )
            turn = await handle_turn(request.app, on_new_message, message)
            return _reply(fields["sender"], collector.messages, turn)

        return webhook
