"""``/api/drones``: the drones in the air and the path each has flown (docs/drones.md).

A drone is a moving camera and shares the camera id space: its scope (agency,
category, district) is that of the camera entry with its id, so a person who cannot see
the camera cannot see the drone either (an unknown id and an out-of-scope one both 404).
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Query

from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.security import View
from kuzet.drones.tracks import DroneTracks

router = APIRouter(prefix="/api/drones", tags=["drones"], responses=ERROR_RESPONSES)


def _tracks(ctx: ApiContext) -> DroneTracks:
    if ctx.drones is None:  # no drone here to find: 404 (a 503 would say "come back later")
        raise ApiError(404, "drones_unavailable", "no drones are flown from this process")
    return ctx.drones


@router.get("", summary="Drones with a known path, and where each was last")
async def list_drones(ctx: Ctx, view: View) -> list[dict[str, Any]]:
    if ctx.drones is None:
        return []  # the map asks on every site: none flown here is an empty layer
    tracks = ctx.drones
    out = []
    for did in tracks.ids():
        if await anyio.to_thread.run_sync(view.get_camera, did) is None:
            continue
        s = tracks.summary(did)
        if s is not None:
            out.append(s)
    return out


@router.get("/{drone_id}/track", summary="One drone's path as a GeoJSON LineString")
async def track(
    drone_id: str,
    ctx: Ctx,
    view: View,
    since: float | None = Query(None, description="only points at or after (UNIX seconds)"),
) -> dict[str, Any]:
    tracks = _tracks(ctx)
    feature = None
    if await anyio.to_thread.run_sync(view.get_camera, drone_id) is not None:
        feature = tracks.geojson(drone_id, since)
    if feature is None:
        raise ApiError(404, "not_found", f"no drone {drone_id!r}")
    return feature
