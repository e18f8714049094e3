"""``/api/signals``: traffic-light states fed by junction controllers.

A controller (an API key holding ``signals.write``, scoped to its cameras) posts what
its signals show; the red-light rules of those cameras read them from the signal board
(kuzet.rules.signals), judged at each frame's time. An MQTT feed (issue 15) writes the
same board through :meth:`SignalBoard.put`.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import anyio
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from kuzet.api.context import ApiContext, Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError, invalid
from kuzet.api.security import View
from kuzet.config.traffic import SignalState
from kuzet.rules.signals import SignalBoard

router = APIRouter(prefix="/api/signals", tags=["traffic"], responses=ERROR_RESPONSES)
MAX_STATES = 500


class SignalStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_id: str = Field(min_length=1)
    signal: str = Field(min_length=1, description="signal name in the camera's scene")
    state: SignalState
    ts: datetime | None = Field(
        None, description="when the signal changed, ISO 8601 with a zone; now when omitted"
    )


class SignalFeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    states: list[SignalStateIn] = Field(min_length=1, max_length=MAX_STATES)


def _board(ctx: ApiContext) -> SignalBoard:
    if ctx.signals is None:
        raise ApiError(503, "signals_unavailable", "no signal board runs in this process")
    return ctx.signals


@router.post("", summary="Feed signal states (junction controllers)")
async def feed(body: SignalFeed, ctx: Ctx, view: View) -> dict[str, int]:
    board = _board(ctx)
    for i, s in enumerate(body.states):
        if s.ts is not None and s.ts.tzinfo is None:
            raise invalid(f"body.states[{i}].ts", "needs a time zone (e.g. Z or +05:00)")
    cams = {s.camera_id for s in body.states}
    for i, s in enumerate(body.states):  # out of scope reads as unknown, as everywhere
        if (
            s.camera_id in cams
            and await anyio.to_thread.run_sync(view.get_camera, s.camera_id) is None
        ):
            raise invalid(f"body.states[{i}].camera_id", f"no camera {s.camera_id!r}")
        cams.discard(s.camera_id)
    now = time.time()
    changed = sum(
        board.put(s.camera_id, s.signal, s.state, now if s.ts is None else s.ts.timestamp())
        for s in body.states
    )
    return {"accepted": len(body.states), "changed": changed}


@router.get("", summary="The newest fed state of every signal")
async def current(ctx: Ctx, view: View) -> list[dict[str, Any]]:
    board = _board(ctx)
    rows = board.current()
    cams = {str(r["camera_id"]) for r in rows}
    visible = {c for c in cams if await anyio.to_thread.run_sync(view.get_camera, c) is not None}
    return [r for r in rows if r["camera_id"] in visible]
