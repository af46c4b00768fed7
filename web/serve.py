"""Serve the chat page on 127.0.0.1: `python -m web.serve --port 8080 --rasa-url http://127.0.0.1:5005`.

The page is web/index.html with its words (knowledge/messages.yml), the
educational-use notice and the Rasa server's address filled in, web/chat.js,
web/page.css and the rasa-webchat bundle that `make web` installs in
web/node_modules. Its Content-Security-Policy lets the page load nothing but
these files and talk to nothing but the Rasa server, so it works offline (the
widget's Google font is never fetched).
"""

from __future__ import annotations

import argparse
import html
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any, Dict, Tuple
from urllib.parse import urlsplit

from bme.knowledge import KnowledgeBase, knowledge_base

WEB = Path(__file__).resolve().parent
BUNDLE = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
Route = Tuple[str, bytes]  # content type, body
NOT_FOUND: Route = ("text/plain; charset=utf-8", b"Not found\n")


def socket_origins(rasa_url: str) -> str:
    """The Rasa server's origin for socket.io's HTTP polling and its WebSocket."""
    parts = urlsplit(rasa_url)
    websocket = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {websocket}://{parts.netloc}"


def content_security_policy(rasa_url: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self' data:; connect-src 'self' {socket_origins(rasa_url)}; base-uri 'none'; form-action 'none'"
    )


def page_html(kb: KnowledgeBase, rasa_url: str) -> str:
    """web/index.html with the page's words, the clinical notice and the Rasa server's address."""
    values = {**kb.chat_page.dict(), "notice": kb.disclaimers.clinical, "rasa_url": rasa_url}
    return Template((WEB / "index.html").read_text()).substitute(
        {name: html.escape(value) for name, value in values.items()}
    )


def routes(kb: KnowledgeBase, rasa_url: str) -> Dict[str, Route]:
    return {
        "/": ("text/html; charset=utf-8", page_html(kb, rasa_url).encode()),
        "/chat.js": ("text/javascript; charset=utf-8", (WEB / "chat.js").read_bytes()),
        "/page.css": ("text/css; charset=utf-8", (WEB / "page.css").read_bytes()),
        "/webchat.js": ("text/javascript; charset=utf-8", BUNDLE.read_bytes()),
    }


def handler_for(pages: Dict[str, Route], policy: str) -> type:
    class ChatPageHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._respond(include_body=True)

        def do_HEAD(self) -> None:
            self._respond(include_body=False)

        def _respond(self, include_body: bool) -> None:
            path = urlsplit(self.path).path
            content_type, body = pages.get(path, NOT_FOUND)
            self.send_response(HTTPStatus.OK if path in pages else HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if include_body:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            """Quiet: `make run` shows the Rasa server's log in the same terminal."""

    return ChatPageHandler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Serve the assistant's chat page on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005", help="the Rasa server the page talks to")
    args = parser.parse_args(argv)
    if not BUNDLE.exists():
        print(f"{BUNDLE} is missing: run `make web` to install the rasa-webchat widget.", file=sys.stderr)
        return 1
    pages = routes(knowledge_base(), args.rasa_url)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(pages, content_security_policy(args.rasa_url)))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
