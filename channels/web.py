"""The web chat connector: Rasa's socket.io channel, answers rendered for rasa-webchat.

It extends Rasa's socket.io channel:

- tells the user to try again when a turn fails (``channels.webhooks``);
- sends each answer as one widget message in the widget's Markdown;
- joins the socket to its session's room, so that with ``session_persistence``
  the answers reach the page (Rasa 3.6 does not await python-socketio 5's
  ``enter_room`` coroutine, so its session rooms stay empty);
- drops malformed messages and answers over-long ones with a short notice
  instead of running them through the model.
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bme.knowledge import knowledge_base
from channels.formatting import web_message
from channels.inbound import MAX_MESSAGE_CHARS, web_message_problem
from channels.webhooks import tell_user_when_turn_fails

logger = logging.getLogger(__name__)

SocketHandler = Callable[[Text, Any], Awaitable[None]]
MAX_SESSION_ID_CHARS = 128


class WebChatOutput(SocketIOOutput):
    """Sends each bot message as one widget message (Rasa's would split it at blank lines)."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, web_message(text), room=recipient_id)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.sio.emit(self.bot_message_evt, web_message(text, buttons), room=recipient_id)


class WebChatInput(SocketIOInput):
    """The socket.io channel (same settings, same name) with web formatting."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio else super().get_output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answer_in_web_format(message: UserMessage) -> None:
            message.output_channel = WebChatOutput(self.sio, self.bot_message_evt)
            await on_new_message(message)

        webhook = tell_user_when_turn_fails(super().blueprint, answer_in_web_format)
        rasa_handle_message = self.sio.handlers[self.namespace or "/"][self.user_message_evt]
        self.sio.on(self.user_message_evt, self._checked(rasa_handle_message), namespace=self.namespace)
        self.sio.on("session_request", self._session_request, namespace=self.namespace)
        return webhook

    async def _session_request(self, sid: Text, data: Any) -> None:
        """Confirm the page's session id (a new one if it has none) and join its room."""
        session_id = data.get("session_id") if isinstance(data, dict) else None
        if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID_CHARS:
            session_id = uuid.uuid4().hex
        if self.session_persistence:
            await self.sio.enter_room(sid, session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

    def _checked(self, rasa_handle_message: SocketHandler) -> SocketHandler:
        async def handle_message(sid: Text, data: Any) -> None:
            problem = web_message_problem(data, self.metadata_key)
            if problem is None:
                await rasa_handle_message(sid, data)
            elif problem.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
                notice = knowledge_base().messages["message_too_long"].text.format(limit=MAX_MESSAGE_CHARS)
                await self.sio.emit(self.bot_message_evt, web_message(notice), room=sid, namespace=self.namespace)
            else:
                logger.warning("Dropped a web chat message: %s.", problem.reason)

        return handle_message
