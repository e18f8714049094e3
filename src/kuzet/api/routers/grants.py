"""Clearance requests waiting for a second person (:mod:`kuzet.access.grants`).

Administrators, supervisors and auditors list them; supervisors of the account's
agency (or of the platform) approve or reject them, never their own or those of anyone
whose credentials they issued or who issued theirs. Decisions are audited, with the
``X-Kuzet-Reason`` header as their reason.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query

from kuzet.access.service import AccessService
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.schemas_access import GrantOut
from kuzet.api.security import REASON_HEADER, Who

router = APIRouter(prefix="/api/grants", tags=["accounts"], responses=ERROR_RESPONSES)
Id = Annotated[str, Path(max_length=64)]
Status = Literal["pending", "approved", "rejected", "cancelled", "all"]
Reason = Annotated[str | None, Header(alias=REASON_HEADER, max_length=500)]


def _access(ctx: ApiContext) -> AccessService:
    if ctx.access is None:
        raise ApiError(503, "access_unconfigured", "access control is not configured")
    return ctx.access


@router.get("", response_model=list[GrantOut], summary="Clearance requests")
def list_grants(
    ctx: Ctx, who: Who, status: Annotated[Status, Query()] = "pending"
) -> list[dict[str, Any]]:
    return _access(ctx).grants.list(who, None if status == "all" else status)


@router.post("/{grant_id}/approve", response_model=GrantOut, summary="Approve (second person)")
def approve(ctx: Ctx, who: Who, grant_id: Id, reason: Reason = None) -> dict[str, Any]:
    return _access(ctx).grants.decide(who, grant_id, approve=True, reason=reason)


@router.post("/{grant_id}/reject", response_model=GrantOut, summary="Reject")
def reject(ctx: Ctx, who: Who, grant_id: Id, reason: Reason = None) -> dict[str, Any]:
    return _access(ctx).grants.decide(who, grant_id, approve=False, reason=reason)
