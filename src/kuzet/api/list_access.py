"""What face watchlists and plate lists share at the API: a list is seen by its owning
agency and those it is shared with (others get 404, so its existence does not leak), is
changed only by its owner, and every look at what it holds is audited with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.requests import HTTPConnection

from kuzet.access.model import Principal
from kuzet.api.context import ApiContext
from kuzet.api.errors import ApiError, not_found
from kuzet.api.security import client_ip

Reason = Annotated[str, Query(min_length=3, max_length=500, description="why you look (audited)")]


def check_visible(p: Principal, owner: str, visibility: list[str], what: str, ident: str) -> None:
    if p.agency_id != owner and p.agency_id not in visibility:
        raise not_found(what, ident)


def check_owner(p: Principal, owner: str) -> None:
    if owner != p.agency_id:
        raise ApiError(403, "not_owner", "only the agency that owns the list may change it")


def audit(
    ctx: ApiContext,
    conn: HTTPConnection,
    p: Principal,
    action: str,
    target: str,
    reason: str | None,
    **detail: Any,
) -> None:
    assert ctx.access is not None  # authorize() let the caller in, so access exists
    ctx.access.audit.record(
        p.username, action, agency_id=p.agency_id, target=target, ip=client_ip(conn),
        reason=reason, detail={"path": conn.url.path, **detail},
    )  # fmt: skip


def delete_blob(ctx: ApiContext) -> Any:
    """The blob store's ``delete`` (the API port only promises ``get``)."""
    fn = getattr(ctx.blobs, "delete", None)
    if fn is None:
        raise ApiError(503, "blobs_read_only", "this blob store cannot delete; erase refused")
    return fn
