"""Long-lived responses end when the caller's credentials do.

The policy gate checks credentials once, at connect; a WebSocket, an MJPEG stream (or
HLS, later) may then stay open for hours. :class:`CredentialWatch` re-checks them
every :data:`RECHECK_S` seconds (one indexed lookup) and says when they ended: logout,
a revoked session or key, a deactivated user, an expired access token, or a change
that narrows what the caller may see (role, permissions, clearances, scope; the client
reconnects to get its new view). Every streaming response uses it:

* WebSockets: :func:`serve` closes the socket with 1008;
* HTTP streams: :class:`GuardedStream` (a ``StreamingResponse``) ends the body.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from functools import partial

import anyio
from fastapi import WebSocket, WebSocketDisconnect, status
from starlette.requests import HTTPConnection
from starlette.responses import StreamingResponse
from starlette.types import Send

from kuzet.access.model import Principal
from kuzet.api.context import get_context
from kuzet.api.live import LiveClient
from kuzet.api.security import caller_token, client_ip

RECHECK_S = 5.0
_GONE = (WebSocketDisconnect, RuntimeError, OSError)


def _view(p: Principal) -> tuple[object, ...]:
    """What a stream's content depends on: any change of it ends the stream."""
    return (p.user_id, p.stage, p.role, p.permissions, p.clearances, p.scope, p.platform)


class CredentialWatch:
    """The caller of ``conn`` as the policy gate let it in, re-checked on demand."""

    def __init__(self, conn: HTTPConnection) -> None:
        self._access = get_context(conn).access
        self._token = caller_token(conn)
        self._ip = client_ip(conn)
        first: Principal | None = getattr(conn.state, "principal", None)
        self._view = None if first is None else _view(first)

    async def valid(self) -> bool:
        """Whether the credentials still work and still give the same view."""
        if self._access is None or self._token is None:
            return self._view is None  # a public stream: nothing to re-check
        p = await anyio.to_thread.run_sync(self._access.authenticate, self._token, self._ip)
        return p is not None and _view(p) == self._view

    async def ended(self) -> None:
        """Returns once the credentials stopped working (checked every ``RECHECK_S``)."""
        while True:
            await anyio.sleep(RECHECK_S)
            if not await self.valid():
                return


class GuardedStream(StreamingResponse):
    """A streaming HTTP response whose body ends within ``RECHECK_S`` of the caller's
    credentials ending (the content iterator is closed, the response completed)."""

    def __init__(
        self,
        conn: HTTPConnection,
        content: AsyncIterable[bytes],
        *,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self._watch = CredentialWatch(conn)

    async def stream_response(self, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.raw_headers})
        async with anyio.create_task_group() as tg:

            async def pump() -> None:
                async for chunk in self.body_iterator:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                tg.cancel_scope.cancel()

            async def watch() -> None:
                await self._watch.ended()
                tg.cancel_scope.cancel()

            tg.start_soon(pump)
            tg.start_soon(watch)
        aclose = getattr(self.body_iterator, "aclose", None)
        if aclose is not None:
            await aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _push(ws: WebSocket, client: LiveClient) -> None:
    while True:
        text = await client.next()
        if text is None:  # server shutting down
            await ws.close(code=status.WS_1001_GOING_AWAY)
            return
        await ws.send_text(text)


async def _until_disconnect(ws: WebSocket) -> None:
    """Incoming frames are ignored; this only notices the client leaving."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


async def _until_credentials_end(ws: WebSocket) -> None:
    await CredentialWatch(ws).ended()
    await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="session ended")


async def serve(ws: WebSocket, client: LiveClient) -> None:
    """Run until the server shuts down, the client leaves or its credentials end;
    whichever comes first ends the others. The caller accepts and disconnects."""
    async with anyio.create_task_group() as tg:

        async def guard(part: Callable[[], Awaitable[None]]) -> None:
            with contextlib.suppress(*_GONE):
                await part()
            tg.cancel_scope.cancel()

        tg.start_soon(guard, partial(_push, ws, client))
        tg.start_soon(guard, partial(_until_disconnect, ws))
        tg.start_soon(guard, partial(_until_credentials_end, ws))
