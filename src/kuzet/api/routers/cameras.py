"""Camera registry CRUD, each camera joined with what the pipeline reports about it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid, not_found
from kuzet.api.schemas import CameraIn, CameraOut, CameraUpdate, ErrorBody
from kuzet.api.security import View
from kuzet.core.records import CameraInfo
from kuzet.obs.redact import restore_redacted

router = APIRouter(prefix="/api/cameras", tags=["cameras"], responses=ERROR_RESPONSES)
CAMERA_REFUSED = "camera refused: its id, category or district is not yours to use"


def _out(ctx: ApiContext, cam: CameraInfo) -> CameraOut:
    return CameraOut.of(cam, ctx.statuses().get(cam.id))


def _sealed(ctx: ApiContext, cam: CameraInfo) -> CameraInfo:
    """URL passwords are stored sealed (kuzet.access.camera_secrets)."""
    return cam if ctx.access is None else ctx.access.cameras.seal(cam)


@router.get("", response_model=list[CameraOut], summary="List and search cameras with live status")
def list_cameras(
    ctx: Ctx,
    view: View,
    category: Annotated[str | None, Query(description="e.g. public_safety, traffic")] = None,
    district: str | None = None,
    q: Annotated[
        str | None, Query(max_length=128, description="part of the id or name, any case")
    ] = None,
    status: Annotated[
        list[str] | None,
        Query(
            description="live state: online, reconnecting, failed, ..., or unknown (not "
            "run by this node's pipeline); repeat or separate with commas"
        ),
    ] = None,
    enabled: bool | None = None,
) -> list[CameraOut]:
    statuses = ctx.statuses()
    cams = view.list_cameras(category=category, district=district)
    needle = (q or "").strip().casefold()
    states = {p.strip() for v in status or [] for p in v.split(",") if p.strip()}
    out = []
    for c in cams:
        st = statuses.get(c.id)
        if needle and needle not in c.id.casefold() and needle not in (c.name or "").casefold():
            continue
        if states and (st.state.value if st is not None else "unknown") not in states:
            continue
        if enabled is not None and c.enabled != enabled:
            continue
        out.append(CameraOut.of(c, st))
    return out


@router.post(
    "",
    response_model=CameraOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorBody, "description": "A camera with this id exists"}},
    summary="Add a camera",
)
def create_camera(ctx: Ctx, view: View, body: CameraIn, response: Response) -> CameraOut:
    """Ids are unique city-wide. An id taken by a camera outside your scope is refused
    exactly like a camera outside your scope (403 ``camera_refused``), never as a
    conflict that would say another agency has it."""
    # Check-then-insert is racy across API nodes; the last writer wins, which is fine
    # for an operator-driven registry.
    cam = CameraInfo(**body.model_dump())
    if view.get_camera(body.id) is not None:
        raise ApiError(409, "conflict", f"camera {body.id!r} already exists")
    if ctx.store.get_camera(body.id) is not None or not view.may_hold(cam):
        raise ApiError(403, "camera_refused", CAMERA_REFUSED)
    saved = view.upsert_camera(_sealed(ctx, cam))
    response.headers["Location"] = f"/api/cameras/{saved.id}"
    return _out(ctx, saved)


@router.get("/{camera_id}", response_model=CameraOut, summary="One camera with live status")
def get_camera(ctx: Ctx, view: View, camera_id: str) -> CameraOut:
    cam = view.get_camera(camera_id)
    if cam is None:
        raise not_found("camera", camera_id)
    return _out(ctx, cam)


@router.put("/{camera_id}", response_model=CameraOut, summary="Replace a camera")
def replace_camera(ctx: Ctx, view: View, camera_id: str, body: CameraUpdate) -> CameraOut:
    """Full replacement. URLs sent back masked (``user:***@``) keep the stored password."""
    if body.id is not None and body.id != camera_id:
        raise invalid("body.id", f"{body.id!r} differs from the path id {camera_id!r}")
    old = view.get_camera(camera_id)
    if old is None:
        raise not_found("camera", camera_id)
    data = body.model_dump()
    data["id"] = camera_id
    data["main_url"] = restore_redacted(body.main_url, old.main_url)
    data["sub_url"] = restore_redacted(body.sub_url, old.sub_url)
    cam = CameraInfo(**data)
    if not view.may_hold(cam):
        raise ApiError(403, "camera_refused", CAMERA_REFUSED)
    return _out(ctx, view.upsert_camera(_sealed(ctx, cam)))


@router.delete("/{camera_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a camera")
def delete_camera(ctx: Ctx, view: View, camera_id: str) -> Response:
    if not view.delete_camera(camera_id):
        raise not_found("camera", camera_id)
    ctx.metrics.remove_camera(camera_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
