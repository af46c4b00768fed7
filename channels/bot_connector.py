"""The Microsoft Bot Framework side of Teams: who may call the bot, and how it replies.

- ``TokenValidator`` accepts an activity only with a JWT signed by one of the
  Bot Framework's published keys (OpenID metadata, then its JWKS), issued by
  the Bot Framework, for this bot (audience = app id), not expired, for the
  activity's serviceUrl and, when the key lists endorsements, for its channel.
- ``BotConnector`` posts replies to ``{serviceUrl}/v3/conversations/{id}/activities``
  with an access token of the bot's app registration (client credentials).

Plain Python (aiohttp and PyJWT, no Rasa); all network calls are asynchronous
so that a slow Microsoft endpoint never holds up other conversations.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import quote

import aiohttp
import jwt

logger = logging.getLogger(__name__)

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_ISSUER = "https://api.botframework.com"
TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
TOKEN_SCOPE = "https://api.botframework.com/.default"
SIGNING_ALGORITHM = "RS256"
CLOCK_SKEW_S = 300  # what the Bot Framework allows between its clock and the bot's
KEYS_MAX_AGE_S = 24 * 3600  # the Bot Framework asks bots to refresh its keys daily
KEYS_MIN_REFRESH_S = 300  # a token with an unknown key refreshes them at most this often
ACCESS_TOKEN_MARGIN_S = 60
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
BEARER = re.compile(r"Bearer\s+(\S+)\s*$")
Clock = Callable[[], float]


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


class BotConnector:
    def __init__(self, app_id: str, app_password: str, token_url: str = TOKEN_URL, clock: Clock = time.time) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
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

    async def _new_access_token(self) -> Tuple[str, int]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.app_id,
            "client_secret": self.app_password,
            "scope": TOKEN_SCOPE,
        }
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                async with session.post(self.token_url, data=form) as reply:
                    reply.raise_for_status()
                    grant = await reply.json(content_type=None)
            return grant["access_token"], int(grant["expires_in"])
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError, ValueError) as error:
            raise DeliveryError(f"no access token from {self.token_url}: {error!r}") from error
