"""Request bodies are bounded before anything reads them (pure ASGI middleware).

Every route takes at most ``default`` bytes (1 MiB by default); the few that take
uploads name a larger limit in their access rule (``Rule.max_body``), and get it only
when the caller's credentials authenticate, so an anonymous client cannot make the
server buffer hundreds of MiB. A declared ``Content-Length`` over the limit is refused
at once (413), before a byte is read; a chunked body is counted as it arrives and cut
off (413) at the limit.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuzet.api.errors import ApiError
from kuzet.api.schemas import error_body

Authenticates = Callable[[HTTPConnection], Awaitable[bool]]


def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p)
                                    for p in parts if p) + "$")  # fmt: skip


def too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"request body larger than {limit} bytes")


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int,
        larger: dict[tuple[str, str], int],
        authenticates: Authenticates,
    ) -> None:
        self.app = app
        self.default = default
        self.larger = [(m, _template(p), n) for (m, p), n in larger.items()]
        self.authenticates = authenticates

    async def limit_for(self, scope: Scope) -> int:
        method, path = scope.get("method", ""), scope.get("path", "")
        for m, pattern, n in self.larger:
            if m == method and pattern.match(path):
                if await self.authenticates(HTTPConnection(scope)):
                    return max(n, self.default)
                break
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        limit = self.default
        if declared is not None or scope.get("method") in ("POST", "PUT", "PATCH"):
            limit = await self.limit_for(scope)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            err = too_large(limit)
            body = error_body(err.code, str(err.detail))
            await JSONResponse(body, status_code=413, headers={"Connection": "close"})(
                scope, receive, send
            )
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, counted, send)
