"""Watchlist hits (listing, audited view) and retrospective face search.

A hit is listed only to agencies its list is shared with and only on cameras in the
caller's scope; viewing one, like every search, records who and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, Query, Request, UploadFile

from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid, not_found
from kuzet.api.face_access import Faces, visible_list
from kuzet.api.list_access import Reason, audit
from kuzet.api.schemas_faces import FoundOut, HitOut, HitPage, HitView, SearchOut
from kuzet.api.security import View, Who
from kuzet.faces.sightings import Found
from kuzet.faces.subject import visible_lists
from kuzet.faces.tables import HitRow

router = APIRouter(prefix="/api/faces", tags=["faces"], responses=ERROR_RESPONSES)
MAX_PHOTO = 10 * 1024 * 1024


def _hit(h: HitRow) -> HitOut:
    return HitOut(
        id=h.id, event_id=h.event_id, watchlist_id=h.watchlist_id, person_id=h.person_id,
        photo_id=h.photo_id, camera_id=h.camera_id, track_id=h.track_id, score=h.score,
        ts=h.ts, sighting_id=h.sighting_id,
    )  # fmt: skip


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _split(raw: str | None) -> list[str] | None:
    out = [p.strip() for p in (raw or "").split(",") if p.strip()]
    return out or None


@router.get("/hits", response_model=HitPage, summary="Hits on lists you see, newest first")
def list_hits(
    svc: Faces,
    who: Who,
    view: View,
    watchlist_id: Annotated[str | None, Query(max_length=64)] = None,
    person_id: Annotated[str | None, Query(max_length=36)] = None,
    camera_id: Annotated[str | None, Query(max_length=2000, description="comma list")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> HitPage:
    lists = {w.id for w in visible_lists(svc, who.agency_id)}
    if watchlist_id is not None:
        lists &= {watchlist_id}
    allowed = view.allowed_camera_ids()
    cams = _split(camera_id)
    cam_set = None if cams is None else set(cams)
    if allowed is not None:
        cam_set = set(allowed) if cam_set is None else cam_set & allowed
    rows = svc.hits.query(
        lists, camera_ids=cam_set, person_id=person_id, limit=limit,
        since=None if since is None else _utc(since), until=None if until is None else _utc(until),
    )  # fmt: skip
    return HitPage(items=[_hit(h) for h in rows])


@router.get("/hits/{hit_id}", response_model=HitView, summary="One hit (audited, reason)")
def get_hit(
    ctx: Ctx, req: Request, svc: Faces, who: Who, view: View, hit_id: str, reason: Reason
) -> HitView:
    h = svc.hits.get(hit_id)
    allowed = view.allowed_camera_ids()
    if h is None or (allowed is not None and h.camera_id not in allowed):
        raise not_found("hit", hit_id)
    try:
        wl = visible_list(svc, who, h.watchlist_id)
    except ApiError:
        raise not_found("hit", hit_id) from None
    person = svc.lists.person(h.person_id)
    if person is None:
        raise not_found("hit", hit_id)
    audit(ctx, req, who, "watchlist.hit.view", hit_id, reason, person_id=h.person_id)
    return HitView(
        **_hit(h).model_dump(), watchlist_name=wl.name, person_name=person.name,
        external_id=person.external_id, case=person.case,
        snapshot_url=f"/api/events/{h.event_id}/snapshot",
    )  # fmt: skip


@router.post("/search", response_model=SearchOut, summary="Where was this face seen?")
async def search(
    ctx: Ctx,
    req: Request,
    svc: Faces,
    who: Who,
    view: View,
    photo: Annotated[UploadFile, File(description="a photo of the face to look for")],
    since: Annotated[datetime, Form()],
    until: Annotated[datetime, Form()],
    reason: Annotated[str, Form(min_length=3, max_length=500, description="audited")],
    cameras: Annotated[str | None, Form(max_length=4000, description="comma list")] = None,
    threshold: Annotated[float | None, Form(gt=0, lt=1)] = None,
    limit: Annotated[int, Form(ge=1, le=1000)] = 100,
) -> SearchOut:
    """Stored best faces of past tracks between ``since`` and ``until`` on ``cameras``
    (all cameras in your scope when omitted), best match first."""
    since, until = _utc(since), _utc(until)
    if since >= until:
        raise invalid("body.until", "must be after 'since'")
    data = await photo.read(MAX_PHOTO + 1)
    if len(data) > MAX_PHOTO:
        raise invalid("body.photo", "larger than 10 MiB")
    probe = await anyio.to_thread.run_sync(svc.embedder.enrol, data)
    if probe.template is None:
        raise invalid("body.photo", probe.reason or "no usable face")
    template = probe.template
    allowed = view.allowed_camera_ids()
    cams = _split(cameras)
    if allowed is not None:
        cams = sorted(allowed if cams is None else set(cams) & allowed)
    found: list[Found] = []
    if cams != []:
        found = await anyio.to_thread.run_sync(
            lambda: svc.sightings.search(
                template,
                since, until, cams,
                threshold=threshold or svc.cfg.search_threshold, limit=limit,
            )
        )  # fmt: skip
    audit(
        ctx, req, who, "face.search", "sightings", reason, cameras=cams, since=since.isoformat(),
        until=until.isoformat(), results=len(found),
    )  # fmt: skip
    return SearchOut(
        items=[FoundOut(**vars(f)) for f in found], cameras=cams, probe_quality=probe.quality
    )
