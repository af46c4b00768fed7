"""The link to a conversation's printable plan: unguessable, tamper-proof, expiring.

Plain Python, no Rasa import. The action server makes the link, the Rasa
server's plan page (channels/plan_page.py) opens it, so both read the same
settings from the environment:

- ``BME_PLAN_LINK_SECRET``: at least 32 characters, the same for every
  server. Required in the production profile. In the local profile it may be
  unset: the servers then share a random secret kept in ``.plan-link-secret``
  (created on first use, readable by its owner only).
- ``BME_PLAN_LINK_DAYS``: how long a link works, 7 days by default. Checked
  when a link is opened, so shortening it also ends older links.
- ``BME_PUBLIC_URL``: where users reach the Rasa server (the page is
  ``/webhooks/plan/<token>`` there). Required in the production profile;
  ``http://127.0.0.1:5005`` locally (``make run``).

The token is a Fernet token (AES-128-CBC with an HMAC-SHA256, from
``cryptography``) of the conversation id. Encrypted, not just signed: a
conversation id is all that Rasa's REST channel asks to continue a
conversation, so a link someone forwards must not reveal it.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Mapping, Optional

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_VARIABLE = "BME_PLAN_LINK_SECRET"
DAYS_VARIABLE = "BME_PLAN_LINK_DAYS"
PUBLIC_URL_VARIABLE = "BME_PUBLIC_URL"
DEFAULT_DAYS = 7
MIN_SECRET_CHARS = 32
LOCAL_PUBLIC_URL = "http://127.0.0.1:5005"
LOCAL_SECRET_FILE = Path(__file__).resolve().parent.parent / ".plan-link-secret"
PAGE_PATH = "/webhooks/plan/"
# Fernet refuses tokens dated more than this far in the future (clock skew between servers).
MAX_CLOCK_SKEW_S = 60


class PlanLinkSettingsError(RuntimeError):
    """A setting is missing or wrong: the server does not start."""


class ExpiredLink(Exception):
    """A genuine link past its lifetime."""


class InvalidLink(Exception):
    """Not a link this assistant made (forged, altered, cut short, or made with another secret)."""


def _key(secret: str) -> bytes:
    """A Fernet key derived from the secret, so any long enough string will do."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bme plan link").derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


@dataclass(frozen=True)
class OpenedLink:
    conversation_id: str
    expires: datetime


@dataclass(frozen=True)
class PlanLinks:
    secret: str = field(repr=False)
    lifetime: timedelta
    public_url: str

    def token(self, conversation_id: str, now: Optional[float] = None) -> str:
        issued = int(time.time() if now is None else now)
        return Fernet(_key(self.secret)).encrypt_at_time(conversation_id.encode(), issued).decode()

    def url(self, conversation_id: str, now: Optional[float] = None) -> str:
        return f"{self.public_url}{PAGE_PATH}{self.token(conversation_id, now)}"

    def open(self, token: str, now: Optional[float] = None) -> OpenedLink:
        """The conversation of ``token`` and when the link expires; ``ExpiredLink`` or ``InvalidLink`` otherwise."""
        fernet, now = Fernet(_key(self.secret)), time.time() if now is None else now
        try:
            issued = fernet.extract_timestamp(token)  # checks the HMAC first
            if issued > now + MAX_CLOCK_SKEW_S:
                raise InvalidLink()
            if now > issued + self.lifetime.total_seconds():
                raise ExpiredLink()
            conversation_id = fernet.decrypt(token).decode()
        except (InvalidToken, UnicodeError):
            raise InvalidLink() from None
        expires = datetime.fromtimestamp(issued, timezone.utc) + self.lifetime
        return OpenedLink(conversation_id, expires)


def _local_secret(path: Path = LOCAL_SECRET_FILE) -> str:
    """The secret the local servers share: read it, or create it atomically
    (``os.link`` fails if another process got there first)."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _lifetime(env: Mapping[str, str]) -> timedelta:
    value = env.get(DAYS_VARIABLE) or str(DEFAULT_DAYS)
    try:
        days = float(value)
    except ValueError:
        days = 0
    if not 0 < days <= 365:
        raise PlanLinkSettingsError(f"{DAYS_VARIABLE} must be a number of days from 0 to 365, not {value!r}.")
    return timedelta(days=days)


def _required_in_production(env: Mapping[str, str], variable: str, what: str) -> Optional[str]:
    value = env.get(variable)
    if not value and env.get("BME_PROFILE") == "production":
        raise PlanLinkSettingsError(f"BME_PROFILE=production needs {variable} ({what}).")
    return value


def check_settings(env: Mapping[str, str] = os.environ) -> None:
    """Stop a server's start-up when the plan links cannot work; creates nothing."""
    secret = _required_in_production(env, SECRET_VARIABLE, f"a random string of at least {MIN_SECRET_CHARS} characters")
    if secret is not None and len(secret) < MIN_SECRET_CHARS:
        raise PlanLinkSettingsError(f"{SECRET_VARIABLE} must have at least {MIN_SECRET_CHARS} characters.")
    _required_in_production(env, PUBLIC_URL_VARIABLE, "where users reach the Rasa server, e.g. https://bme.example.org")
    _lifetime(env)


def plan_links(env: Mapping[str, str] = os.environ) -> PlanLinks:
    check_settings(env)
    return PlanLinks(
        secret=env.get(SECRET_VARIABLE) or _local_secret(),
        lifetime=_lifetime(env),
        public_url=(env.get(PUBLIC_URL_VARIABLE) or LOCAL_PUBLIC_URL).rstrip("/"),
    )
