"""``/api/ws/events``: events pushed as JSON text frames as they happen."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, WebSocket

from kuzet.access.scope import ScopedStore, event_view
from kuzet.api.context import get_context
from kuzet.api.live import LiveFilter
from kuzet.api.security import current_principal
from kuzet.api.stream import serve
from kuzet.core.event import Event

router = APIRouter(tags=["live"])


@router.websocket("/api/ws/events")
async def live_events(ws: WebSocket) -> None:
    """Query ``camera_id`` and ``type`` (repeatable or comma-separated) filter the stream.

    Authenticate with ``Authorization: Bearer``, ``X-API-Key`` or the session cookie;
    only events in the caller's scope are sent. Each text frame is one ``Event`` as
    JSON. A client that reads too slowly loses its
    oldest queued events (counted in ``kuzet_ws_dropped_total``); it is not disconnected.
    The stream closes (1008) within seconds of logout or revocation (:mod:`..stream`).
    """
    ctx = get_context(ws)
    hub = ctx.hub
    who = current_principal(ws)  # authenticated by the policy gate before we got here
    # The camera scope is resolved once per connection; reconnect to pick up changes.
    allowed = await anyio.to_thread.run_sync(ScopedStore(ctx.store, who).allowed_camera_ids)

    def view(ev: Event) -> Event | None:
        if allowed is not None and ev.camera_id not in allowed:
            return None
        if not who.scope.type_allowed(ev.type):
            return None
        return event_view(who, ev)

    flt = LiveFilter.from_query(ws.query_params).scoped(view)
    client = hub.connect(flt)  # before accept: once the client is in, nothing is missed
    try:
        await ws.accept()
    except Exception:
        hub.disconnect(client)
        raise
    try:
        await serve(ws, client)
    finally:
        hub.disconnect(client)
