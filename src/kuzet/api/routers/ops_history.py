"""The operations centre's history: statistics, the journal of closed incidents and the
shift hand-over report (JSON, and CSV to print or open in a spreadsheet)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Response
from sqlalchemy import Engine

from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid
from kuzet.api.security import Who
from kuzet.incidents import handover as hand
from kuzet.incidents.journal import JournalPage, journal
from kuzet.incidents.stats import Stats, compute, to_csv

router = APIRouter(prefix="/api/ops", tags=["ops"], responses=ERROR_RESPONSES)
_LIST = "repeat the parameter or separate values with commas"
_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}, "description": "CSV"}}


def _engine(ctx: ApiContext) -> Engine:
    if ctx.access is None:
        raise ApiError(503, "ops_unavailable", "the operations centre is not running")
    return ctx.access.engine


def _period(
    since: datetime | None, until: datetime | None, default: timedelta = timedelta(days=7)
) -> tuple[datetime, datetime]:
    until = until or datetime.now(UTC)
    since = since or until - default
    if since.tzinfo is None or until.tzinfo is None:
        raise invalid("query.since", "give times with a time zone (e.g. ...Z)")
    if since > until:
        raise invalid("query.until", "must not be before 'since'")
    return since, until


def _values(raw: list[str] | None) -> list[str] | None:
    out = [p.strip() for v in raw or [] for p in v.split(",") if p.strip()]
    return out or None


def _csv(body: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/stats", response_model=Stats, summary="Events and reaction times")
def stats(
    ctx: Ctx, who: Who, since: datetime | None = None, until: datetime | None = None
) -> Stats:
    """Events by type, hour (UTC), district and agency; acknowledge and resolve times."""
    return compute(_engine(ctx), who, *_period(since, until))


@router.get("/stats.csv", response_class=Response, summary="Statistics as CSV", responses=_CSV)
def stats_csv(
    ctx: Ctx, who: Who, since: datetime | None = None, until: datetime | None = None
) -> Response:
    return _csv(to_csv(compute(_engine(ctx), who, *_period(since, until))), "kuzet-stats.csv")


@router.get("/journal", response_model=JournalPage, summary="Journal of closed incidents")
async def closed_journal(
    ctx: Ctx,
    who: Who,
    since: Annotated[datetime | None, Query(description="closed at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="closed before; default now")] = None,
    agency: Annotated[list[str] | None, Query(description=f"owner; {_LIST}")] = None,
    type_: Annotated[list[str] | None, Query(alias="type", description=_LIST)] = None,
    district: Annotated[list[str] | None, Query(description=_LIST)] = None,
    state: Annotated[list[str] | None, Query(description="resolved, false_alarm")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JournalPage:
    """Resolved and false-alarm incidents, newest closed first (default: the last 7 days)."""
    states = _values(state)
    if states and not set(states) <= {"resolved", "false_alarm"}:
        raise invalid("query.state", "resolved or false_alarm")
    lo, hi = _period(since, until)
    engine = _engine(ctx)
    return await anyio.to_thread.run_sync(
        lambda: journal(
            engine,
            who,
            lo,
            hi,
            agencies=_values(agency),
            types=_values(type_),
            districts=_values(district),
            states=states,
            limit=limit,
            offset=offset,
        )
    )


def _handover(
    ctx: ApiContext, who: Who, since: datetime | None, until: datetime | None
) -> hand.Handover:
    return hand.handover(_engine(ctx), who, *_period(since, until, timedelta(hours=12)))


@router.get("/handover", response_model=hand.Handover, summary="Shift hand-over report")
def handover(
    ctx: Ctx, who: Who, since: datetime | None = None, until: datetime | None = None
) -> hand.Handover:
    """What happened between ``since`` and ``until`` (default: the last 12 hours) and
    every incident still open, with its owner, last step and notes."""
    return _handover(ctx, who, since, until)


@router.get(
    "/handover.csv", response_class=Response, summary="Hand-over report as CSV", responses=_CSV
)
def handover_csv(
    ctx: Ctx, who: Who, since: datetime | None = None, until: datetime | None = None
) -> Response:
    return _csv(hand.to_csv(_handover(ctx, who, since, until)), "kuzet-handover.csv")
