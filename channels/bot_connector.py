"""The Microsoft Bot Framework side of Teams: who may call the bot, and how it replies.

- ``TokenValidator`` accepts an activity only with a JWT signed by one of the
  Bot Framework's published keys (OpenID metadata, then its JWKS), issued by
  the Bot Framework, for this bot (audience = app id), not expired, for the
  activity's serviceUrl and, when the key lists endorsements, for its channel.
- ``BotConnector`` posts replies to ``{serviceUrl}/v3/conversations/{id}/activities``
  with an access token for the Bot Framework, from the credential of the bot's
  app type: ``ClientSecretCredential`` (SingleTenant: the bot's own tenant;
  MultiTenant: botframework.com) or ``ManagedIdentityCredential``
  (UserAssignedMSI: the Azure host's managed identity endpoint).

Plain Python (aiohttp and PyJWT, no Rasa); all network calls are asynchronous
so that a slow Microsoft endpoint never holds up other conversations.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Callable, Dict, Optional, Tuple, Union
from urllib.parse import quote

import aiohttp
import jwt

logger = logging.getLogger(__name__)

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_ISSUER = "https://api.botframework.com"
LOGIN_URL = "https://login.microsoftonline.com"
BOT_FRAMEWORK_TENANT = "botframework.com"  # where multi-tenant bots get their tokens
BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"
TOKEN_SCOPE = f"{BOT_FRAMEWORK_RESOURCE}/.default"
IMDS_URL = "http://169.254.169.254/metadata/identity/oauth2/token"  # Azure VMs, AKS
IMDS_API_VERSION = "2018-02-01"
APP_SERVICE_API_VERSION = "2019-08-01"  # IDENTITY_ENDPOINT of App Service, Functions, Container Apps
SIGNING_ALGORITHM = "RS256"
CLOCK_SKEW_S = 300  # what the Bot Framework allows between its clock and the bot's
KEYS_MAX_AGE_S = 24 * 3600  # the Bot Framework asks bots to refresh its keys daily
KEYS_MIN_REFRESH_S = 300  # a token with an unknown key refreshes them at most this often
ACCESS_TOKEN_MARGIN_S = 60
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
BEARER = re.compile(r"Bearer\s+(\S+)\s*$")
Clock = Callable[[], float]
Grant = Tuple[str, float]  # an access token and how many seconds it stays valid


class AuthError(Exception):
    """Why the activity's token is not accepted."""


class DeliveryError(Exception):
    """A reply could not be posted to the conversation."""


async def get_json(session: aiohttp.ClientSession, url: str) -> Dict[str, Any]:
    async with session.get(url) as reply:
        reply.raise_for_status()
        return await reply.json(content_type=None)


class TokenValidator:
    def __init__(
        self,
        app_id: str,
        openid_metadata_url: str = OPENID_METADATA_URL,
        issuer: str = TOKEN_ISSUER,
        clock: Clock = time.time,
    ) -> None:
        self.app_id = app_id
        self.openid_metadata_url = openid_metadata_url
        self.issuer = issuer
        self.clock = clock
        self._keys: Dict[str, Dict[str, Any]] = {}
        self._keys_fetched_at: Optional[float] = None
        self._refreshing = asyncio.Lock()

    async def check(self, authorization: Optional[str], activity: Dict[str, Any]) -> Dict[str, Any]:
        """The token's claims if it authorises ``activity``; raises AuthError otherwise."""
        match = BEARER.match(authorization or "")
        if not match:
            raise AuthError("no Bearer token in the Authorization header")
        token = match.group(1)
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != SIGNING_ALGORITHM:
                raise AuthError(f"the token is not signed with {SIGNING_ALGORITHM}")
            key = await self._signing_key(header.get("kid"))
            claims = jwt.decode(
                token,
                jwt.PyJWK(key, algorithm=SIGNING_ALGORITHM).key,
                algorithms=[SIGNING_ALGORITHM],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise AuthError(f"invalid token: {error}") from error
        if claims.get("serviceurl") != activity.get("serviceUrl"):
            raise AuthError("the token was issued for another serviceUrl")
        endorsements = key.get("endorsements")
        if endorsements is not None and activity.get("channelId") not in endorsements:
            raise AuthError("the signing key is not endorsed for this channel")
        return claims

    async def _signing_key(self, key_id: Any) -> Dict[str, Any]:
        if self._keys_are_stale() or (key_id not in self._keys and self._may_refresh()):
            async with self._refreshing:
                if self._keys_are_stale() or (key_id not in self._keys and self._may_refresh()):
                    await self._refresh_keys()
        if key_id not in self._keys:
            raise AuthError("the token is signed with an unknown key")
        return self._keys[key_id]

    def _keys_are_stale(self) -> bool:
        return self._keys_fetched_at is None or self.clock() - self._keys_fetched_at > KEYS_MAX_AGE_S

    def _may_refresh(self) -> bool:
        return self._keys_fetched_at is None or self.clock() - self._keys_fetched_at > KEYS_MIN_REFRESH_S

    async def _refresh_keys(self) -> None:
        """Keeps the last keys when Microsoft cannot be reached, and retries later."""
        self._keys_fetched_at = self.clock()
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                metadata = await get_json(session, self.openid_metadata_url)
                keys = (await get_json(session, metadata["jwks_uri"]))["keys"]
            self._keys = {key["kid"]: key for key in keys}
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError, ValueError) as error:
            logger.error(
                "Could not fetch the Bot Framework's signing keys from %s: %r", self.openid_metadata_url, error
            )


