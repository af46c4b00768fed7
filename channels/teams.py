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

Credentials (credentials.teams.yml, from the BME_TEAMS_* variables): the Azure
Bot's ``app_type`` as Microsoft names it, ``app_id``, ``app_password`` and
``tenant_id``; which of them a type needs is checked at start-up
(``bot_credential``). ``openid_metadata_url``, ``login_url`` and
``managed_identity_url`` are Microsoft's by default (the tests point them at a
local stub).
"""

from __future__ import annotations

import logging
import os
import re
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.bot_connector import (
    BOT_FRAMEWORK_TENANT,
    IMDS_URL,
    LOGIN_URL,
    OPENID_METADATA_URL,
    AuthError,
    BotConnector,
    ClientSecretCredential,
    Credential,
    DeliveryError,
    ManagedIdentityCredential,
    TokenValidator,
)
from channels.formatting import teams_message
from channels.inbound import Rejection, bad, bot_was_added, json_object, teams_activity_problem, teams_user_text
from channels.webhooks import bounded_webhook, rejected, tell_user_when_turn_fails

logger = logging.getLogger(__name__)

GREETING = "/greet"
# The Azure Bot's "Type of App", spelled as Microsoft spells it.
SINGLE_TENANT, MULTI_TENANT, USER_ASSIGNED_MSI = "SingleTenant", "MultiTenant", "UserAssignedMSI"
APP_TYPES = {name.lower(): name for name in (SINGLE_TENANT, MULTI_TENANT, USER_ASSIGNED_MSI)}
TENANT_ID = re.compile(r"^[A-Za-z0-9.-]+$")  # a directory GUID or the tenant's domain


class TeamsSettingsError(RasaException):
    """The BME_TEAMS_* settings do not fit the app type; Rasa stops at start-up with this message."""


def bot_credential(credentials: Dict[Text, Any], environ: Mapping[str, str]) -> Credential:
    """How the bot gets its Bot Framework tokens, from its app type and the settings that type needs."""
    app_id, password, tenant = (
        str(credentials.get(key) or "").strip() for key in ("app_id", "app_password", "tenant_id")
    )
    if "token_url" in credentials:
        raise TeamsSettingsError(
            "credentials.teams.yml: token_url is no longer read; set BME_TEAMS_APP_TYPE=SingleTenant and "
            "BME_TEAMS_TENANT_ID=<tenant id> instead (docs/CHANNELS.md)"
        )
    if not app_id:
        raise TeamsSettingsError("BME_TEAMS_APP_ID is empty: set it to the Azure Bot's Microsoft App ID")
    app_type = app_type_setting(str(credentials.get("app_type") or "").strip(), tenant)
    if app_type == USER_ASSIGNED_MSI:
        if password:
            raise TeamsSettingsError(
                "BME_TEAMS_APP_PASSWORD must be empty for UserAssignedMSI: a managed identity has no secret"
            )
        return managed_identity(app_id, credentials, environ)
    if not password:
        raise TeamsSettingsError(f"BME_TEAMS_APP_PASSWORD (the client secret) is required for {app_type}")
    if app_type == MULTI_TENANT and tenant:
        raise TeamsSettingsError(
            "BME_TEAMS_TENANT_ID is only for SingleTenant (multi-tenant bots get tokens from botframework.com): "
            "unset it, or set BME_TEAMS_APP_TYPE=SingleTenant"
        )
    if app_type == SINGLE_TENANT and not TENANT_ID.match(tenant):
        raise TeamsSettingsError(
            "BME_TEAMS_TENANT_ID must be set for SingleTenant, to the app registration's Directory (tenant) ID"
        )
    login_url = credentials.get("login_url") or LOGIN_URL
    return ClientSecretCredential(app_id, password, tenant or BOT_FRAMEWORK_TENANT, login_url)


def app_type_setting(app_type: str, tenant: str) -> str:
    """Microsoft's name of the app type; unset means MultiTenant, what this connector used before it had types."""
    if not app_type:
        if tenant:
            raise TeamsSettingsError(
                "BME_TEAMS_TENANT_ID is set but BME_TEAMS_APP_TYPE is not: set BME_TEAMS_APP_TYPE=SingleTenant"
            )
        logger.warning(
            "BME_TEAMS_APP_TYPE is not set: assuming MultiTenant, as earlier versions did. Azure creates no new "
            "multi-tenant bots; set BME_TEAMS_APP_TYPE to the Azure Bot's Type of App (docs/CHANNELS.md)."
        )
        return MULTI_TENANT
    if app_type.lower() not in APP_TYPES:
        raise TeamsSettingsError(
            f"BME_TEAMS_APP_TYPE={app_type!r}: use {SINGLE_TENANT}, {MULTI_TENANT} or {USER_ASSIGNED_MSI}, "
            "the Azure Bot's Type of App"
        )
    return APP_TYPES[app_type.lower()]


def managed_identity(app_id: str, credentials: Dict[Text, Any], environ: Mapping[str, str]) -> Credential:
    """App Service, Functions and Container Apps name their identity endpoint in
    IDENTITY_ENDPOINT and IDENTITY_HEADER; elsewhere (VMs, AKS) it is IMDS."""
    endpoint, header = environ.get("IDENTITY_ENDPOINT"), environ.get("IDENTITY_HEADER")
    if endpoint and header:
        return ManagedIdentityCredential(app_id, endpoint, header)
    return ManagedIdentityCredential(app_id, credentials.get("managed_identity_url") or IMDS_URL)


class TeamsOutput(BotFramework):
    """Replies into the activity's conversation through the Bot Connector."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(self, connector: BotConnector, activity: Dict[str, Any]) -> None:
        super().__init__(
            connector.app_id,
            "",  # unused: the connector holds the credential and sends the replies
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
        openid_metadata_url = credentials.get("openid_metadata_url") or OPENID_METADATA_URL
        return cls(bot_credential(credentials, os.environ), openid_metadata_url)

    def __init__(self, credential: Credential, openid_metadata_url: Text = OPENID_METADATA_URL) -> None:
        # Not BotFrameworkInput.__init__: it fetches Microsoft's keys with a blocking
        # call at start-up; the validator fetches them asynchronously when needed.
        # Every app type's tokens are addressed to the app id (for UserAssignedMSI,
        # the managed identity's client id).
        self.app_id = credential.app_id
        self.validator = TokenValidator(credential.app_id, openid_metadata_url)
        self.connector = BotConnector(credential)

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
