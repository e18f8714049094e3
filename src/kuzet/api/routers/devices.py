"""``/api/devices``: the device registry as the caller may see it, and the devices' webhook.

Devices are scoped like cameras (category, district, camera group): out of scope reads
as not found. The webhook authenticates by its own key and HMAC signature
(:mod:`kuzet.devices.webhook`), not by a session.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request

from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.security import View
from kuzet.core.records import DeviceInfo
from kuzet.devices.webhook import WebhookRefused

router = APIRouter(prefix="/api/devices", tags=["devices"], responses=ERROR_RESPONSES)


@router.get("", summary="Devices in the caller's scope")
async def list_devices(view: View, kind: str | None = None) -> list[DeviceInfo]:
    devices = await anyio.to_thread.run_sync(view.list_devices)
    return [d for d in devices if kind is None or d.kind == kind]


@router.get("/{device_id}", summary="One device, with its health")
async def get_device(device_id: str, view: View) -> DeviceInfo:
    dev = await anyio.to_thread.run_sync(view.get_device, device_id)
    if dev is None:
        raise ApiError(404, "not_found", f"no device {device_id!r}")
    return dev


@router.post("/webhook", summary="Device events, signed (API key + HMAC-SHA256)")
async def webhook(request: Request, ctx: Ctx) -> dict[str, Any]:
    hook = ctx.device_webhook
    if hook is None:
        # nothing listens here: 404 (a 503 would promise it comes back)
        raise ApiError(404, "webhook_unavailable", "no device webhook is configured here")
    body = await request.body()
    try:
        return await anyio.to_thread.run_sync(hook.receive, request.headers, body)
    except WebhookRefused as e:
        raise ApiError(e.status, e.code, e.message) from None
