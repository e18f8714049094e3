"""Plate watchlists of an agency: lists, their plates (one by one or a CSV import) and the
matches they made. Every change is audited; only the owning agency changes a list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, invalid, not_found
from kuzet.api.list_access import Reason, audit
from kuzet.api.plate_access import Plates, owned_list, visible_list
from kuzet.api.schemas_plates import (
    ErasedOut,
    ImportOut,
    PlateEntryIn,
    PlateEntryOut,
    PlateListIn,
    PlateListOut,
    PlateListPatch,
    PlateMatchOut,
    PutEntryOut,
)
from kuzet.api.security import Who
from kuzet.platedata.lists import PlateListError
from kuzet.platedata.services import PlateData
from kuzet.platedata.tables import PlateEntryRow, PlateListRow, PlateMatchRow
from kuzet.platedata.text import PlateTextError

router = APIRouter(prefix="/api/plate-lists", tags=["plate watchlists"], responses=ERROR_RESPONSES)
MAX_CSV = 16 * 1024 * 1024


def _out(svc: PlateData, r: PlateListRow) -> PlateListOut:
    return PlateListOut(
        id=r.id, agency_id=r.agency_id, name=r.name, kind=r.kind, alert_target=r.alert_target,
        fuzzy_distance=r.fuzzy_distance, priority=r.priority, visibility=list(r.visibility),
        entries=svc.lists.size(r.id), created_by=r.created_by, created_at=r.created_at,
        updated_at=r.updated_at,
    )  # fmt: skip


def _entry(e: PlateEntryRow) -> PlateEntryOut:
    return PlateEntryOut(
        id=e.id, list_id=e.list_id, plate=e.plate, plate_display=e.plate_display,
        reason=e.reason, added_by=e.added_by, valid_until=e.valid_until,
        created_at=e.created_at, updated_at=e.updated_at,
    )  # fmt: skip


def _known_agencies(ctx: Ctx, alert_target: str | None, visibility: list[str] | None) -> None:
    """A hit alerts ``alert_target`` and the list is shared with ``visibility``: an agency
    that does not exist would make hits nobody sees, so it is refused by name."""
    named = [("alert_target", alert_target)] + [("visibility", v) for v in visibility or []]
    if ctx.access is None or not any(v for _, v in named):
        return
    known = {a["id"] for a in ctx.access.accounts.agencies()}
    for field, value in named:
        if value and value not in known:
            raise invalid(field, f"no agency {value!r}")


@router.get("", response_model=list[PlateListOut], summary="Plate lists your agency sees")
def list_lists(svc: Plates, who: Who) -> list[PlateListOut]:
    return [_out(svc, r) for r in svc.lists.visible(who.agency_id)]


@router.post("", response_model=PlateListOut, status_code=201, summary="Create a plate list")
def create_list(ctx: Ctx, req: Request, svc: Plates, who: Who, body: PlateListIn) -> PlateListOut:
    _known_agencies(ctx, body.alert_target, body.visibility)
    try:
        row = svc.lists.create(
            who.agency_id, body.name, created_by=who.username, kind=body.kind,
            alert_target=body.alert_target, fuzzy_distance=body.fuzzy_distance,
            priority=body.priority, visibility=body.visibility,
        )  # fmt: skip
    except PlateListError as exc:
        raise invalid("body", str(exc)) from None
    audit(ctx, req, who, "plate_list.create", row.id, None, name=row.name, kind=row.kind,
          alert_target=row.alert_target, fuzzy_distance=row.fuzzy_distance)  # fmt: skip
    return _out(svc, row)


@router.get("/{list_id}", response_model=PlateListOut, summary="One plate list")
def get_list(svc: Plates, who: Who, list_id: str) -> PlateListOut:
    return _out(svc, visible_list(svc, who, list_id))


@router.patch("/{list_id}", response_model=PlateListOut, summary="Change a plate list")
def patch_list(
    ctx: Ctx, req: Request, svc: Plates, who: Who, list_id: str, body: PlateListPatch
) -> PlateListOut:
    owned_list(svc, who, list_id)
    change = body.model_dump(exclude_none=True)
    _known_agencies(ctx, change.get("alert_target"), change.get("visibility"))
    try:
        row = svc.lists.update(list_id, **change)
    except PlateListError as exc:
        raise invalid("body", str(exc)) from None
    audit(ctx, req, who, "plate_list.update", list_id, None, change=change)
    return _out(svc, row)


@router.delete("/{list_id}", response_model=ErasedOut, summary="Delete a plate list")
def delete_list(
    ctx: Ctx, req: Request, svc: Plates, who: Who, list_id: str, reason: Reason
) -> ErasedOut:
    owned_list(svc, who, list_id)
    n = svc.lists.delete_list(list_id)
    audit(ctx, req, who, "plate_list.delete", list_id, reason, entries=n)
    return ErasedOut(erased={"lists": 1, "entries": n})


@router.get("/{list_id}/entries", response_model=list[PlateEntryOut], summary="Listed plates")
def list_entries(
    svc: Plates,
    who: Who,
    list_id: str,
    plate: Annotated[str | None, Query(max_length=32, description="starts with")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PlateEntryOut]:
    visible_list(svc, who, list_id)
    try:
        rows = svc.lists.entries(list_id, plate=plate, limit=limit, offset=offset)
    except PlateTextError as exc:
        raise invalid("query.plate", str(exc)) from None
    return [_entry(e) for e in rows]


@router.post("/{list_id}/entries", response_model=PutEntryOut, summary="Add or change a plate")
def put_entry(
    ctx: Ctx, req: Request, svc: Plates, who: Who, list_id: str, body: PlateEntryIn
) -> PutEntryOut:
    owned_list(svc, who, list_id)
    try:
        outcome, row = svc.lists.put(
            list_id, body.plate, reason=body.reason, added_by=who.username,
            valid_until=body.valid_until,
        )  # fmt: skip
    except (PlateTextError, PlateListError) as exc:
        raise invalid("body.plate", str(exc)) from None
    audit(ctx, req, who, "plate_list.entry.put", list_id, None, plate=row.plate,
          entry_id=row.id, result=outcome)  # fmt: skip
    return PutEntryOut(outcome=outcome, entry=_entry(row))


@router.delete(
    "/{list_id}/entries/{entry_id}", response_model=PlateEntryOut, summary="Remove a plate"
)
def remove_entry(
    ctx: Ctx, req: Request, svc: Plates, who: Who, list_id: str, entry_id: str
) -> PlateEntryOut:
    owned_list(svc, who, list_id)
    try:
        row = svc.lists.remove(list_id, entry_id)
    except PlateListError:
        raise not_found("entry", entry_id) from None
    audit(ctx, req, who, "plate_list.entry.remove", list_id, None, plate=row.plate,
          entry_id=row.id)  # fmt: skip
    return _entry(row)


@router.post(
    "/{list_id}/import",
    response_model=ImportOut,
    summary="Import plates from CSV (plate,reason,valid_until)",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_csv(ctx: Ctx, req: Request, svc: Plates, who: Who, list_id: str) -> ImportOut:
    """The body is the CSV file (UTF-8, header row). Good rows are stored; each bad row
    comes back with its line, field and why."""
    owned_list(svc, who, list_id)
    raw = await req.body()
    if len(raw) > MAX_CSV:
        raise invalid("body", "larger than 16 MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid("body", f"not UTF-8 (byte {exc.start})") from None
    try:
        report = svc.lists.import_csv(list_id, text, who.username)
    except PlateListError as exc:
        raise invalid("body", str(exc)) from None
    counts = report.as_dict() | {"errors": len(report.errors)}
    audit(ctx, req, who, "plate_list.import", list_id, None, **counts)
    return ImportOut(**report.as_dict())


@router.get("/{list_id}/matches", response_model=list[PlateMatchOut], summary="Recent hits")
def list_matches(
    ctx: Ctx,
    req: Request,
    svc: Plates,
    who: Who,
    list_id: str,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[PlateMatchOut]:
    visible_list(svc, who, list_id)
    c = PlateMatchRow
    stmt = select(*c.__table__.columns).where(c.list_id == list_id)
    with svc.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(c.ts.desc()).limit(limit)).all()
    audit(ctx, req, who, "plate_list.matches", list_id, None, results=len(rows))
    return [PlateMatchOut(**dict(r._mapping)) for r in rows]
