"""Who may touch which watchlist, and the audit of every look at biometric data.

The route table grants ``watchlists.*`` / ``faces.search``; on top of that every face
route needs biometric clearance, a list is seen only by its owner and the agencies
it is shared with (others get 404), and only the owner changes, exports or erases.
Views of hits, photos, searches and exports take a required ``reason`` recorded here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from starlette.requests import HTTPConnection

from kuzet.access.model import DataClass, Principal
from kuzet.api.context import ApiContext, get_context
from kuzet.api.errors import ApiError, not_found
from kuzet.api.security import client_ip, current_principal
from kuzet.faces.services import FaceServices
from kuzet.faces.tables import PersonRow, WatchlistRow
from kuzet.faces.watchlists import WatchlistError

Reason = Annotated[str, Query(min_length=3, max_length=500, description="why you look (audited)")]


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
    if p.agency_id != wl.agency_id and p.agency_id not in wl.visibility:
        raise not_found("watchlist", watchlist_id)
    return wl


def owned_list(svc: FaceServices, p: Principal, watchlist_id: str) -> WatchlistRow:
    wl = visible_list(svc, p, watchlist_id)
    if wl.agency_id != p.agency_id:
        raise ApiError(403, "not_owner", "only the agency that owns the list may change it")
    return wl


def person_of(svc: FaceServices, wl: WatchlistRow, person_id: str) -> PersonRow:
    person = svc.lists.person(person_id)
    if person is None or person.watchlist_id != wl.id:
        raise not_found("person", person_id)
    return person


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
