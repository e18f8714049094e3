"""Serving one WebSocket stream: push a :class:`LiveClient`'s messages, notice the client
leaving, and close the stream when the caller's credentials stop working.

Credentials are checked at connect by the policy gate; a stream may stay open for
hours, so they are checked again every :data:`RECHECK_S` seconds (one indexed lookup):
logout, a revoked session or key, a deactivated user or an expired access token close
it with 1008 within that time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from functools import partial

import anyio
from fastapi import WebSocket, WebSocketDisconnect, status

from kuzet.api.context import get_context
from kuzet.api.live import LiveClient
from kuzet.api.security import caller_token, client_ip

RECHECK_S = 5.0
_GONE = (WebSocketDisconnect, RuntimeError, OSError)


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
    access, token, ip = get_context(ws).access, caller_token(ws), client_ip(ws)
    if access is None or token is None:
        return
    while True:
        await anyio.sleep(RECHECK_S)
        if await anyio.to_thread.run_sync(access.authenticate, token, ip) is None:
            await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="session ended")
            return


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
