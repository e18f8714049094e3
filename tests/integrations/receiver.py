"""A webhook receiver for the tests: a real HTTP server that verifies each request with
Kuzet's verifier (HMAC, timestamp window, replay guard) and can be told to fail."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kuzet.integrations.signing import ReplayGuard, SignatureError, verify


@dataclass
class Received:
    delivery: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    secret: bytes
    fail_next: int = 0  # answer 500 to this many requests first
    down: bool = False  # answer 503 to everything
    got: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # reasons
    attempts: int = 0

    def __post_init__(self) -> None:
        self.guard = ReplayGuard(300)
        rx = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = rx.handle(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hook"
        self._lock = threading.Lock()
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            self.attempts += 1
            if self.down:
                return 503
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500
            try:
                delivery = verify(self.secret, headers, body, guard=self.guard)
            except SignatureError as exc:
                self.refused.append(exc.reason)
                return 401
            self.got.append(Received(delivery, headers, body))
            return 204

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
