"""Integrations over HTTP: the webhook dead-letter list (list, retry), camera import from
CSV (with a dry run), ONVIF discovery and profiles, and PTZ (move, stop, presets).

PTZ calls are audited with what was asked (velocity, preset) and run only on cameras in
the caller's scope; a camera outside it reads as unknown, as everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kuzet.access.scope import ScopedStore
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, not_found
from kuzet.api.routers.ops_center import Ops
from kuzet.api.schemas import ErrorBody
from kuzet.api.security import View, Who
from kuzet.api.trail import note
from kuzet.config.integrations import CapConfig
from kuzet.integrations import cap
from kuzet.integrations.camera_csv import ImportReport, run_import
from kuzet.integrations.deadletters import DeadLetter, DeadLetters
from kuzet.integrations.discovery import discover
from kuzet.integrations.hub import Integrations
from kuzet.integrations.onvif import OnvifClient, OnvifError

_MORE: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorBody, "description": "The camera (ONVIF) refused or did not answer"},
    503: {"model": ErrorBody, "description": "No integrations run in this process"},
}
router = APIRouter(tags=["integrations"], responses=ERROR_RESPONSES | _MORE)
_PTZ = "/api/cameras/{camera_id}/ptz"


def _hub(ctx: ApiContext) -> Integrations:
    if ctx.integrations is None:
        raise ApiError(503, "integrations_unavailable", "no integrations run in this process")
    return ctx.integrations


def _dead(ctx: ApiContext) -> DeadLetters:
    """The list lives in the store: an API node that sends nothing still shows it."""
    if ctx.integrations is not None:
        return ctx.integrations.dead
    assert ctx.access is not None  # the policy gate let the caller in: access exists
    return DeadLetters(ctx.access.engine)


# ------------------------------------------------------------------ dead letters
class DeadLetterOut(BaseModel):
    """A dead letter without its body (it may hold data the reader is not cleared for)."""

    id: str
    target: str
    kind: str
    ref: str
    content_type: str
    body_bytes: int
    attempts: int
    last_error: str
    state: str
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: DeadLetter) -> DeadLetterOut:
        data = d.model_dump(exclude={"body"})
        return cls(**data, body_bytes=len(d.body.encode()))


@router.get("/api/integrations/dead-letters", response_model=list[DeadLetterOut],
            summary="Webhook deliveries that ran out of attempts")  # fmt: skip
def list_dead(
    ctx: Ctx,
    state: Annotated[str, Query(pattern="^(dead|delivered|all)$")] = "dead",
    target: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetterOut]:
    rows = _dead(ctx).list(None if state == "all" else state, target, limit)
    return [DeadLetterOut.of(d) for d in rows]


@router.post(
    "/api/integrations/dead-letters/{dead_id}/retry",
    response_model=DeadLetterOut,
    summary="Send a dead letter again now (signed afresh, same delivery id)",
    responses={409: {"model": ErrorBody, "description": "Delivered already"}},
)
def retry_dead(ctx: Ctx, request: Request, dead_id: str) -> DeadLetterOut:
    row = _dead(ctx).get(dead_id)
    if row is None:
        raise not_found("dead letter", dead_id)
    if row.state == "delivered":
        raise ApiError(409, "already_delivered", f"dead letter {dead_id!r} was delivered")
    after = _hub(ctx).webhooks.retry_dead(dead_id)
    assert after is not None
    note(request, target=after.target, delivered=after.state == "delivered")
    return DeadLetterOut.of(after)


# ------------------------------------------------------------------ CAP
@router.get(
    "/api/ops/incidents/{incident_id}/cap",
    summary="The incident as a CAP 1.2 message (validated by the OASIS schema)",
    responses={200: {"content": {cap.CONTENT_TYPE: {}}}},
)
def incident_cap(ctx: Ctx, ops: Ops, who: Who, incident_id: str) -> Response:
    """What a dispatch system that pulls gets: the same XML the CAP webhooks push."""
    inc, _, _ = ops.book.get(who, incident_id)
    cfg = ctx.integrations.cfg.cap if ctx.integrations is not None else CapConfig()
    return Response(cap.build(inc, cfg), media_type=cap.CONTENT_TYPE)


# ------------------------------------------------------------------ CSV import
@router.post(
    "/api/cameras/import",
    response_model=ImportReport,
    summary="Import cameras from CSV (text/csv body); dry_run checks and writes nothing",
    responses={422: {"description": "Row errors: nothing was written"}},
)
async def import_cameras(
    request: Request, ctx: Ctx, view: View, dry_run: bool = False
) -> ImportReport:
    data = await request.body()
    rep = await anyio.to_thread.run_sync(_import, ctx, view, data, dry_run)
    note(request, dry_run=dry_run, create=rep.create, update=rep.update, errors=len(rep.errors))
    if rep.errors:
        fields = [
            {"field": f"row {e.row}" + (f".{e.field}" if e.field else ""), "message": e.message,
             "type": "csv_row"}
            for e in rep.errors[:200]
        ]  # fmt: skip
        raise ApiError(
            422, "import_invalid", f"{len(rep.errors)} error(s); nothing written", fields
        )
    return rep


def _import(ctx: ApiContext, view: ScopedStore, data: bytes, dry_run: bool) -> ImportReport:
    # a camera that exists outside the caller's scope is refused like one they may not hold;
    # URL passwords are stored sealed, as the camera routes do (kuzet.access.camera_secrets)
    access = ctx.access
    return run_import(
        data, dry_run=dry_run,
        exists=lambda cid: view.get_camera(cid) is not None,
        upsert=lambda cam: view.upsert_camera(cam if access is None else access.cameras.seal(cam)),
        allowed=lambda cam: view.may_hold(cam) and not _hidden(view, cam.id),
    )  # fmt: skip


def _hidden(view: ScopedStore, camera_id: str) -> bool:
    return view.get_camera(camera_id) is None and view.store.get_camera(camera_id) is not None


# ------------------------------------------------------------------ ONVIF
class Found(BaseModel):
    endpoint: str
    xaddrs: list[str]
    scopes: list[str]
    name: str | None
    hardware: str | None


@router.post(
    "/api/integrations/onvif/discover",
    response_model=list[Found],
    summary="WS-Discovery probe for ONVIF cameras (the site's discovery targets)",
)
def onvif_discover(ctx: Ctx) -> list[Found]:
    cfg = _hub(ctx).cfg.onvif
    out: dict[str, Found] = {}
    for target in cfg.discovery:
        host, _, port = target.rpartition(":")
        for f in discover(cfg.discovery_timeout_s, (host, int(port))):
            found = Found(endpoint=f.endpoint, xaddrs=f.xaddrs, scopes=f.scopes,
                          name=f.scope("name"), hardware=f.scope("hardware"))  # fmt: skip
            out.setdefault(f.endpoint, found)
    return list(out.values())


class ProfileOut(BaseModel):
    token: str
    name: str
    encoding: str | None
    width: int | None
    height: int | None
    ptz: bool
    stream_uri: str | None


def _onvif(ctx: ApiContext, view: ScopedStore, camera_id: str) -> OnvifClient:
    if view.get_camera(camera_id) is None:  # out of scope reads as unknown, as everywhere
        raise not_found("camera", camera_id)
    hub = _hub(ctx)
    if not hub.onvif.known(camera_id):
        raise not_found("ONVIF camera", camera_id)
    return hub.onvif.client(camera_id)


def _device(exc: OnvifError) -> ApiError:
    return ApiError(502, "device_error", str(exc))


@router.get("/api/cameras/{camera_id}/onvif/profiles", response_model=list[ProfileOut],
            summary="The camera's ONVIF media profiles with their RTSP stream URIs")  # fmt: skip
def onvif_profiles(ctx: Ctx, view: View, camera_id: str) -> list[ProfileOut]:
    c = _onvif(ctx, view, camera_id)
    try:
        return [ProfileOut(**vars_of(p), stream_uri=c.stream_uri(p.token)) for p in c.profiles()]
    except OnvifError as exc:
        raise _device(exc) from None


def vars_of(p: Any) -> dict[str, Any]:
    return {k: getattr(p, k) for k in p.__slots__}


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pan: float = Field(0.0, ge=-1, le=1, description="-1 left .. 1 right")
    tilt: float = Field(0.0, ge=-1, le=1, description="-1 down .. 1 up")
    zoom: float = Field(0.0, ge=-1, le=1, description="-1 out .. 1 in")
    timeout_s: float = Field(
        1.0, gt=0, le=10, description="the camera stops by itself after this (a lost client)"
    )


class PresetOut(BaseModel):
    token: str
    name: str


class PresetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)


def _ptz(ctx: ApiContext, view: ScopedStore, camera_id: str) -> tuple[OnvifClient, str]:
    c = _onvif(ctx, view, camera_id)
    try:
        return c, c.ptz_profile()
    except OnvifError as exc:
        raise _device(exc) from None


@router.post(_PTZ + "/move", status_code=204, summary="Continuous pan/tilt/zoom move")
def ptz_move(ctx: Ctx, view: View, request: Request, camera_id: str, body: MoveIn) -> None:
    note(request, pan=body.pan, tilt=body.tilt, zoom=body.zoom, timeout_s=body.timeout_s)
    c, profile = _ptz(ctx, view, camera_id)
    try:
        c.continuous_move(profile, body.pan, body.tilt, body.zoom, body.timeout_s)
    except OnvifError as exc:
        raise _device(exc) from None


@router.post(_PTZ + "/stop", status_code=204, summary="Stop any pan/tilt/zoom move")
def ptz_stop(ctx: Ctx, view: View, camera_id: str) -> None:
    c, profile = _ptz(ctx, view, camera_id)
    try:
        c.stop(profile)
    except OnvifError as exc:
        raise _device(exc) from None


@router.get(_PTZ + "/presets", response_model=list[PresetOut], summary="The camera's presets")
def ptz_presets(ctx: Ctx, view: View, camera_id: str) -> list[PresetOut]:
    c, profile = _ptz(ctx, view, camera_id)
    try:
        return [PresetOut(token=p.token, name=p.name) for p in c.presets(profile)]
    except OnvifError as exc:
        raise _device(exc) from None


@router.post(_PTZ + "/presets", response_model=PresetOut, status_code=201,
             summary="Save the current position as a preset")  # fmt: skip
def ptz_set_preset(
    ctx: Ctx, view: View, request: Request, camera_id: str, body: PresetIn
) -> PresetOut:
    note(request, name=body.name)
    c, profile = _ptz(ctx, view, camera_id)
    try:
        return PresetOut(token=c.set_preset(profile, body.name), name=body.name)
    except OnvifError as exc:
        raise _device(exc) from None


@router.post(_PTZ + "/presets/{preset}/goto", status_code=204, summary="Go to a preset")
def ptz_goto(ctx: Ctx, view: View, camera_id: str, preset: str) -> None:
    c, profile = _ptz(ctx, view, camera_id)
    try:
        c.goto_preset(profile, preset)
    except OnvifError as exc:
        raise _device(exc) from None
