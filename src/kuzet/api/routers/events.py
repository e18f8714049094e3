"""Event search (cursor-paginated), single event, and its JPEG snapshot."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kuzet.access.blur import BlurError, blur_jpeg
from kuzet.access.model import DataClass, Principal
from kuzet.access.policy import BIOMETRIC_ATTRIBUTES, PLATE_ATTRIBUTES
from kuzet.access.scope import ScopedStore
from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid, not_found
from kuzet.api.schemas import ErrorBody, EventPage
from kuzet.api.security import View, Who
from kuzet.core.event import Event
from kuzet.core.records import EventQuery

router = APIRouter(prefix="/api/events", tags=["events"], responses=ERROR_RESPONSES)

_LIST_HELP = "repeat the parameter or separate values with commas"
_ATTR_HELP = "key:value on a string attribute, e.g. upper_colour:red; keys must all match"


def _values(raw: list[str] | None) -> list[str] | None:
    if not raw:
        return None
    out = [p.strip() for v in raw for p in v.split(",") if p.strip()]
    return out or None


_ATTR_KEY = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def _attr_filters(raw: list[str] | None, who: Principal) -> dict[str, list[str]] | None:
    """``key:value`` items -> ``{key: [values]}``. Filtering on an attribute the caller
    may not see would reveal it through the result count, so that is refused."""
    out: dict[str, list[str]] = {}
    for item in _values(raw) or []:
        key, sep, value = item.partition(":")
        if not sep or not _ATTR_KEY.match(key) or not value:
            raise invalid("query.attr", f"{item!r} is not key:value")
        if (key in BIOMETRIC_ATTRIBUTES and not who.cleared(DataClass.BIOMETRICS)) or (
            key in PLATE_ATTRIBUTES and not who.cleared(DataClass.PLATES)
        ):
            raise ApiError(403, "clearance_required", f"filtering on {key!r} needs clearance")
        out.setdefault(key, []).append(value)
    return out or None


@router.get("", response_model=EventPage, summary="Search events, newest first")
def list_events(
    view: View,
    who: Who,
    camera_id: Annotated[list[str] | None, Query(description=_LIST_HELP)] = None,
    district: Annotated[list[str] | None, Query(description=f"camera's; {_LIST_HELP}")] = None,
    category: Annotated[list[str] | None, Query(description=f"camera's; {_LIST_HELP}")] = None,
    type_: Annotated[list[str] | None, Query(alias="type", description=_LIST_HELP)] = None,
    class_name: Annotated[list[str] | None, Query(description=_LIST_HELP)] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
    attr: Annotated[list[str] | None, Query(description=_ATTR_HELP)] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    if since is not None and until is not None and since > until:
        raise invalid("query.until", "must not be before 'since'")
    cams = _values(camera_id)
    districts, categories = _values(district), _values(category)
    if districts or categories:  # the cameras (now) in those districts / categories
        where = {
            c.id
            for c in view.list_cameras()
            if (districts is None or c.district in districts)
            and (categories is None or c.category in categories)
        }
        cams = sorted(where if cams is None else where & set(cams))
        if not cams:
            return EventPage(items=[], next_cursor=None)
    q = EventQuery(
        camera_id=cams,
        type=_values(type_),
        class_name=_values(class_name),
        since=since,
        until=until,
        attributes=_attr_filters(attr, who),
        cursor=cursor,
        limit=limit,
    )
    try:
        items, next_cursor = view.query_events(q)
    except ValueError as exc:  # the store rejects a cursor it did not issue
        raise invalid("query.cursor", str(exc) or "invalid cursor") from None
    return EventPage(items=items, next_cursor=next_cursor)


def _event(view: ScopedStore, event_id: str) -> Event:
    ev = view.get_event(event_id)  # out of scope reads as not found
    if ev is None:
        raise not_found("event", event_id)
    return ev


@router.get("/{event_id}", response_model=Event, summary="One event")
def get_event(view: View, event_id: str) -> Event:
    return _event(view, event_id)


@router.get(
    "/{event_id}/snapshot",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The JPEG snapshot"},
        503: {"model": ErrorBody, "description": "Faces could not be blurred"},
    },
    summary="The event's JPEG snapshot",
)
def get_snapshot(ctx: Ctx, view: View, who: Who, event_id: str) -> Response:
    """Faces are blurred unless the caller holds biometric clearance."""
    ev = _event(view, event_id)
    try:
        data = ctx.blobs.get(ev.snapshot) if ev.snapshot else None
    except ValueError:  # a key the blob store refuses (e.g. '..'): nothing to serve
        data = None
    if data is None:
        raise not_found("snapshot of event", event_id)
    if not who.cleared(DataClass.BIOMETRICS):
        try:
            if ctx.faces is None:
                raise BlurError("no face detector configured")
            data, _ = blur_jpeg(data, ctx.faces())
        except Exception as exc:  # fail closed: no detector, no picture
            raise ApiError(503, "anonymisation_unavailable", f"cannot blur faces: {exc}") from None
    # Private: a shared cache must never hand one user's picture to another.
    headers = {"Cache-Control": "private, max-age=300"}
    return Response(content=data, media_type="image/jpeg", headers=headers)
