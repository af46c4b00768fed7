"""The Microsoft Teams connector: Rasa's Bot Framework channel with Teams handling.

Rasa's ``botframework`` channel leaves ``<at>`` mentions in the text, drops
``conversationUpdate`` and sends buttons Teams cannot click back. This one, at
/webhooks/teams/webhook:

- checks every activity's Bot Framework JWT (``channels.bot_connector``) and
  its fields before Rasa sees it (401 / 400 / 413 with the reason), in bodies
  of at most ``channels.inbound.MAX_REQUEST_BYTES``;
- greets with the audience choice when the bot is added to a conversation;
- reads a button click's payload from the activity's ``value`` and the typed
  text without mentions;
- replies with one activity per answer: Teams markdown, buttons as messageBack
  buttons on a hero card, and the try-again message when a turn fails
  (``channels.webhooks``).

Credentials (credentials.teams.yml): ``app_id`` and ``app_password`` of the
Azure Bot's app registration; ``openid_metadata_url`` and ``token_url`` are
Microsoft's by default (the tests point them at a local stub).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.bot_connector import (
    OPENID_METADATA_URL,
    TOKEN_URL,
    AuthError,
    BotConnector,
    DeliveryError,
    TokenValidator,
)
from channels.formatting import teams_message
from channels.inbound import Rejection, bad, bot_was_added, json_object, teams_activity_problem, teams_user_text
from channels.webhooks import bounded_webhook, rejected, tell_user_when_turn_fails

logger = logging.getLogger(__name__)

GREETING = "/greet"


class TeamsOutput(BotFramework):
    """Replies into the activity's conversation through the Bot Connector."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(self, connector: BotConnector, activity: Dict[str, Any]) -> None:
        super().__init__(
            connector.app_id,
            connector.app_password,
            activity["conversation"],
            activity["recipient"],
            activity["serviceUrl"],
        )
        self.connector = connector
        self.service_url = activity["serviceUrl"]

    async def send(self, message_data: Dict[Text, Any]) -> None:
        await self.connector.post_activity(self.service_url, self.conversation["id"], message_data)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send(self.prepare_message(recipient_id, teams_message(text)))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send(self.prepare_message(recipient_id, teams_message(text, buttons)))


class TeamsInput(BotFrameworkInput):
    """Teams activities at /webhooks/teams/webhook, checked, then handled by Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        addresses = {key: credentials[key] for key in ("openid_metadata_url", "token_url") if credentials.get(key)}
        return cls(credentials.get("app_id"), credentials.get("app_password"), **addresses)

    def __init__(
        self,
        app_id: Text,
        app_password: Text,
        openid_metadata_url: Text = OPENID_METADATA_URL,
        token_url: Text = TOKEN_URL,
    ) -> None:
        # Not BotFrameworkInput.__init__: it fetches Microsoft's keys with a blocking
        # call at start-up; the validator fetches them asynchronously when needed.
        self.app_id = app_id
        self.app_password = app_password
        self.validator = TokenValidator(app_id, openid_metadata_url)
        self.connector = BotConnector(app_id, app_password, token_url)

    def user_message(self, activity: Dict[str, Any]) -> Optional[UserMessage]:
        """What Rasa handles for a checked activity: a message, or a greeting when the bot is added."""
        if activity["type"] == "message":
            text = teams_user_text(activity)
        elif bot_was_added(activity):
            text = GREETING
        else:
            return None
        return UserMessage(
            text,
            TeamsOutput(self.connector, activity),
            activity["from"]["id"],
            input_channel=self.name(),
            metadata=self.add_attachments_to_metadata(activity, None),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return tell_user_when_turn_fails(self._webhook, on_new_message)

    def _webhook(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = bounded_webhook("teams_webhook")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            activity = json_object(request.body)
            if activity is None:
                return rejected(bad("the body must be a JSON object"))
            try:
                await self.validator.check(request.headers.get("Authorization"), activity)
            except AuthError as error:
                logger.warning("Rejected a Teams activity: %s.", error)
                return rejected(Rejection(HTTPStatus.UNAUTHORIZED, str(error)))
            problem = teams_activity_problem(activity)
            if problem:
                return rejected(problem)
            message = self.user_message(activity)
            if message:
                try:
                    await on_new_message(message)
                except DeliveryError as error:
                    logger.error("A Teams reply was not delivered: %s", error)
            return response.json({"status": "ok"})

        return webhook
