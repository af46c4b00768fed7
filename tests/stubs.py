"""Local stand-ins for Slack's Web API and Microsoft's Bot Framework, on 127.0.0.1.

Each stub records the requests it receives, so a test can assert what the
assistant would have posted to Slack or Teams.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

Reply = Tuple[int, Dict[str, Any]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: Any


def header(request: Recorded, name: str) -> Optional[str]:
    """A request header, whatever case the client sent it in."""
    return next((value for key, value in request.headers.items() if key.lower() == name.lower()), None)


class StubServer:
    """A JSON HTTP server whose routes map (method, path prefix) to a reply function."""

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], Callable[[Recorded], Reply]] = {}
        self.requests: List[Recorded] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def _answer(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode()
                request = Recorded(method, self.path, dict(self.headers), body)
                status, reply = stub.reply_to(request)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def reply_to(self, request: Recorded) -> Reply:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
        for (method, prefix), reply in self.routes.items():
            if request.method == method and request.path.startswith(prefix):
                return reply(request)
        return 404, {"error": "no such route"}

    def wait_for(self, select: Callable[[List[Recorded]], List[Any]], count: int, timeout: float = 60) -> List[Any]:
        """The first ``count`` items ``select`` picks from the recorded requests, once there are as many."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(select(self.requests)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} requests, got {select(self.requests)}")
                self._changed.wait(left)
            return select(self.requests)[:count]

    @contextmanager
    def running(self) -> Iterator["StubServer"]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


