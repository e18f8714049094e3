"""``/api/recordings/{camera_id}/...``: a camera's recorded video for the timeline.

The timeline (recorded spans, gaps, event marks, bookmarks), an HLS playlist (fMP4
segments straight from the recorder), one MP4 of a range (byte ranges, 206), thumbnails.
Video routes audit themselves (camera, range, blurred or not, refusals): see
:mod:`kuzet.api.evidence_access`. Segment requests are not audited one by one; the
playlist that names them is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel

from kuzet.access.blur import BlurError
from kuzet.access.model import DataClass
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.evidence_access import Ev, audit, camera_in_scope, range_error, span, video_mode
from kuzet.api.security import View, Who
from kuzet.core.records import EventQuery
from kuzet.evidence.manifest import iso
from kuzet.evidence.ranges import NoRecording, RangeError, check_range, nearest, runs
from kuzet.evidence.remux import MediaError
from kuzet.storage import StorageError

router = APIRouter(prefix="/api/recordings", tags=["recordings"], responses=ERROR_RESPONSES)
TIMELINE_MAX_S = 7 * 86400.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HLS = "application/vnd.apple.mpegurl"
PRIVATE = {"Cache-Control": "private, max-age=300"}
Start = Annotated[datetime, Query(description="ISO 8601 with a zone; inclusive")]
End = Annotated[datetime, Query(description="ISO 8601 with a zone; exclusive")]
_NO_REC: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown camera, or no recording: `nearest` says where"}
}


class Mark(BaseModel):
    id: str
    type: str
    ts: datetime
    phase: str
    class_name: str | None
    rule: str | None


class Timeline(BaseModel):
    camera_id: str
    start: datetime
    end: datetime
    spans: list[dict[str, str]]  # recorded, contiguous: {start, end}
    gaps: list[dict[str, Any]]  # {start, end, reason}; end null = still down
    marks: list[Mark]
    marks_truncated: bool
    bookmarks: list[dict[str, Any]]
    first: datetime | None  # the camera's first / last recorded instant overall
    last: datetime | None


def _media_errors(exc: Exception) -> ApiError:
    if isinstance(exc, BlurError):
        return ApiError(503, "anonymisation_unavailable", f"cannot blur faces: {exc}")
    if isinstance(exc, RangeError | NoRecording):
        return range_error(exc)
    return ApiError(503, "recording_unreadable", str(exc))


_MEDIA_EXC = (MediaError, StorageError, BlurError, RangeError, NoRecording, OSError)


@router.get(
    "/{camera_id}/timeline",
    response_model=Timeline,
    responses=_NO_REC,
    summary="Recorded spans, gaps, event marks and bookmarks of a range",
)
async def timeline(
    ev: Ev, view: View, who: Who, camera_id: str, start: Start, end: End
) -> Timeline:
    """Up to 7 days; a range without any recording is still a 200 with no spans (the
    UI draws an empty timeline) and ``first``/``last`` to jump to."""
    await camera_in_scope(view, camera_id)
    try:
        check_range(start, end, TIMELINE_MAX_S, "timeline")
    except RangeError as exc:
        raise range_error(exc) from None
    idx = ev.recording.index

    def load() -> Timeline:
        segs = idx.between(camera_id, start, end)
        spans = [span(max(start, r[0].start), min(end, r[-1].end)) for r in runs(segs)]
        gaps = [
            {
                "start": iso(g.start),
                "end": None if g.end is None else iso(g.end),
                "reason": g.reason,
            }
            for g in idx.gaps(camera_id, start, end)
        ]
        items, more = view.query_events(
            EventQuery(camera_id=[camera_id], since=start, until=end, limit=1000)
        )
        marks = [
            Mark(id=e.id, type=e.type, ts=e.ts, phase=e.phase, class_name=e.class_name, rule=e.rule)
            for e in items
        ]
        books = ev.bookmarks.find(who, camera_id, start, end)
        latest = idx.latest(camera_id)
        return Timeline(
            camera_id=camera_id,
            start=start,
            end=end,
            spans=spans,
            gaps=gaps,
            marks=sorted(marks, key=lambda m: m.ts),
            marks_truncated=more is not None,
            bookmarks=books,
            first=nearest(idx, camera_id, EPOCH, EPOCH).after,
            last=None if latest is None else latest.end,
        )

    return await anyio.to_thread.run_sync(load)


@router.get(
    "/{camera_id}/playlist.m3u8",
    response_class=Response,
    responses={
        200: {"content": {HLS: {}}, "description": "HLS v7 media playlist (fMP4)"},
        **_NO_REC,
    },
    summary="A range as an HLS playlist",
)
async def playlist(
    request: Request, ev: Ev, view: View, who: Who, camera_id: str, start: Start, end: End
) -> Response:
    """VOD (with ``EXT-X-ENDLIST``) for a finished range; EVENT while the range reaches
    past what is recorded (reload it). Segment URIs are relative to the playlist."""
    await camera_in_scope(view, camera_id)
    try:
        segs = await anyio.to_thread.run_sync(ev.playback.segments, camera_id, start, end)
    except (RangeError, NoRecording) as exc:
        raise range_error(exc) from None
    detail = {"camera_id": camera_id, **span(start, end), "segments": len(segs)}
    blurred = await video_mode(request, ev, who, "recording.play", f"camera:{camera_id}", detail)
    text = await anyio.to_thread.run_sync(
        lambda: ev.playback.playlist(camera_id, start, end, blurred=blurred)
    )
    return Response(text, media_type=HLS, headers={"Cache-Control": "private, no-cache"})


@router.get(
    "/{camera_id}/segments/{segment_id}",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "A byte range"}},
    summary="One recorded fMP4 segment (as the playlist names it)",
)
async def segment(
    ev: Ev,
    view: View,
    who: Who,
    camera_id: str,
    segment_id: int,
    part: Literal["all", "init", "media"] = "all",
) -> Response:
    """``part=all`` (with Range requests, as the playlist's byte ranges ask); ``init`` /
    ``media`` split the blurred copy served to callers without biometric clearance."""
    await camera_in_scope(view, camera_id)
    seg = await anyio.to_thread.run_sync(ev.playback.segment, camera_id, segment_id)
    if seg is None:
        raise not_found("segment", str(segment_id))
    if not who.cleared(DataClass.VIDEO):
        raise ApiError(403, "video_clearance_required", "your account has no video clearance")
    blurred = not who.cleared(DataClass.BIOMETRICS)
    try:
        media = await anyio.to_thread.run_sync(lambda: ev.playback.media(seg, blurred=blurred))
    except _MEDIA_EXC as exc:
        raise _media_errors(exc) from None
    if part == "all":
        return FileResponse(media.path, media_type="video/mp4", headers=PRIVATE)
    a, b = (0, media.init_size) if part == "init" else (media.init_size, media.size)
    data = await anyio.to_thread.run_sync(lambda: _read(media.path, a, b))
    return Response(data, media_type="video/mp4", headers=PRIVATE)


def _read(path: Any, a: int, b: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(a)
        return f.read(b - a)


@router.get(
    "/{camera_id}/video.mp4",
    response_class=FileResponse,
    responses={
        200: {"content": {"video/mp4": {}}},
        206: {"description": "A byte range"},
        **_NO_REC,
    },
    summary="A range as one MP4 (seekable: byte ranges)",
)
async def video(
    request: Request, ev: Ev, view: View, who: Who, camera_id: str, start: Start, end: End
) -> Response:
    """Copied from the recording (starts at the keyframe before ``start``); made once and
    cached, so a player's many range requests cost one remux. A range spanning a gap
    gives the part before the gap: ``X-Kuzet-Start`` / ``X-Kuzet-End`` say what it covers."""
    await camera_in_scope(view, camera_id)
    try:
        await anyio.to_thread.run_sync(ev.playback.segments, camera_id, start, end)
    except (RangeError, NoRecording) as exc:
        raise range_error(exc) from None
    detail = {"camera_id": camera_id, **span(start, end)}
    blurred = await video_mode(request, ev, who, "recording.mp4", f"camera:{camera_id}", detail)
    try:
        path, a, b = await anyio.to_thread.run_sync(
            lambda: ev.playback.mp4(camera_id, start, end, blurred=blurred)
        )
    except _MEDIA_EXC as exc:
        raise _media_errors(exc) from None
    name = f"{camera_id}_{start:%Y%m%dT%H%M%S}Z.mp4"
    covered = {"X-Kuzet-Start": iso(a), "X-Kuzet-End": iso(b)}
    return FileResponse(
        path,
        media_type="video/mp4",
        headers={**PRIVATE, **covered},
        filename=name,
        content_disposition_type="inline",
    )


@router.get(
    "/{camera_id}/thumbnail.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, **_NO_REC},
    summary="The picture at one instant",
)
async def thumbnail(
    request: Request,
    ev: Ev,
    view: View,
    who: Who,
    camera_id: str,
    t: Annotated[datetime, Query(description="ISO 8601 with a zone")],
    width: Annotated[int, Query(ge=32, le=1920)] = 320,
) -> Response:
    await camera_in_scope(view, camera_id)
    if t.tzinfo is None:
        raise range_error(RangeError("t", "give the time with a zone, e.g. ...Z"))
    try:
        await anyio.to_thread.run_sync(
            ev.playback.segments, camera_id, t, t + timedelta(milliseconds=1)
        )
    except (RangeError, NoRecording) as exc:
        raise range_error(exc) from None
    detail = {"camera_id": camera_id, "t": iso(t)}
    blurred = await video_mode(
        request, ev, who, "recording.thumbnail", f"camera:{camera_id}", detail
    )
    try:
        data = await anyio.to_thread.run_sync(
            lambda: ev.playback.thumbnail(camera_id, t, width, blurred=blurred)
        )
    except _MEDIA_EXC as exc:
        raise _media_errors(exc) from None
    return Response(data, media_type="image/jpeg", headers=PRIVATE)


@router.get(
    "/{camera_id}/thumbnails.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, **_NO_REC},
    summary="Thumbnails along a range, in one image",
)
async def thumbnails(
    request: Request,
    ev: Ev,
    view: View,
    who: Who,
    camera_id: str,
    start: Start,
    end: End,
    count: Annotated[int, Query(ge=1, le=60)] = 12,
    width: Annotated[int, Query(ge=32, le=640)] = 160,
) -> Response:
    """``count`` tiles left to right, each the picture at the middle of its slice of the
    range; ``X-Kuzet-Thumbnail-Times`` lists those instants (``-`` for a slice with no
    recording, drawn grey). One request and one audit record per strip."""
    await camera_in_scope(view, camera_id)
    try:
        await anyio.to_thread.run_sync(ev.playback.segments, camera_id, start, end)
    except (RangeError, NoRecording) as exc:
        raise range_error(exc) from None
    detail = {"camera_id": camera_id, **span(start, end), "count": count}
    blurred = await video_mode(
        request, ev, who, "recording.thumbnail", f"camera:{camera_id}", detail
    )
    try:
        data, times = await anyio.to_thread.run_sync(
            lambda: ev.playback.sprite(camera_id, start, end, count, width, blurred=blurred)
        )
    except _MEDIA_EXC as exc:
        raise _media_errors(exc) from None
    stamps = ",".join("-" if x is None else iso(x) for x in times)
    return Response(
        data, media_type="image/jpeg", headers={**PRIVATE, "X-Kuzet-Thumbnail-Times": stamps}
    )


__all__ = ["audit", "router"]
