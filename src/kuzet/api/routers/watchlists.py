"""Watchlists of an agency: lists, persons with photos and case data, JSON sync,
and the data-subject requests (export, erase) of one person."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, invalid, not_found
from kuzet.api.face_access import Faces, owned_list, person_of, visible_list
from kuzet.api.list_access import Reason, audit, delete_blob
from kuzet.api.schemas_faces import (
    EnrolOut,
    ErasedOut,
    PersonOut,
    PhotoOut,
    SyncIn,
    SyncOut,
    WatchlistIn,
    WatchlistOut,
    WatchlistPatch,
)
from kuzet.api.security import REASON_HEADER, Who
from kuzet.faces.records import PersonRecord
from kuzet.faces.services import FaceServices
from kuzet.faces.subject import erase_list, erase_person, export_person, visible_lists
from kuzet.faces.tables import PersonRow, WatchlistRow
from kuzet.faces.watchlists import WatchlistError

router = APIRouter(prefix="/api/watchlists", tags=["watchlists"], responses=ERROR_RESPONSES)
MAX_PHOTO = 10 * 1024 * 1024
_IMAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"image/jpeg": {}, "image/png": {}}}}
_ZIP: dict[int | str, dict[str, Any]] = {200: {"content": {"application/zip": {}}}}


def _why(req: Request) -> str | None:
    return (req.headers.get(REASON_HEADER) or "")[:500] or None


def _no_nan(token: str) -> None:
    raise ValueError(f"{token} is not JSON")


def _count(svc: FaceServices, watchlist_id: str) -> int:
    with Session(svc.engine) as s:
        q = select(func.count()).select_from(PersonRow)
        return int(s.scalar(q.where(PersonRow.watchlist_id == watchlist_id)) or 0)


def _list_out(svc: FaceServices, wl: WatchlistRow) -> WatchlistOut:
    info = svc.lists.threshold_info(wl.id) if wl.false_alert_target is not None else None
    explained = None if info is None else {**info.as_dict(), "text": info.explain()}
    return WatchlistOut(
        id=wl.id, agency_id=wl.agency_id, name=wl.name, kind=wl.kind, threshold=wl.threshold,
        false_alert_target=wl.false_alert_target, threshold_explained=explained,
        priority=wl.priority, visibility=list(wl.visibility), persons=_count(svc, wl.id),
        created_at=wl.created_at, updated_at=wl.updated_at,
    )  # fmt: skip


def _person_out(svc: FaceServices, p: PersonRow) -> PersonOut:
    photos = [
        PhotoOut(id=ph.id, sha256=ph.sha256, quality=ph.quality, created_at=ph.created_at)
        for ph in svc.lists.photos_of(p.id)
    ]
    return PersonOut(
        id=p.id, watchlist_id=p.watchlist_id, external_id=p.external_id, name=p.name,
        case=p.case, photos=photos, created_at=p.created_at, updated_at=p.updated_at,
    )  # fmt: skip


@router.get("", response_model=list[WatchlistOut], summary="Lists your agency sees")
def list_watchlists(svc: Faces, who: Who) -> list[WatchlistOut]:
    return [_list_out(svc, w) for w in visible_lists(svc, who.agency_id)]


@router.post("", response_model=WatchlistOut, status_code=201, summary="Create a list")
def create_watchlist(svc: Faces, who: Who, body: WatchlistIn) -> WatchlistOut:
    if body.threshold is not None and body.false_alert_target is not None:
        raise invalid("body", "give a threshold or a false_alert_target, not both")
    threshold = body.threshold if body.threshold is not None else svc.default_threshold
    try:
        wl = svc.lists.create(
            who.agency_id, body.name, kind=body.kind, threshold=threshold,
            priority=body.priority, visibility=body.visibility,
            false_alert_target=body.false_alert_target,
        )  # fmt: skip
    except WatchlistError as exc:
        raise invalid("body", str(exc)) from None
    return _list_out(svc, wl)


@router.get("/{watchlist_id}", response_model=WatchlistOut, summary="One list")
def get_watchlist(svc: Faces, who: Who, watchlist_id: str) -> WatchlistOut:
    return _list_out(svc, visible_list(svc, who, watchlist_id))


@router.patch("/{watchlist_id}", response_model=WatchlistOut, summary="Change a list")
def patch_watchlist(
    ctx: Ctx, req: Request, svc: Faces, who: Who, watchlist_id: str, body: WatchlistPatch
) -> WatchlistOut:
    owned_list(svc, who, watchlist_id)
    change = body.model_dump(exclude_none=True)
    try:
        wl = svc.lists.update(watchlist_id, **change)
    except WatchlistError as exc:
        raise invalid("body", str(exc)) from None
    audit(ctx, req, who, "watchlist.update", watchlist_id, _why(req), change=change)
    return _list_out(svc, wl)


@router.delete("/{watchlist_id}", response_model=ErasedOut, summary="Erase a whole list")
def delete_watchlist(
    ctx: Ctx, req: Request, svc: Faces, who: Who, watchlist_id: str, reason: Reason
) -> ErasedOut:
    owned_list(svc, who, watchlist_id)
    erased = erase_list(svc, watchlist_id, delete_blob(ctx)).as_dict()
    audit(ctx, req, who, "watchlist.erase", watchlist_id, reason, erased=erased)
    return ErasedOut(erased=erased)


@router.get("/{watchlist_id}/persons", response_model=list[PersonOut], summary="Persons")
def list_persons(svc: Faces, who: Who, watchlist_id: str) -> list[PersonOut]:
    visible_list(svc, who, watchlist_id)
    return [_person_out(svc, p) for p in svc.lists.persons(watchlist_id)]


@router.post(
    "/{watchlist_id}/persons", response_model=EnrolOut, summary="Enrol or replace a person"
)
async def enrol_person(
    ctx: Ctx,
    req: Request,
    svc: Faces,
    who: Who,
    watchlist_id: str,
    external_id: Annotated[str, Form(min_length=1, max_length=128)],
    name: Annotated[str, Form(min_length=1, max_length=256)],
    photos: Annotated[list[UploadFile], File(description="one or more face photos")],
    case: Annotated[str, Form(max_length=20_000, description="JSON object")] = "{}",
) -> EnrolOut:
    """The photos sent are the person's whole set: earlier ones not sent are dropped.
    Unusable photos are refused with the reason; with none usable, nothing is stored."""
    owned_list(svc, who, watchlist_id)
    try:
        case_data = json.loads(case, parse_constant=_no_nan)
    except ValueError:
        raise invalid("body.case", "must be a JSON object") from None
    if not isinstance(case_data, dict):
        raise invalid("body.case", "must be a JSON object")
    if not 1 <= len(photos) <= 20:
        raise invalid("body.photos", "send 1 to 20 photos")
    data = [await f.read(MAX_PHOTO + 1) for f in photos]
    if any(len(d) > MAX_PHOTO for d in data):
        raise invalid("body.photos", "a photo is larger than 10 MiB")
    rec = PersonRecord(external_id, name, data, case_data)
    outcome, reasons = await anyio.to_thread.run_sync(svc.lists.upsert, watchlist_id, rec)
    person = next(
        (p for p in svc.lists.persons(watchlist_id) if p.external_id == external_id), None
    )
    out = None if person is None else _person_out(svc, person)
    audit(ctx, req, who, "watchlist.enrol", watchlist_id, _why(req), external_id=external_id,
          result=outcome, rejected=reasons)  # fmt: skip
    return EnrolOut(outcome=outcome, person=out, rejected=reasons)


@router.post("/{watchlist_id}/sync", response_model=SyncOut, summary="Sync from a source")
def sync(ctx: Ctx, req: Request, svc: Faces, who: Who, watchlist_id: str, body: SyncIn) -> SyncOut:
    """Incremental and idempotent: unchanged records (same name, case, photos) cost
    nothing; ``deleted`` removes persons; ``full`` removes everyone not in the batch."""
    owned_list(svc, who, watchlist_id)
    recs = []
    for i, r in enumerate(body.records):
        try:
            photos = [base64.b64decode(p, validate=True) for p in r.photos]
        except (binascii.Error, ValueError):
            raise invalid(f"body.records.{i}.photos", "not base64") from None
        recs.append(PersonRecord(r.external_id, r.name, photos, r.case))
    report = svc.lists.sync(watchlist_id, recs, deleted=body.deleted, full=body.full)
    audit(ctx, req, who, "watchlist.sync", watchlist_id, _why(req), **report.as_dict())
    return SyncOut(**report.as_dict())


@router.get("/{watchlist_id}/persons/{person_id}", response_model=PersonOut, summary="A person")
def get_person(svc: Faces, who: Who, watchlist_id: str, person_id: str) -> PersonOut:
    return _person_out(svc, person_of(svc, visible_list(svc, who, watchlist_id), person_id))


@router.get(
    "/{watchlist_id}/persons/{person_id}/photos/{photo_id}",
    response_class=Response,
    responses=_IMAGE,
    summary="An enrolled photo (audited)",
)
def get_photo(
    ctx: Ctx, req: Request, svc: Faces, who: Who, watchlist_id: str, person_id: str,
    photo_id: str, reason: Reason,
) -> Response:  # fmt: skip
    person = person_of(svc, visible_list(svc, who, watchlist_id), person_id)
    if photo_id not in {p.id for p in svc.lists.photos_of(person.id)}:
        raise not_found("photo", photo_id)
    data = svc.lists.photo(photo_id)
    audit(ctx, req, who, "watchlist.photo.view", photo_id, reason, person_id=person.id)
    media = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(data, media_type=media, headers={"Cache-Control": "no-store"})


@router.get(
    "/{watchlist_id}/persons/{person_id}/export",
    response_class=Response,
    responses=_ZIP,
    summary="Everything held about a person (ZIP, audited)",
)
def export(
    ctx: Ctx, req: Request, svc: Faces, who: Who, watchlist_id: str, person_id: str,
    reason: Reason,
) -> Response:  # fmt: skip
    person = person_of(svc, owned_list(svc, who, watchlist_id), person_id)
    body = export_person(svc, person, ctx.blobs.get)
    audit(ctx, req, who, "watchlist.person.export", person.id, reason, bytes=len(body))
    headers = {
        "Content-Disposition": f'attachment; filename="kuzet-person-{person.id}.zip"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type="application/zip", headers=headers)


@router.delete(
    "/{watchlist_id}/persons/{person_id}", response_model=ErasedOut, summary="Erase a person"
)
def erase(
    ctx: Ctx, req: Request, svc: Faces, who: Who, watchlist_id: str, person_id: str,
    reason: Reason,
) -> ErasedOut:  # fmt: skip
    """Metadata, photos, templates, index entries, hits (and their events and pictures)
    and the sightings they point at. The face matches nothing afterwards."""
    person = person_of(svc, owned_list(svc, who, watchlist_id), person_id)
    erased = erase_person(svc, person, delete_blob(ctx)).as_dict()
    audit(ctx, req, who, "watchlist.person.erase", person.id, reason, erased=erased)
    return ErasedOut(erased=erased)
