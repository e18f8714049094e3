"""Who may touch which watchlist, and the audit of every look at biometric data.

The route table grants ``watchlists.*`` / ``faces.search``; on top of that every face
route needs biometric clearance, a list is seen only by its owner and the agencies
it is shared with (others get 404), and only the owner changes, exports or erases.
Views of hits, photos, searches and exports take a required ``reason`` recorded here.
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
from kuzet.faces.services import FaceServices
from kuzet.faces.tables import PersonRow, WatchlistRow
from kuzet.faces.watchlists import WatchlistError


def face_services(conn: HTTPConnection) -> FaceServices:
    """Also checks biometric clearance: nothing here is for callers without it."""
    p = current_principal(conn)
    if not p.cleared(DataClass.BIOMETRICS):
        raise ApiError(403, "clearance_required", "biometric clearance is required")
    svc = get_context(conn).face_services
    if svc is None:
        raise ApiError(503, "faces_disabled", "face matching is not enabled on this site")
    return svc


Faces = Annotated[FaceServices, Depends(face_services)]


def visible_list(svc: FaceServices, p: Principal, watchlist_id: str) -> WatchlistRow:
    try:
        wl = svc.lists.get(watchlist_id)
    except WatchlistError:
        raise not_found("watchlist", watchlist_id) from None
    check_visible(p, wl.agency_id, wl.visibility, "watchlist", watchlist_id)
    return wl


def owned_list(svc: FaceServices, p: Principal, watchlist_id: str) -> WatchlistRow:
    wl = visible_list(svc, p, watchlist_id)
    check_owner(p, wl.agency_id)
    return wl


def person_of(svc: FaceServices, wl: WatchlistRow, person_id: str) -> PersonRow:
    person = svc.lists.person(person_id)
    if person is None or person.watchlist_id != wl.id:
        raise not_found("person", person_id)
    return person
