"""``/api/me/views``: the camera wall's saved views of the person signed in (their own only:
the user id comes from the session, never from the request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.security import Who
from kuzet.incidents.wall import View, ViewIn, Wall

router = APIRouter(prefix="/api/me/views", tags=["ops"], responses=ERROR_RESPONSES)
Name = Annotated[str, Path(min_length=1, max_length=64, description="the view's name")]


def _wall(ctx: Ctx) -> Wall:
    if ctx.access is None:
        raise ApiError(503, "ops_unavailable", "the operations centre is not running")
    return Wall(ctx.access.engine)


@router.get("", response_model=list[View], summary="My saved camera-wall views")
def list_views(ctx: Ctx, who: Who) -> list[View]:
    return _wall(ctx).list(who.user_id)


@router.put("/{name}", response_model=View, summary="Save a camera-wall view (create or replace)")
def put_view(ctx: Ctx, who: Who, name: Name, body: ViewIn) -> View:
    """``cameras[i]`` is tile ``i`` (``null``: empty); at most ``layout`` of them. Tiles
    still show only the cameras your scope allows when the view is opened."""
    return _wall(ctx).put(who.user_id, name, body)


@router.delete("/{name}", status_code=204, summary="Delete a saved view")
def delete_view(ctx: Ctx, who: Who, name: Name) -> Response:
    if not _wall(ctx).delete(who.user_id, name):
        raise not_found("view", name)
    return Response(status_code=204)
