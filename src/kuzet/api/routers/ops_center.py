"""The operations centre's REST side: settings, map data, the incident queue and workflow.

The :class:`~kuzet.incidents.engine.OpsEngine` (bus -> incidents, SLA clock) belongs to
the service, which hands it to ``create_app``; without one the incident routes answer
503. History (statistics, journal, hand-over) is in ``ops_history``, the basemap in
``ops_map``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from kuzet.access.model import Perm, Principal
from kuzet.access.tables import AgencyRow
from kuzet.api.context import ApiContext, Ctx, get_context
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid
from kuzet.api.schemas import error_body
from kuzet.api.security import View, Who
from kuzet.config.basemap import Basemap, BasemapCache, BasemapError
from kuzet.config.ops import OpsConfig, RoutingRule, Sla
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.model import ChecklistItem, Incident, IncidentDetail, LogEntry, StepIn
from kuzet.incidents.workflow import StepRefused

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/ops", tags=["ops"], responses=ERROR_RESPONSES)
_basemaps = BasemapCache()


def _ops(conn: HTTPConnection) -> OpsEngine:
    engine = get_context(conn).incidents
    if engine is None or get_context(conn).access is None:
        raise ApiError(503, "ops_unavailable", "the operations centre is not running")
    return engine


Ops = Annotated[OpsEngine, Depends(_ops)]


def ops_config(ctx: ApiContext) -> OpsConfig:
    """The site's operations settings (the defaults when no engine runs in this app)."""
    return ctx.incidents.book.cfg if ctx.incidents is not None else OpsConfig()


class CameraPin(BaseModel):
    """A camera on the map: compact, there may be thousands."""

    id: str
    name: str | None
    category: str
    district: str | None
    lat: float | None
    lon: float | None
    direction_deg: float | None = Field(description="view direction, clockwise from north")
    fov_deg: float | None
    agency: str = Field(description="the agency that owns this camera's ordinary events")
    enabled: bool
    status: str  # online, reconnecting, failed, ... or "unknown" without a pipeline


class Agency(BaseModel):
    id: str
    name: str


class Me(BaseModel):
    username: str
    role: str
    agency_id: str
    platform: bool
    permissions: list[str]
    clearances: list[str]
    landing: str = Field(description="map, admin, audit, search or none: where the UI opens")


class OpsSettings(BaseModel):
    me: Me
    agencies: list[Agency]
    routing: list[RoutingRule]
    sla: dict[int, Sla]
    checklists: dict[str, list[ChecklistItem]]
    basemap: Basemap | None


class StepConflict(BaseModel):
    """A refused step: ``error`` says why, ``incident`` is the incident as it is now."""

    error: str
    message: str
    incident: Incident


def _landing(p: Principal) -> str:
    if p.can(Perm.LIVE_READ):
        return "map"
    if p.can(Perm.USERS_WRITE) or p.can(Perm.CAMERAS_WRITE):
        return "admin"
    if p.can(Perm.AUDIT_READ):
        return "audit"
    return "search" if p.can(Perm.EVENTS_READ) else "none"


def checklist_items(cfg: OpsConfig, event_type: str) -> list[ChecklistItem]:
    return [ChecklistItem(id=i, text=t) for i, t in enumerate(cfg.procedures.get(event_type, []))]


@router.get("/cameras", response_model=list[CameraPin], summary="Cameras for the map")
def map_cameras(ctx: Ctx, view: View) -> list[CameraPin]:
    st = ctx.statuses()
    cfg = ops_config(ctx)
    return [
        CameraPin(
            id=c.id,
            name=c.name,
            category=c.category,
            district=c.district,
            lat=c.latitude,
            lon=c.longitude,
            direction_deg=c.direction_deg,
            fov_deg=c.fov_deg,
            agency=cfg.route("", c.category, c.district).agency,
            enabled=c.enabled,
            status=st[c.id].state.value if c.id in st else "unknown",
        )
        for c in view.list_cameras()
    ]


