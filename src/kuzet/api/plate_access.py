"""Who may touch plate data, and the audit of every look at it.

On top of the route table's permission, every plate route needs ``plates`` clearance; a
plate list is seen only by its owner and the agencies it is shared with (others get
404) and changed only by its owner. Searches, exports and erasures are audited with
what was asked, by whom and why.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from starlette.requests import HTTPConnection

from kuzet.access.model import DataClass, Principal
from kuzet.api.context import ApiContext, get_context
from kuzet.api.errors import ApiError, not_found
from kuzet.api.security import client_ip, current_principal
from kuzet.platedata.lists import PlateListError
from kuzet.platedata.services import PlateData
from kuzet.platedata.tables import PlateListRow

Reason = Annotated[str, Query(min_length=3, max_length=500, description="why you look (audited)")]


def plate_data(conn: HTTPConnection) -> PlateData:
    """Also checks plates clearance: nothing here is for callers without it."""
    p = current_principal(conn)
    if not p.cleared(DataClass.PLATES):
        raise ApiError(403, "clearance_required", "plates clearance is required")
    svc = get_context(conn).plates
    if svc is None:
        raise ApiError(503, "plates_disabled", "plate data is not enabled on this site")
    return svc


Plates = Annotated[PlateData, Depends(plate_data)]


def visible_list(svc: PlateData, p: Principal, list_id: str) -> PlateListRow:
    try:
        lst = svc.lists.get(list_id)
    except PlateListError:
        raise not_found("plate list", list_id) from None
    if p.agency_id != lst.agency_id and p.agency_id not in lst.visibility:
        raise not_found("plate list", list_id)
    return lst


def owned_list(svc: PlateData, p: Principal, list_id: str) -> PlateListRow:
    lst = visible_list(svc, p, list_id)
    if lst.agency_id != p.agency_id:
        raise ApiError(403, "not_owner", "only the agency that owns the list may change it")
    return lst


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
