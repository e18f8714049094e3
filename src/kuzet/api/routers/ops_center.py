"""The operations centre's REST side: incident queue and workflow, map data, statistics.

The :class:`~kuzet.incidents.engine.OpsEngine` (bus -> incidents, SLA clock) belongs to
the service, which hands it to ``create_app``; without one these routes answer 503.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from kuzet.access.tables import AgencyRow
from kuzet.api.context import Ctx, get_context
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid
from kuzet.api.security import View, Who
from kuzet.config.ops import RoutingRule, Sla
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.model import Incident, IncidentDetail, LogEntry, StepIn
from kuzet.incidents.stats import Stats, compute, to_csv

router = APIRouter(prefix="/api/ops", tags=["ops"], responses=ERROR_RESPONSES)


def _ops(conn: HTTPConnection) -> OpsEngine:
    engine = get_context(conn).incidents
    if engine is None or get_context(conn).access is None:
        raise ApiError(503, "ops_unavailable", "the operations centre is not running")
    return engine


Ops = Annotated[OpsEngine, Depends(_ops)]


class CameraPin(BaseModel):
    """A camera on the map: compact, there may be thousands."""

    id: str
    name: str | None
    category: str
    district: str | None
    lat: float | None
    lon: float | None
    status: str  # online, reconnecting, failed, ... or "unknown" without a pipeline


class Agency(BaseModel):
    id: str
    name: str


class OpsSettings(BaseModel):
    agencies: list[Agency]
    routing: list[RoutingRule]
    sla: dict[int, Sla]


@router.get("/cameras", response_model=list[CameraPin], summary="Cameras for the map")
def map_cameras(ctx: Ctx, view: View) -> list[CameraPin]:
    st = ctx.statuses()
    return [
        CameraPin(
            id=c.id,
            name=c.name,
            category=c.category,
            district=c.district,
            lat=c.latitude,
            lon=c.longitude,
            status=st[c.id].state.value if c.id in st else "unknown",
        )
        for c in view.list_cameras()
    ]


@router.get("/settings", response_model=OpsSettings, summary="Agencies, routing rules, SLA")
def settings(ctx: Ctx, ops: Ops) -> OpsSettings:
    assert ctx.access is not None
    with Session(ctx.access.engine) as s:
        agencies = [Agency(id=a.id, name=a.name) for a in s.scalars(select(AgencyRow))]
    return OpsSettings(agencies=agencies, routing=ops.book.cfg.routing, sla=ops.book.cfg.sla)


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
def incident(ops: Ops, who: Who, view: View, incident_id: str) -> IncidentDetail:
    """With its events (those you may see) and its timeline."""
    inc, log, evs = ops.book.get(who, incident_id)
    events: list[dict[str, Any]] = []
    for e in evs[-50:]:
        ev = view.get_event(e.event_id)
        if ev is not None:
            events.append(ev.model_dump(mode="json"))
    entries = [LogEntry.model_validate(r, from_attributes=True) for r in log]
    return IncidentDetail(incident=inc, events=events, log=entries)


@router.post("/incidents/{incident_id}/steps", response_model=Incident, summary="Workflow step")
async def step(ops: Ops, who: Who, incident_id: str, body: StepIn) -> Incident:
    """acknowledge, assign (agency, unit), on_scene, resolve, false_alarm or note; each
    step is written to the incident's timeline and to the audit log."""
    inc = await anyio.to_thread.run_sync(ops.book.step, who, incident_id, body)
    ops.notify([inc])
    return inc


def _period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=7)
    if since.tzinfo is None or until.tzinfo is None:
        raise invalid("query.since", "give times with a time zone (e.g. ...Z)")
    if since > until:
        raise invalid("query.until", "must not be before 'since'")
    return since, until


@router.get("/stats", response_model=Stats, summary="Events and reaction times")
def stats(
    ctx: Ctx, who: Who, since: datetime | None = None, until: datetime | None = None
) -> Stats:
    """Events by type, hour (UTC), district and agency; acknowledge and resolve times."""
    assert ctx.access is not None
    return compute(ctx.access.engine, who, *_period(since, until))


@router.get(
    "/stats.csv",
    response_class=Response,
    summary="Statistics as CSV",
    responses={200: {"content": {"text/csv": {}}, "description": "CSV"}},
)
def stats_csv(
    ctx: Ctx, who: Who, since: datetime | None = None, until: datetime | None = None
) -> Response:
    assert ctx.access is not None
    body = to_csv(compute(ctx.access.engine, who, *_period(since, until)))
    headers = {"Content-Disposition": 'attachment; filename="kuzet-stats.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