@router.get("/settings", response_model=OpsSettings, summary="Who I am, agencies, routing, map")
def settings(ctx: Ctx, who: Who) -> OpsSettings:
    """For anyone signed in (administrators too): what the UI needs to land each role
    somewhere useful, the agencies, routing, SLA, checklists and the basemap."""
    if ctx.access is None:
        raise ApiError(503, "ops_unavailable", "the operations centre is not running")
    cfg = ops_config(ctx)
    with Session(ctx.access.engine) as s:
        agencies = [Agency(id=a.id, name=a.name) for a in s.scalars(select(AgencyRow))]
    try:
        basemap = _basemaps.get(cfg.basemap, cfg.basemap_attribution)
    except BasemapError as exc:  # the outline map still works: say why, once per call
        log.warning("basemap unusable: %s", exc)
        basemap = None
    me = Me(
        username=who.username, role=who.role.value, agency_id=who.agency_id,
        platform=who.platform, permissions=sorted(who.permissions),
        clearances=sorted(who.clearances), landing=_landing(who),
    )  # fmt: skip
    return OpsSettings(
        me=me,
        agencies=agencies,
        routing=cfg.routing,
        sla=cfg.sla,
        checklists={t: checklist_items(cfg, t) for t in cfg.procedures},
        basemap=basemap,
    )


@router.get("/incidents", response_model=list[Incident], summary="The alert queue")
def incidents(
    ops: Ops,
    who: Who,
    state: Annotated[str, Query(pattern="^(open|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[Incident]:
    """Open incidents by priority then age (``state=all``: newest first, closed too)."""
    return ops.book.incidents(who, open_only=state == "open", limit=limit)


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, summary="One incident")
def incident(
    ops: Ops,
    who: Who,
    view: View,
    incident_id: str,
    log_after: Annotated[
        int | None, Query(description="only timeline entries after this id")
    ] = None,
    events_after: Annotated[datetime | None, Query(description="only events after this")] = None,
) -> IncidentDetail:
    """With its events (those you may see, the newest 50) and its timeline; with
    ``log_after`` / ``events_after`` only what is new to a card that is open."""
    if events_after is not None and events_after.tzinfo is None:
        raise invalid("query.events_after", "give the time with a time zone (e.g. ...Z)")
    inc, log_rows, evs = ops.book.get(
        who, incident_id, log_after=log_after, events_after=events_after
    )
    events: list[dict[str, Any]] = []
    for e in evs[-50:]:
        ev = view.get_event(e.event_id)
        if ev is not None:
            events.append(ev.model_dump(mode="json"))
    entries = [LogEntry.model_validate(r, from_attributes=True) for r in log_rows]
    items = checklist_items(ops.book.cfg, inc.type)
    return IncidentDetail(incident=inc, events=events, log=entries, checklist_items=items)


@router.post(
    "/incidents/{incident_id}/steps",
    response_model=Incident,
    summary="Workflow step",
    responses={
        409: {
            "model": StepConflict,
            "description": "incident_conflict, invalid_transition, "
            "unknown_agency; with the incident as it is now",
        },
        422: {
            "model": StepConflict,
            "description": "note_required, unknown_action, "
            "unknown_item, or invalid input (then without `incident`)",
        },
    },
)
async def step(ops: Ops, who: Who, incident_id: str, body: StepIn) -> Any:
    """acknowledge, assign (agency, unit), on_scene, resolve, false_alarm, note or check
    (``item``, ``done``); each is written to the timeline and the audit log. Send the
    ``step_version`` your card shows: a step someone else took since is a 409
    ``incident_conflict`` (events arriving never are); notes and checks never conflict."""
    try:
        change = await anyio.to_thread.run_sync(ops.book.step, who, incident_id, body)
    except StepRefused as exc:
        content = error_body(exc.code, exc.message)
        content["incident"] = exc.incident.model_dump(mode="json")
        return JSONResponse(content, status_code=exc.status)
    ops.notify([change])
    return change.incident
