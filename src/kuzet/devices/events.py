"""Device events as ordinary bus events, per the device contract (docs/devices.md).

``camera_id`` is the device id; the id is deterministic, so a redelivered message (QoS 1
after a broker restart, a webhook retried) makes the same event, stored once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kuzet.core.event import Event, event_id
from kuzet.core.records import DeviceInfo
from kuzet.devices.mapping import DeviceMessage


def message_event_id(device_id: str, type_: str, msg: DeviceMessage) -> str:
    """``(device, type, message id)``, else ``(device, type, payload sha256, device time)``."""
    if msg.message_id is not None:
        return event_id(device_id, type_, msg.message_id)
    return event_id(device_id, type_, msg.digest, msg.ts.isoformat() if msg.ts else None)


def device_event(
    dev: DeviceInfo,
    type_: str,
    *,
    ev_id: str,
    ts: datetime,
    source: str,
    msg: DeviceMessage | None = None,
    extra: dict[str, Any] | None = None,
) -> Event:
    attrs: dict[str, Any] = {
        "device": True,
        "device_id": dev.id,
        "device_kind": dev.kind,
        "device_name": dev.name,
        "linked_cameras": list(dev.linked_cameras),
        "lat": dev.latitude,
        "lon": dev.longitude,
        "source": source,
    }
    if msg is not None:
        attrs["message_id"] = msg.message_id
        attrs["raw"] = msg.raw
        if msg.battery is not None:
            attrs["battery"] = msg.battery
    attrs.update(extra or {})
    return Event(
        id=ev_id, type=type_, camera_id=dev.id, ts=ts, phase="instant",
        attributes=attrs,
    )  # fmt: skip
