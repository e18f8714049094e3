"""``/api/events/{event_id}/clip``: the seconds around an event as MP4 (H.264).

Same policy as the snapshot: whoever may see the event and read pictures gets the clip;
without biometric clearance every frame has its faces blurred. The blurred copy is made
once, on first request, and kept beside the original (``....anon.mp4``), so the cost of
anonymising (face detection on ~75 frames) is paid once per clip, not per viewing.
"""

from __future__ import annotations

import re
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Response

from kuzet.access.blur import BlurError, FaceFinder, blur_regions
from kuzet.access.model import DataClass
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.schemas import ErrorBody
from kuzet.api.security import View, Who
from kuzet.media.mp4 import encode_mp4, mp4_frames
from kuzet.store.blobs import check_key

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
router = APIRouter(prefix="/api/events", tags=["events"], responses=ERROR_RESPONSES)


def blur_mp4(mp4: bytes, finder: FaceFinder) -> bytes:
    """The clip with faces blurred in every frame (same times, re-encoded)."""
    return encode_mp4((t, blur_regions(img, finder.detect(img))) for t, img in mp4_frames(mp4))


def _clip(ctx: ApiContext, key: str, blur: bool) -> bytes | None:
    data = ctx.blobs.get(key)
    if data is None or not blur:
        return data
    anon_key = key.removesuffix(".mp4") + ".anon.mp4"
    cached = ctx.blobs.get(anon_key)
    if cached is not None:
        return cached
    if ctx.faces is None:
        raise BlurError("no face detector configured")
    anon = blur_mp4(data, ctx.faces())
    put = getattr(ctx.blobs, "put", None)
    if put is not None:
        put(anon_key, anon)
    return anon


@router.get(
    "/{event_id}/clip",
    response_class=Response,
    responses={
        200: {"content": {"video/mp4": {}}, "description": "H.264 MP4, ~15 s"},
        206: {"content": {"video/mp4": {}}, "description": "The byte range asked for"},
        503: {"model": ErrorBody, "description": "Faces could not be blurred"},
    },
    summary="The seconds before and after the event, as MP4",
)
async def get_clip(
    ctx: Ctx,
    view: View,
    who: Who,
    event_id: str,
    range_: Annotated[str | None, Header(alias="range")] = None,
) -> Response:
    """404 when the event has no clip (not every event gets one, see docs/ui.md) or while
    its post-roll is still being recorded (a few seconds after the event). Answers byte
    ranges (206), which a browser's player needs to seek."""
    ev = await anyio.to_thread.run_sync(view.get_event, event_id)
    if ev is None:
        raise not_found("event", event_id)
    key = ev.attributes.get("clip")
    try:
        if not isinstance(key, str) or not key.startswith("clips/"):
            raise ValueError(key)
        check_key(key)
    except ValueError:
        raise not_found("clip of event", event_id) from None
    blur = not who.cleared(DataClass.BIOMETRICS)
    try:
        data = await anyio.to_thread.run_sync(_clip, ctx, key, blur)
    except Exception as exc:  # fail closed: no detector, no picture
        raise ApiError(503, "anonymisation_unavailable", f"cannot blur faces: {exc}") from None
    if data is None:
        raise not_found("clip of event", event_id)
    return _ranged(data, range_)


def _ranged(data: bytes, range_: str | None) -> Response:
    headers = {"Cache-Control": "private, max-age=300", "Accept-Ranges": "bytes"}
    m = _RANGE.fullmatch(range_.strip()) if range_ else None
    if m is None:  # no range, or a form we do not serve (several ranges): the whole clip
        return Response(content=data, media_type="video/mp4", headers=headers)
    total, (a, b) = len(data), m.groups()
    if a == "":  # "bytes=-N": the last N bytes
        start, end = max(0, total - int(b or 0)), total - 1
    else:
        start, end = int(a), min(int(b), total - 1) if b else total - 1
    if start > end or start >= total:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{total}"})
    headers["Content-Range"] = f"bytes {start}-{end}/{total}"
    return Response(data[start : end + 1], 206, media_type="video/mp4", headers=headers)
