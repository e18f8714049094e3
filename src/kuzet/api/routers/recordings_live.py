"""``WS /api/ws/recordings/{camera_id}/live``: the camera at its full frame rate.

Protocol: one text frame ``{"type": "init", "mime": "video/mp4; codecs=\\"avc1...\\"",
"width", "height"}``, then binary frames: the fMP4 init segment, then one ``moof+mdat``
per video frame from a keyframe on. Feed them to a Media Source Extensions
``SourceBuffer`` (``mode = "sequence"`` not needed: times are continuous). Faces cannot
be blurred at full rate on the fly, so callers without biometric clearance are refused
(the camera wall's MJPEG is their blurred live view). Credentials are re-checked every
few seconds, as on the other streams: logout or revocation closes it with 1008.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from functools import partial

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, WebSocketException, status

from kuzet.access.model import DataClass
from kuzet.access.scope import ScopedStore
from kuzet.api import stream
from kuzet.api.context import get_context
from kuzet.api.evidence_access import audit
from kuzet.api.security import caller_token, client_ip, current_principal
from kuzet.evidence.live import LiveRelay, Viewer

router = APIRouter(tags=["recordings"])
READY_S = 10.0
_GONE = (WebSocketDisconnect, RuntimeError, OSError)


async def _push(ws: WebSocket, relay: LiveRelay, viewer: Viewer) -> None:
    mime = f'video/mp4; codecs="{relay.codec}"'
    head = {"type": "init", "mime": mime, "width": relay.size[0], "height": relay.size[1]}
    await ws.send_text(json.dumps(head))
    assert relay.init is not None
    await ws.send_bytes(relay.init)
    while (chunk := await viewer.queue.get()) is not None:
        await ws.send_bytes(chunk)
    await ws.send_text(json.dumps({"type": "end", "message": relay.error or "stream ended"}))
    await ws.close(code=status.WS_1011_INTERNAL_ERROR if relay.error else 1000)


async def _until_disconnect(ws: WebSocket) -> None:
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


async def _until_credentials_end(ws: WebSocket) -> None:
    """As :mod:`kuzet.api.stream` does for the event streams (the lead unifies them)."""
    access, token, ip = get_context(ws).access, caller_token(ws), client_ip(ws)
    if access is None or token is None:
        return
    while True:
        await anyio.sleep(stream.RECHECK_S)
        if await anyio.to_thread.run_sync(access.authenticate, token, ip) is None:
            await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="session ended")
            return


@router.websocket("/api/ws/recordings/{camera_id}/live")
async def live_video(ws: WebSocket, camera_id: str) -> None:
    ctx = get_context(ws)
    who = current_principal(ws)
    ev = ctx.evidence
    if ev is None:
        raise WebSocketException(status.WS_1013_TRY_AGAIN_LATER, "recording is not enabled")
    cam = await anyio.to_thread.run_sync(ScopedStore(ctx.store, who).get_camera, camera_id)
    if cam is None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, f"camera {camera_id!r} not found")
    refused = None
    if not who.cleared(DataClass.VIDEO):
        refused = "video clearance required"
    elif not who.cleared(DataClass.BIOMETRICS):
        refused = "biometric clearance required for full-rate live video (use the camera wall)"
    detail = {"camera_id": camera_id, "faces_blurred": False, "refused": refused}
    target = f"camera:{camera_id}"
    outcome = "denied" if refused else "ok"
    await anyio.to_thread.run_sync(
        lambda: audit(ws, who, "recording.live", target=target, outcome=outcome, detail=detail)
    )
    if refused:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, refused)
    relay, viewer = ev.live.join(camera_id, cam.main_url, asyncio.get_running_loop())
    try:
        await anyio.to_thread.run_sync(relay.wait_ready, READY_S)
        if relay.init is None:
            why = relay.error or "no picture from the camera yet"
            raise WebSocketException(status.WS_1011_INTERNAL_ERROR, why[:120])
        await ws.accept()
        async with anyio.create_task_group() as tg:

            async def guard(part: Callable[[], Awaitable[None]]) -> None:
                with contextlib.suppress(*_GONE):
                    await part()
                tg.cancel_scope.cancel()

            tg.start_soon(guard, partial(_push, ws, relay, viewer))
            tg.start_soon(guard, partial(_until_disconnect, ws))
            tg.start_soon(guard, partial(_until_credentials_end, ws))
    finally:  # also when the connection was cancelled: the relay must let the viewer go
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(ev.live.leave, relay, viewer)
