"""The Slack connector: Rasa's Slack channel with mrkdwn answers, Block Kit buttons,
requests checked before Rasa reads them, and a try-again message when a turn fails
(``channels.webhooks``).

Credentials (credentials.slack.yml): Rasa's ``slack_token`` and
``slack_signing_secret`` (plus its optional settings), and ``api_url``, the Web
API address (Slack's by default; the tests point it at a local stub).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.formatting import slack_message
from channels.inbound import Rejection, slack_request
from channels.webhooks import limit_request_size, rejected, tell_user_when_turn_fails


class SlackOutput(SlackBot):
    """Posts each answer as one message: mrkdwn text, and buttons as an actions block."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text],
        thread_id: Optional[Text],
        proxy: Optional[Text],
        api_url: Text,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post(recipient_id, slack_message(text))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._post(recipient_id, slack_message(text, buttons))

    async def _post(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        """One chat.postMessage, in the configured channel or the user's, in the thread if there is one."""
        thread = {"thread_ts": self.thread_id} if self.thread_id else {}
        await self.client.chat_postMessage(channel=self.slack_channel or recipient_id, **message, **thread)


class SlackInput(RasaSlackInput):
    """Events and button clicks at /webhooks/slack/webhook."""

    api_url: Text = AsyncWebClient.BASE_URL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.api_url = credentials.get("api_url") or cls.api_url
        return channel

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = tell_user_when_turn_fails(super().blueprint, on_new_message)
        webhook.listener("before_server_start")(limit_request_size)
        webhook.middleware("request")(self._check_request)
        return webhook

    async def _check_request(self, request: Request) -> Optional[HTTPResponse]:
        """Answer a request that is unsigned, malformed or a URL check before Rasa's
        handler, which expects a signed and well-formed one."""
        if request.method != "POST" or not request.path.endswith("/webhook"):
            return None
        if not self.is_request_from_slack_authentic(request):
            return rejected(Rejection(HTTPStatus.UNAUTHORIZED, "the request has no valid, recent Slack signature"))
        body, problem = slack_request(request.content_type, request.body)
        if problem:
            return rejected(problem)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body["challenge"]})
        return None