async def token_reply(reply: aiohttp.ClientResponse) -> Dict[str, Any]:
    """A token endpoint's answer; when it refuses, its reason (Entra ID's AADSTS code) goes into the error."""
    if reply.status >= 400:
        raise DeliveryError(
            f"{reply.url.with_query(None)} refused a token ({reply.status}): {(await reply.text())[:300]}"
        )
    return await reply.json(content_type=None)


class ClientSecretCredential:
    """An app registration's client secret, exchanged for a token at its tenant's endpoint."""

    def __init__(self, app_id: str, app_password: str, tenant: str, login_url: str = LOGIN_URL) -> None:
        self.app_id = app_id
        self.token_url = f"{login_url.rstrip('/')}/{quote(tenant, safe='')}/oauth2/v2.0/token"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": app_id,
            "client_secret": app_password,
            "scope": TOKEN_SCOPE,
        }

    async def grant(self, session: aiohttp.ClientSession, now: float) -> Grant:
        async with session.post(self.token_url, data=self._form) as reply:
            body = await token_reply(reply)
        return body["access_token"], float(body["expires_in"])


class ManagedIdentityCredential:
    """A user-assigned managed identity's token from the Azure host it runs on: the
    App Service endpoint when the host names one (with its SSRF header), else IMDS."""

    def __init__(self, client_id: str, endpoint: str = IMDS_URL, identity_header: Optional[str] = None) -> None:
        self.app_id = client_id
        self.token_url = endpoint
        if identity_header:
            self._headers = {"X-IDENTITY-HEADER": identity_header}
            api_version = APP_SERVICE_API_VERSION
        else:
            self._headers = {"Metadata": "true"}
            api_version = IMDS_API_VERSION
        self._query = {"api-version": api_version, "resource": BOT_FRAMEWORK_RESOURCE, "client_id": client_id}

    async def grant(self, session: aiohttp.ClientSession, now: float) -> Grant:
        async with session.get(self.token_url, params=self._query, headers=self._headers) as reply:
            body = await token_reply(reply)
        # IMDS answers expires_in; App Service only expires_on (seconds since the epoch).
        if "expires_in" in body:
            return body["access_token"], float(body["expires_in"])
        return body["access_token"], float(body["expires_on"]) - now


Credential = Union[ClientSecretCredential, ManagedIdentityCredential]


class BotConnector:
    def __init__(self, credential: Credential, clock: Clock = time.time) -> None:
        self.credential = credential
        self.app_id = credential.app_id
        self.clock = clock
        self._access_token: Optional[str] = None
        self._expires_at = 0.0
        self._renewing = asyncio.Lock()

    async def post_activity(self, service_url: str, conversation_id: str, activity: Dict[str, Any]) -> None:
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        headers = {"Authorization": f"Bearer {await self.access_token()}"}
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                async with session.post(url, json=activity, headers=headers) as reply:
                    if reply.status >= 400:
                        raise DeliveryError(f"{url} answered {reply.status}: {(await reply.text())[:200]}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise DeliveryError(f"could not reach {url}: {error!r}") from error

    async def access_token(self) -> str:
        async with self._renewing:
            if self._access_token is None or self.clock() >= self._expires_at - ACCESS_TOKEN_MARGIN_S:
                self._access_token, lifetime = await self._new_access_token()
                self._expires_at = self.clock() + lifetime
        return self._access_token

    async def _new_access_token(self) -> Grant:
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                return await self.credential.grant(session, self.clock())
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError, ValueError) as error:
            raise DeliveryError(f"no access token from {self.credential.token_url}: {error!r}") from error
