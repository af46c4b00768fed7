"""Local stand-ins for Slack's Web API and Microsoft's Bot Framework, on 127.0.0.1.

Each stub records the requests it receives, so a test can assert what the
assistant would have posted to Slack or Teams.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import unquote

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
    endpoint and a Bot Connector service that records the bot's replies."""

    ACCESS_TOKEN = "stub-access-token"
    ISSUER = "https://api.botframework.com"

    def __init__(self, app_id: str) -> None:
        super().__init__()
        self.app_id = app_id
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
        self.routes[("POST", "/token")] = lambda request: (
            200,
            {"token_type": "Bearer", "expires_in": 3600, "access_token": self.ACCESS_TOKEN},
        )
        self.routes[("POST", "/teams-service/v3/conversations/")] = lambda request: (200, {"id": uuid.uuid4().hex})

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.url}/openid"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

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
