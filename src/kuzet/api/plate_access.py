"""Who may touch plate data, and the audit of every look at it.

On top of the route table's permission, every plate route needs ``plates`` clearance; a
plate list is seen only by its owner and the agencies it is shared with (others get
404) and changed only by its owner. Searches, exports and erasures are audited with
what was asked, by whom and why.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from kuzet.access.model import DataClass, Principal
from kuzet.api.context import get_context
from kuzet.api.errors import ApiError, not_found
from kuzet.api.list_access import check_owner, check_visible
from kuzet.api.security import current_principal
from kuzet.platedata.lists import PlateListError
from kuzet.platedata.services import PlateData
from kuzet.platedata.tables import PlateListRow


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
    check_visible(p, lst.agency_id, lst.visibility, "plate list", list_id)
    return lst


def owned_list(svc: PlateData, p: Principal, list_id: str) -> PlateListRow:
    lst = visible_list(svc, p, list_id)
    check_owner(p, lst.agency_id)
    return lst
