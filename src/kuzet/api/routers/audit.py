"""The audit log for auditors: search, export (CSV / JSON lines), chain verification.

An auditor reads the records of their own agency; one granted the ``city_audit``
clearance (city-wide oversight, e.g. the prosecutor's office) reads every agency's.
Verification walks the whole chain for anyone allowed to audit (it names record numbers,
nothing of their content).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from kuzet.access.model import DataClass, Principal
from kuzet.access.service import AccessService
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.schemas_access import AuditPage, AuditRecord, AuditVerifyOut
from kuzet.api.security import Who

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=ERROR_RESPONSES)
Text = Annotated[str | None, Query(max_length=128)]


def _access(ctx: ApiContext) -> AccessService:
    if ctx.access is None:
        raise ApiError(503, "access_unconfigured", "access control is not configured")
    return ctx.access


def _agency(who: Principal) -> str | None:
    """Whose records ``who`` reads: ``None`` for every agency's."""
    return None if who.cleared(DataClass.CITY_AUDIT) else who.agency_id


@router.get("", response_model=AuditPage, summary="Search the audit log, oldest first")
def search(
    ctx: Ctx,
    who: Who,
    actor: Text = None,
    action: Text = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    rows = _access(ctx).audit.rows(
        actor=actor, action=action, since=since, until=until, after_seq=after_seq,
        limit=limit + 1, agency_id=_agency(who),
    )  # fmt: skip
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        items=[AuditRecord(**r) for r in rows],
        next_after_seq=rows[-1]["seq"] if more and rows else None,
    )


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    summary="Export the audit log",
)
def export(
    ctx: Ctx,
    who: Who,
    format: Literal["csv", "jsonl"] = "jsonl",
    actor: Text = None,
    action: Text = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    audit = _access(ctx).audit
    rows = audit.rows(actor=actor, action=action, since=since, until=until,
                      agency_id=_agency(who))  # fmt: skip
    if format == "csv":
        body, media = audit.to_csv(rows), "text/csv"
    else:
        body, media = audit.to_jsonl(rows), "application/x-ndjson"
    headers = {"Content-Disposition": f'attachment; filename="kuzet-audit.{format}"'}
    return Response(content=body, media_type=media, headers=headers)


@router.get("/verify", response_model=AuditVerifyOut, summary="Check the hash chain")
def verify(ctx: Ctx) -> AuditVerifyOut:
    audit = _access(ctx).audit
    problems = audit.verify()
    return AuditVerifyOut(
        ok=not problems, records=audit.count(), problems=[str(p) for p in problems]
    )
