"""``/api/bookmarks``: marks on a camera's timeline (note, who, when), optionally
attached to an incident; each holds a little video around it from retention."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from kuzet.access.errors import AccessError
from kuzet.access.model import Principal
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid, not_found
from kuzet.api.evidence_access import Ev, camera_in_scope, range_error
from kuzet.api.security import View, Who
from kuzet.evidence.ranges import RangeError

router = APIRouter(prefix="/api/bookmarks", tags=["evidence"], responses=ERROR_RESPONSES)


class BookmarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_id: str
    ts: datetime = Field(description="the marked instant, ISO 8601 with a zone")
    note: str = Field(min_length=1, max_length=2000)
    incident_id: str | None = None


class BookmarkPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, min_length=1, max_length=2000)
    incident_id: str | None = Field(None, description="attach; send null to detach")


async def _incident_visible(ctx: ApiContext, who: Principal, incident_id: str) -> None:
    if ctx.incidents is None:
        raise ApiError(503, "ops_unavailable", "the operations centre is not running")
    try:
        await anyio.to_thread.run_sync(ctx.incidents.book.get, who, incident_id)
    except AccessError:  # NotFound: unknown or out of scope, read alike
        raise invalid("body.incident_id", f"incident {incident_id!r} not found") from None


@router.get("", summary="Bookmarks of a camera (and range), or of an incident")
async def list_bookmarks(
    ev: Ev,
    view: View,
    who: Who,
    camera_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    incident_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[dict[str, Any]]:
    if camera_id is None and incident_id is None:
        raise invalid("query.camera_id", "give camera_id or incident_id")
    if camera_id is not None:
        await camera_in_scope(view, camera_id)
    items = await anyio.to_thread.run_sync(
        lambda: ev.bookmarks.find(who, camera_id, start, end, incident_id, limit)
    )
    seen: dict[str, bool] = {}
    out = []
    for b in items:
        cam = b["camera_id"]
        if cam not in seen:
            seen[cam] = await anyio.to_thread.run_sync(view.get_camera, cam) is not None
        if seen[cam]:
            out.append(b)
    return out


@router.post("", status_code=status.HTTP_201_CREATED, summary="Bookmark an instant")
async def create_bookmark(
    ctx: Ctx, ev: Ev, view: View, who: Who, body: BookmarkIn, response: Response
) -> dict[str, Any]:
    await camera_in_scope(view, body.camera_id)
    if body.incident_id is not None:
        await _incident_visible(ctx, who, body.incident_id)
    try:
        out = await anyio.to_thread.run_sync(
            lambda: ev.bookmarks.create(who, body.camera_id, body.ts, body.note, body.incident_id)
        )
    except RangeError as exc:
        raise range_error(exc, "body") from None
    response.headers["Location"] = f"/api/bookmarks/{out['id']}"
    return out


async def _one(ev: Ev, view: View, who: Who, bookmark_id: str) -> dict[str, Any]:
    got = await anyio.to_thread.run_sync(ev.bookmarks.get, who, bookmark_id)
    if got is None or await anyio.to_thread.run_sync(view.get_camera, got["camera_id"]) is None:
        raise not_found("bookmark", bookmark_id)
    return got


@router.patch("/{bookmark_id}", summary="Edit the note, attach to or detach from an incident")
async def update_bookmark(
    ctx: Ctx, ev: Ev, view: View, who: Who, bookmark_id: str, body: BookmarkPatch
) -> dict[str, Any]:
    await _one(ev, view, who, bookmark_id)
    detach = "incident_id" in body.model_fields_set and body.incident_id is None
    if body.incident_id is not None:
        await _incident_visible(ctx, who, body.incident_id)
    try:
        out = await anyio.to_thread.run_sync(
            lambda: ev.bookmarks.update(
                who, bookmark_id, note=body.note, incident_id=body.incident_id, detach=detach
            )
        )
    except RangeError as exc:
        raise range_error(exc, "body") from None
    if out is None:
        raise not_found("bookmark", bookmark_id)
    return out


@router.delete(
    "/{bookmark_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a bookmark (its hold is released)",
)
async def delete_bookmark(
    ev: Ev, view: View, who: Who, bookmark_id: str, reason: str = ""
) -> Response:
    await _one(ev, view, who, bookmark_id)
    await anyio.to_thread.run_sync(ev.bookmarks.delete, who, bookmark_id, reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
