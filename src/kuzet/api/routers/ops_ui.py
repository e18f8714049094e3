"""The operations centre's web app (static, built offline) and the camera wall's live MJPEG.

The bundle is served from the package (``kuzet/ui/dist``), so a wheel carries it and no
CDN is ever needed. The page holds no secret; every datum it shows comes through the
policy-gated API with the session cookie.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import AsyncIterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from kuzet.access.blur import blur_jpeg
from kuzet.access.model import DataClass
from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.security import View, Who
from kuzet.api.stream import GuardedStream
from kuzet.core.records import EventQuery

DIST = Path(__file__).resolve().parents[2] / "ui" / "dist"
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; media-src 'self' data: blob:; frame-ancestors 'none'"
)
BOUNDARY = "kuzetframe"
LIVE_POLL_S = 0.05

router = APIRouter(tags=["ui"])


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/{path:path}", include_in_schema=False)
def ui_file(path: str) -> Response:
    """A file of the bundle; anything unknown is the app (it routes on the client)."""
    target = (DIST / (path or "index.html")).resolve()
    if not target.is_relative_to(DIST) or not target.is_file():
        target = DIST / "index.html"
    if not target.is_file():
        return Response("UI not built: run `kuzet ui build`", status_code=503)
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix == ".geojson":
        media = "application/geo+json"
    cache = "no-cache" if target.name == "index.html" else "public, max-age=300"
    headers = {"Content-Security-Policy": CSP, "Cache-Control": cache}
    return Response(target.read_bytes(), media_type=media, headers=headers)


def _latest_snapshot(ctx: Ctx, view: View, camera_id: str) -> tuple[str, bytes, datetime] | None:
    """``(event id, JPEG, event time)`` of the camera's newest event with a snapshot."""
    items, _ = view.query_events(EventQuery(camera_id=[camera_id], limit=5))
    for ev in items:
        if ev.snapshot:
            data = ctx.blobs.get(ev.snapshot)
            if data:
                return ev.id, data, ev.ts
    return None


def frame_time(ts: datetime) -> str:
    """``X-Frame-Time``: ISO 8601 in UTC with milliseconds and ``Z``."""
    ts = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)  # stores keep UTC
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@router.get(
    "/api/ops/cameras/{camera_id}/live.mjpeg",
    response_class=StreamingResponse,
    responses={200: {"content": {"multipart/x-mixed-replace": {}}}, **ERROR_RESPONSES},
    summary="Camera wall: MJPEG of the camera's analysed frames with their tracked boxes",
)
async def camera_mjpeg(
    request: Request,
    ctx: Ctx,
    view: View,
    who: Who,
    camera_id: str,
    frames: Annotated[int, Query(ge=1, le=100_000)] = 100_000,
    interval_ms: Annotated[int, Query(ge=100, le=10_000)] = 500,
) -> StreamingResponse:
    """Each part is the camera's newest analysed frame from the pipeline's frame tap
    (boxes, labels and track ids drawn), a few per second while anyone watches. Until
    the camera has a frame (or in an API without a pipeline) the part is its newest event
    snapshot, polled every ``interval_ms`` and re-sent every 5 s. Each part's
    ``X-Frame-Time`` (ISO 8601, UTC) is when its frame was taken: the analysed frame's
    time, or the event's for a snapshot. Faces are blurred
    without biometric clearance. The stream ends within seconds of logout, revocation,
    deactivation or a narrowed clearance (:class:`kuzet.api.stream.GuardedStream`)."""
    if await anyio.to_thread.run_sync(view.get_camera, camera_id) is None:
        raise not_found("camera", camera_id)
    blur = not who.cleared(DataClass.BIOMETRICS)
    if blur and ctx.faces is None:
        raise ApiError(503, "anonymisation_unavailable", "cannot blur faces")
    tap = ctx.frames

    async def parts() -> AsyncIterator[bytes]:
        with tap.watch(camera_id) if tap is not None else nullcontext():
            sent, last, idle = 0, "", 0.0
            while sent < frames:
                live = tap.latest(camera_id) if tap is not None else None
                if live is not None:  # the tap: poll a dict, cheap
                    taken = datetime.fromtimestamp(live[2], UTC)
                    got: tuple[str, bytes, datetime] | None = (f"live-{live[0]}", live[1], taken)
                    step = LIVE_POLL_S
                else:  # no frame yet: the newest snapshot, from the store
                    got = await anyio.to_thread.run_sync(_latest_snapshot, ctx, view, camera_id)
                    step = interval_ms / 1000
                if got is not None and (got[0] != last or idle >= 5.0):
                    data = got[1]
                    if blur:
                        assert ctx.faces is not None
                        data, _ = await anyio.to_thread.run_sync(blur_jpeg, data, ctx.faces())
                    head = (
                        f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                        f"X-Frame-Time: {frame_time(got[2])}\r\n"
                    )
                    yield f"{head}Content-Length: {len(data)}\r\n\r\n".encode() + data + b"\r\n"
                    sent, last, idle = sent + 1, got[0], 0.0
                await asyncio.sleep(step)
                idle += step

    media = f"multipart/x-mixed-replace; boundary={BOUNDARY}"
    return GuardedStream(request, parts(), media_type=media, headers={"Cache-Control": "no-store"})