class SlackApiStub(StubServer):
    """Slack's Web API: chat.postMessage succeeds and is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.routes[("POST", "/api/chat.postMessage")] = lambda request: (200, {"ok": True, "ts": str(time.time())})

    def posts(self, channel: str) -> List[Dict[str, Any]]:
        """The messages posted to ``channel`` so far."""
        return self._posts(self.requests, channel)

    def posts_to(self, channel: str, count: int) -> List[Dict[str, Any]]:
        """The first ``count`` messages posted to ``channel`` (waits for them)."""
        return self.wait_for(lambda requests: self._posts(requests, channel), count)

    @staticmethod
    def _posts(requests: List[Recorded], channel: str) -> List[Dict[str, Any]]:
        return [
            r.body
            for r in requests
            if r.path == "/api/chat.postMessage" and isinstance(r.body, dict) and r.body.get("channel") == channel
        ]


class BotFrameworkStub(StubServer):
    """Microsoft's side of Teams: OpenID metadata, signing keys (JWKS), the token
    endpoints a bot of each app type uses, and a Bot Connector service that records
    the bot's replies. Like Microsoft, it hands out an access token only for the
    bot's own credentials, and takes replies only with that token:

    - Entra ID (``{login_url}/{tenant}/oauth2/v2.0/token``): a client-credentials
      form with the bot's id, secret and the Bot Framework scope, at the bot's
      tenant (botframework.com for MultiTenant);
    - IMDS (``managed_identity_url``): a GET with ``Metadata: true``, the Bot
      Framework resource and the identity's client id;
    - App Service (``app_service_endpoint``): the same with ``X-IDENTITY-HEADER``."""

    ACCESS_TOKEN = "stub-access-token"
    ISSUER = "https://api.botframework.com"
    SCOPE = "https://api.botframework.com/.default"
    RESOURCE = "https://api.botframework.com"
    IDENTITY_HEADER = "stub-identity-header"
    LIFETIME_S = 3600
    TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")

    def __init__(self, app_id: str, app_password: str = "stub-app-password", tenant: str = "botframework.com") -> None:
        super().__init__()
        self.app_id = app_id
        self.app_password = app_password
        self.tenant = tenant
        self.service_url = f"{self.url}/teams-service/"
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = "stub-key"
        jwk = {
            **RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True),
            "kid": self.key_id,
            "use": "sig",
            "endorsements": ["msteams"],
        }
        self.routes[("GET", "/openid")] = lambda request: (
            200,
            {"issuer": self.ISSUER, "jwks_uri": f"{self.url}/keys", "id_token_signing_alg_values_supported": ["RS256"]},
        )
        self.routes[("GET", "/keys")] = lambda request: (200, {"keys": [jwk]})
        self.routes[("GET", "/metadata/identity/oauth2/token")] = self._imds_token
        self.routes[("GET", "/msi/token")] = self._app_service_token
        self.routes[("POST", "/teams-service/v3/conversations/")] = self._activity
        self.routes[("POST", "/")] = self._entra_token  # /{tenant}/oauth2/v2.0/token, checked there

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.url}/openid"

    @property
    def login_url(self) -> str:
        return self.url

    @property
    def managed_identity_url(self) -> str:
        return f"{self.url}/metadata/identity/oauth2/token"

    @property
    def app_service_endpoint(self) -> str:
        return f"{self.url}/msi/token"

    def token_requests(self) -> List[Recorded]:
        return [r for r in self.requests if self.TOKEN_PATH.match(r.path) or "/token?" in r.path]

    def _entra_token(self, request: Recorded) -> Reply:
        match = self.TOKEN_PATH.match(request.path)
        if not match:
            return 404, {"error": "no such route"}
        form = {key: values[0] for key, values in parse_qs(request.body or "").items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if match.group(1) != self.tenant or form.get("client_id") != self.app_id:
            return 400, {"error": "unauthorized_client", "error_description": "app not found in this tenant"}
        if form.get("client_secret") != self.app_password:
            return 401, {"error": "invalid_client", "error_description": "invalid client secret"}
        if form.get("scope") != self.SCOPE:
            return 400, {"error": "invalid_scope"}
        return 200, {"token_type": "Bearer", "expires_in": self.LIFETIME_S, "access_token": self.ACCESS_TOKEN}

    def _imds_token(self, request: Recorded) -> Reply:
        if header(request, "Metadata") != "true":
            return 400, {"error": "invalid_request", "error_description": "Required metadata header not specified"}
        problem = self._managed_identity_problem(request)
        if problem:
            return problem
        expires_on = int(time.time()) + self.LIFETIME_S
        return 200, {  # IMDS sends the numbers as strings
            "access_token": self.ACCESS_TOKEN,
            "expires_in": str(self.LIFETIME_S),
            "expires_on": str(expires_on),
            "resource": self.RESOURCE,
            "token_type": "Bearer",
        }

    def _app_service_token(self, request: Recorded) -> Reply:
        if header(request, "X-IDENTITY-HEADER") != self.IDENTITY_HEADER:
            return 401, {"error": "missing or wrong X-IDENTITY-HEADER"}
        problem = self._managed_identity_problem(request)
        if problem:
            return problem
        expires_on = int(time.time()) + self.LIFETIME_S
        return 200, {  # App Service tells when the token expires, not how long it lasts
            "access_token": self.ACCESS_TOKEN,
            "expires_on": str(expires_on),
            "resource": self.RESOURCE,
            "token_type": "Bearer",
            "client_id": self.app_id,
        }

    def _managed_identity_problem(self, request: Recorded) -> Optional[Reply]:
        query = {key: values[0] for key, values in parse_qs(urlsplit(request.path).query).items()}
        if not query.get("api-version") or query.get("resource") != self.RESOURCE:
            return 400, {"error": "invalid_request", "error_description": "api-version and resource are required"}
        if query.get("client_id") != self.app_id:
            return 400, {"error": "invalid_request", "error_description": "Identity not found"}
        return None

    def _activity(self, request: Recorded) -> Reply:
        if header(request, "Authorization") != f"Bearer {self.ACCESS_TOKEN}":
            return 401, {"message": "Authorization has been denied for this request."}
        return 200, {"id": uuid.uuid4().hex}

    def token(
        self, private_key: Optional[rsa.RSAPrivateKey] = None, key_id: Optional[str] = None, **claims: Any
    ) -> str:
        """A Bot Framework JWT for this bot and service URL; ``claims`` override or add claims."""
        now = int(time.time())
        payload = {
            "iss": self.ISSUER,
            "aud": self.app_id,
            "serviceurl": self.service_url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(
            payload, private_key or self.private_key, algorithm="RS256", headers={"kid": key_id or self.key_id}
        )

    def replies(self, conversation_id: str) -> List[Recorded]:
        """The activities the bot has posted in the conversation so far."""
        return self._replies(self.requests, conversation_id)

    def replies_in(self, conversation_id: str, count: int) -> List[Recorded]:
        """The first ``count`` activities the bot posted in the conversation (waits for them)."""
        return self.wait_for(lambda requests: self._replies(requests, conversation_id), count)

    @staticmethod
    def _replies(requests: List[Recorded], conversation_id: str) -> List[Recorded]:
        prefix = "/teams-service/v3/conversations/"
        return [
            r
            for r in requests
            if r.method == "POST"
            and r.path.startswith(prefix)
            and unquote(r.path[len(prefix) :]) == f"{conversation_id}/activities"
        ]
