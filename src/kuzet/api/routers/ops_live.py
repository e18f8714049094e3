"""``/api/ws/ops``: incident changes pushed to operators, each only what they may see.

The engine calls :meth:`OpsHub.publish` from its threads; the hub hops onto the event
loop and offers each change to every client whose principal may see it (the same
``visible`` rule the REST routes use). A slow client loses its oldest messages, never
holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, status

from kuzet.access.model import Principal
from kuzet.api.context import get_context
from kuzet.api.live import LiveClient, LiveFilter
from kuzet.api.security import current_principal
from kuzet.api.stream import serve
from kuzet.incidents.model import Change
from kuzet.incidents.visibility import visible

router = APIRouter(tags=["ops"])


class OpsHub:
    def __init__(self, loop: asyncio.AbstractEventLoop, queue_size: int = 1024) -> None:
        self._loop = loop
        self._queue_size = queue_size
        self._clients: dict[LiveClient, Principal] = {}
        self.dropped = 0

    def connect(self, p: Principal) -> LiveClient:
        client = LiveClient(LiveFilter(), self._queue_size)
        self._clients[client] = p
        return client

    def disconnect(self, client: LiveClient) -> None:
        self._clients.pop(client, None)

    def publish(self, changes: list[Change]) -> None:
        """Thread-safe: called by the engine's ingest and SLA threads and by the steps."""
        with contextlib.suppress(RuntimeError):  # loop closed: the app is shutting down
            self._loop.call_soon_threadsafe(self.dispatch, changes)

    def dispatch(self, changes: list[Change]) -> None:
        for change in changes:
            inc = change.incident
            text: str | None = None
            for client, p in self._clients.items():
                if not visible(p, inc):
                    continue
                if text is None:
                    msg: dict[str, object] = {
                        "kind": "incident",
                        "incident": inc.model_dump(mode="json"),
                    }
                    if change.log is not None:
                        msg["log"] = change.log.model_dump(mode="json")
                    text = json.dumps(msg)
                if not client.offer(text):
                    self.dropped += 1

    def close(self) -> None:
        for client in list(self._clients):
            client.offer(None)


@router.websocket("/api/ws/ops")
async def ops_live(ws: WebSocket) -> None:
    """Each text frame is ``{"kind": "incident", "incident": {...}}`` for an incident
    that was created, grew (an event joined), moved a step, got a note or a checklist tick,
    or was escalated, if you may see it (agency, your scope, clearance); steps, notes,
    ticks and escalations add ``"log": {timeline entry}``."""
    hub = get_context(ws).ops_hub
    if hub is None:
        await ws.close(code=status.WS_1011_INTERNAL_ERROR, reason="operations centre is off")
        return
    client = hub.connect(current_principal(ws))
    try:
        await ws.accept()
        await serve(ws, client)
    finally:
        hub.disconnect(client)
