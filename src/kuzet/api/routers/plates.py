"""Plate search (exact, wildcard ``123*02``, fuzzy by edit distance) and the data-subject
requests of one plate (export, erase). Plates clearance, camera scope and a reason are
required; every query is audited with what was asked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from kuzet.access.scope import ScopedStore
from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid
from kuzet.api.list_access import Reason, audit, delete_blob
from kuzet.api.plate_access import Plates
from kuzet.api.schemas_plates import ErasedOut, PlateReadOut, PlateSearchOut
from kuzet.api.security import Who
from kuzet.platedata.privacy import erase_plate, export_plate
from kuzet.platedata.reads import Filters, Hit, search
from kuzet.platedata.text import PlateTextError, normalise, parse_query

_ZIP: dict[int | str, dict[str, Any]] = {200: {"content": {"application/zip": {}}}}
router = APIRouter(prefix="/api/plates", tags=["plates"], responses=ERROR_RESPONSES)


def _cameras(ctx: Ctx, who: Who, asked: list[str] | None) -> frozenset[str] | None:
    if not who.scope.type_allowed("plate_read"):
        raise ApiError(403, "out_of_scope", "plate reads are outside your scope")
    allowed = ScopedStore(ctx.store, who).allowed_camera_ids()
    if asked is None:
        return allowed
    return frozenset(asked) if allowed is None else frozenset(asked) & allowed


def _plate(text: str) -> str:
    try:
        return normalise(text)
    except PlateTextError as exc:
        raise invalid("path.plate", str(exc)) from None


def _out(h: Hit) -> PlateReadOut:
    r = h.row
    return PlateReadOut(
        event_id=r.event_id, plate=r.plate, plate_display=r.plate_display,
        plate_format=r.plate_format, plate_country=r.plate_country, confidence=r.confidence,
        camera_id=r.camera_id, track_id=r.track_id, ts=r.ts, vehicle_class=r.vehicle_class,
        has_snapshot=r.snapshot is not None, distance=h.distance,
    )  # fmt: skip


@router.get("/reads", response_model=PlateSearchOut, summary="Search plate reads (audited)")
def search_reads(
    ctx: Ctx,
    req: Request,
    svc: Plates,
    who: Who,
    q: Annotated[str, Query(min_length=1, max_length=32, description="plate or 123*02")],
    reason: Reason,
    mode: Literal["exact", "wildcard", "fuzzy"] | None = None,
    distance: Annotated[int, Query(ge=1, le=2, description="fuzzy: edits allowed")] = 1,
    camera: Annotated[list[str] | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PlateSearchOut:
    """Newest first. ``*`` stands for any run of characters and ``?`` for one; ``fuzzy``
    finds plates within ``distance`` edits (a misread letter, one missing or extra)."""
    try:
        query = parse_query(q, mode, distance)
    except PlateTextError as exc:
        raise invalid("query.q", str(exc)) from None
    if since is not None and until is not None and until <= since:
        raise invalid("query.until", "must be after since")
    f = Filters(_cameras(ctx, who, camera), since, until)
    limit = min(limit, svc.cfg.max_search_rows)
    try:
        hits, nxt = search(svc.engine, query, f, limit=limit, cursor=cursor)
    except PlateTextError as exc:
        raise invalid("query.cursor", str(exc)) from None
    asked: dict[str, Any] = {
        "mode": query.mode, "text": query.text, "distance": query.distance,
        "cameras": camera, "since": since and since.isoformat(),
        "until": until and until.isoformat(), "page": bool(cursor),
    }  # fmt: skip
    audit(ctx, req, who, "plate.search", query.text, reason, query=asked, results=len(hits))
    reads = [_out(h) for h in hits]
    return PlateSearchOut(query=asked, reads=reads, next_cursor=nxt)


@router.get(
    "/{plate}/export",
    response_class=Response,
    responses=_ZIP,
    summary="Everything held about one plate (ZIP, audited)",
)
def export(ctx: Ctx, req: Request, svc: Plates, who: Who, plate: str, reason: Reason) -> Response:
    text = _plate(plate)
    body = export_plate(svc.engine, svc.lists, text, who.agency_id, ctx.blobs.get)
    audit(ctx, req, who, "plate.export", text, reason, bytes=len(body))
    headers = {
        "Content-Disposition": f'attachment; filename="kuzet-plate-{text}.zip"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type="application/zip", headers=headers)


@router.delete("/{plate}", response_model=ErasedOut, summary="Erase one plate's data (audited)")
def erase(ctx: Ctx, req: Request, svc: Plates, who: Who, plate: str, reason: Reason) -> ErasedOut:
    """Reads, matches, their events and pictures. Watchlist entries stay (they are the
    listing agency's records; remove them from the list)."""
    text = _plate(plate)
    erased = erase_plate(svc.engine, text, delete_blob(ctx)).as_dict()
    audit(ctx, req, who, "plate.erase", text, reason, erased=erased)
    return ErasedOut(erased=erased)
