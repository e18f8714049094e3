"""Operations endpoints: ``/healthz`` for load balancers, ``/metrics`` for Prometheus."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from kuzet.api.context import ApiContext, Ctx
from kuzet.api.schemas import CamerasSummary, CheckResult, Health
from kuzet.core.camera import CameraState

log = logging.getLogger(__name__)
router = APIRouter(tags=["ops"])

PING_TIMEOUT_S = 2.0


async def _check_store(ctx: ApiContext) -> CheckResult:
    # A hung database must not hang the health check: time out and report it.
    try:
        ok = await asyncio.wait_for(asyncio.to_thread(ctx.store.ping), PING_TIMEOUT_S)
    except TimeoutError:
        return CheckResult(ok=False, detail=f"store ping timed out after {PING_TIMEOUT_S:g} s")
    except Exception as exc:
        return CheckResult(ok=False, detail=f"store ping failed: {exc}")
    return CheckResult(ok=True) if ok else CheckResult(ok=False, detail="store ping failed")


def _check_bus(ctx: ApiContext) -> CheckResult:
    if ctx.hub.alive:
        return CheckResult(ok=True)
    return CheckResult(ok=False, detail=ctx.hub.error or "live event subscription not running")


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Store or bus unavailable"}},
    summary="Liveness and readiness",
)
async def healthz(ctx: Ctx) -> JSONResponse:
    """503 when the store or the bus is down. Camera counts are informative only:
    offline cameras do not make the API itself unhealthy."""
    checks = {"store": await _check_store(ctx), "bus": _check_bus(ctx)}
    cameras = None
    if ctx.status is not None:
        try:
            sts = ctx.status()
            online = sum(st.state == CameraState.ONLINE for st in sts)
            cameras = CamerasSummary(online=online, total=len(sts))
        except Exception as exc:
            log.warning("camera status callback failed: %s", exc)
    reasons = [f"{name}: {c.detail}" for name, c in checks.items() if not c.ok]
    health = Health(
        status="unavailable" if reasons else "ok",
        checks=checks,
        cameras=cameras,
        reasons=reasons,
    )
    return JSONResponse(health.model_dump(mode="json"), status_code=503 if reasons else 200)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
    summary="Prometheus metrics",
)
def metrics(ctx: Ctx) -> Response:
    if ctx.status is not None:  # gauges are refreshed at scrape time, not per frame
        try:
            ctx.metrics.observe_status(ctx.status())
        except Exception as exc:
            log.warning("camera status callback failed: %s", exc)
    body, content_type = ctx.metrics.render()
    return Response(content=body, media_type=content_type)
