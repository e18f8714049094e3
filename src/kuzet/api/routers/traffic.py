"""Traffic figures for analysts: per-lane series (1/5/15 min), OD between cameras, and a
forecast 15-60 minutes ahead per road segment beside the values measured (docs/traffic.md).

Counts need ``events.read`` and follow the caller's camera scope; the OD matrix holds
no plate (only trip counts between cameras both in scope)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query
from sqlalchemy import Engine

from kuzet.access.scope import ScopedStore
from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid
from kuzet.api.security import Who
from kuzet.traffic import query as tq

router = APIRouter(prefix="/api/traffic", tags=["traffic"], responses=ERROR_RESPONSES)
MAX_RANGE = timedelta(days=31)


def _engine(ctx: ApiContext) -> Engine:
    if ctx.access is None:
        raise ApiError(503, "traffic_unavailable", "traffic figures need the store")
    return ctx.access.engine


def _period(since: datetime | None, until: datetime | None, default: timedelta) -> tuple[int, int]:
    until = until or datetime.now(UTC)
    since = since or until - default
    if since.tzinfo is None or until.tzinfo is None:
        raise invalid("query.since", "give times with a time zone (e.g. ...Z)")
    if since > until:
        raise invalid("query.until", "must not be before 'since'")
    if until - since > MAX_RANGE:
        raise invalid("query.since", f"at most {MAX_RANGE.days} days at once")
    return int(since.timestamp()), int(until.timestamp())


@router.get("/layout", summary="Cameras, approaches, lanes and road segments with figures")
async def layout(ctx: Ctx, who: Who) -> list[dict[str, str]]:
    allowed = await anyio.to_thread.run_sync(ScopedStore(ctx.store, who).allowed_camera_ids)
    return await anyio.to_thread.run_sync(tq.layout, _engine(ctx), allowed)


@router.get("/series", summary="Counts, speed, occupancy and queue per time bin")
async def series(
    ctx: Ctx,
    who: Who,
    bin_s: Annotated[int, Query(description="bin: 60, 300 or 900 s")] = 300,
    camera: str | None = None,
    approach: str | None = None,
    lane: str | None = None,
    segment: str | None = None,
    since: Annotated[datetime | None, Query(description="default: 24 h before 'until'")] = None,
    until: Annotated[datetime | None, Query(description="default: now")] = None,
) -> list[dict[str, Any]]:
    """The chosen lanes summed per bin (UTC-aligned): vehicles by class, mean speed
    (km/h, calibrated cameras), occupancy (0-1), queue (stopped vehicles, metres)."""
    if bin_s not in tq.BIN_SIZES:
        raise invalid("query.bin_s", "one of 60, 300, 900 (seconds)")
    lo, hi = _period(since, until, timedelta(hours=24))
    allowed = await anyio.to_thread.run_sync(ScopedStore(ctx.store, who).allowed_camera_ids)
    w = tq.Where(lo, hi, camera, approach, lane, segment, allowed)
    return await anyio.to_thread.run_sync(tq.series, _engine(ctx), w, bin_s)


@router.get("/od", summary="Trips between cameras (plate re-identification, hashed)")
async def od(
    ctx: Ctx,
    who: Who,
    since: datetime | None = None,
    until: datetime | None = None,
    per_bin: Annotated[bool, Query(description="one matrix per time bin (by arrival)")] = False,
) -> list[dict[str, Any]]:
    """Trips origin -> destination, mean travel time; no plate, no hash."""
    lo, hi = _period(since, until, timedelta(hours=24))
    allowed = await anyio.to_thread.run_sync(ScopedStore(ctx.store, who).allowed_camera_ids)
    return await anyio.to_thread.run_sync(tq.od, _engine(ctx), lo, hi, allowed, per_bin)


def _forecast(
    engine: Engine, segment: str, metric: str, until: int, allowed: frozenset[str] | None
) -> dict[str, Any]:
    from kuzet.traffic.forecast import HORIZON, forecast

    start, y = tq.quarter_series(engine, segment, until, 14, metric, allowed)
    out: dict[str, Any] = {
        "segment": segment, "metric": metric, "step_s": 900,
        "history": [{"start": start + 900 * i, "value": round(float(v), 2)}
                    for i, v in enumerate(y)][-96:],
        "forecast": [], "model": None,
    }  # fmt: skip
    if len(y) >= 2 * 96:
        f = forecast(start, y, HORIZON)
        out["model"] = f.model
        out["forecast"] = [
            {"start": f.start + 900 * i, "value": round(v, 2)} for i, v in enumerate(f.mean)
        ]
    return out


@router.get("/forecast", summary="A segment's counts or speed 15-60 min ahead")
async def forecast_route(
    ctx: Ctx,
    who: Who,
    segment: str,
    metric: Literal["count", "speed"] = "count",
    at: Annotated[datetime | None, Query(description="forecast from; default now")] = None,
) -> dict[str, Any]:
    """The last 24 h of 15-minute values and the next four (model fitted on up to 14
    days; no forecast before two days of figures)."""
    if at is not None and at.tzinfo is None:
        raise invalid("query.at", "give the time with a time zone (e.g. ...Z)")
    ts = (at or datetime.now(UTC)).timestamp()
    until = int(ts // 900) * 900  # the quarter being measured now is not complete
    allowed = await anyio.to_thread.run_sync(ScopedStore(ctx.store, who).allowed_camera_ids)
    t0 = time.perf_counter()
    out = await anyio.to_thread.run_sync(_forecast, _engine(ctx), segment, metric, until, allowed)
    out["compute_s"] = round(time.perf_counter() - t0, 3)
    return out
