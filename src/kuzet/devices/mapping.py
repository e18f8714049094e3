"""A device's payload as the site file maps it: device id, event, message id, time, battery.

Anything that does not fit raises :class:`Rejected` with a short reason (a metric label)
and a detail for the log; nothing here raises anything else on bad input.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kuzet.config.devices import DEVICE_EVENT_TYPES, HEARTBEAT, PayloadMapping

RAW_MAX_BYTES = 1024  # the payload rides on the event only when this small


class Rejected(ValueError):
    """A payload the gateway will not turn into an event; ``reason`` is a metric label."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class DeviceMessage:
    device_id: str
    kind: str  # a contract event type, or "heartbeat"
    message_id: str | None
    ts: datetime | None  # the device's own time, when it sent one
    battery: int | None
    digest: str  # sha256 of the payload bytes: the id when there is no message id
    raw: dict[str, Any] = field(default_factory=dict)


def field_value(obj: dict[str, Any], path: str, topic: str) -> Any:
    if path.startswith("topic:"):
        levels = topic.split("/")
        try:
            return levels[int(path[6:])]
        except (ValueError, IndexError):
            return None
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def parse_time(value: Any) -> datetime:
    """ISO 8601 (no zone: UTC) or Unix seconds (milliseconds when that large)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a time")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        secs = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(secs, UTC)
    if isinstance(value, str):
        ts = datetime.fromisoformat(value)
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    raise ValueError(f"a {type(value).__name__} is not a time")


def parse_payload(payload: bytes, max_bytes: int) -> dict[str, Any]:
    if len(payload) > max_bytes:
        raise Rejected("too_large", f"{len(payload)} bytes, limit {max_bytes}")
    try:
        obj = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as e:
        raise Rejected("not_json", str(e)[:200]) from None
    if not isinstance(obj, dict):
        raise Rejected("not_object", f"a JSON {type(obj).__name__}, not an object")
    return obj


def map_message(
    obj: dict[str, Any], payload: bytes, mapping: PayloadMapping, topic: str
) -> DeviceMessage:
    """The mapped message; :class:`Rejected` when a field is missing or wrong."""
    device_id = field_value(obj, mapping.device_id, topic)
    if not isinstance(device_id, str | int) or isinstance(device_id, bool) or device_id == "":
        raise Rejected("no_device_id", f"field {mapping.device_id!r} missing or not a string")
    word = field_value(obj, mapping.event, topic) if mapping.event else None
    if word is None:
        word = mapping.event_default
    if not isinstance(word, str) or not word:
        raise Rejected("no_event", f"field {mapping.event!r} missing or not a string")
    kind = mapping.events.get(word, word)
    if kind not in DEVICE_EVENT_TYPES and kind != HEARTBEAT:
        raise Rejected("unknown_event", f"{word[:64]!r} maps to no device event type")
    message_id = field_value(obj, mapping.message_id, topic) if mapping.message_id else None
    if message_id is not None:
        if not isinstance(message_id, str | int) or isinstance(message_id, bool):
            raise Rejected("bad_message_id", "not a string or integer")
        message_id = str(message_id)
        if not 0 < len(message_id) <= 128:
            raise Rejected("bad_message_id", "empty or longer than 128 characters")
    ts = None
    raw_ts = field_value(obj, mapping.timestamp, topic) if mapping.timestamp else None
    if raw_ts is not None:
        try:
            ts = parse_time(raw_ts)
        except (ValueError, OverflowError, OSError) as e:
            raise Rejected("bad_timestamp", f"{mapping.timestamp!r}: {e}") from None
    battery = field_value(obj, mapping.battery, topic) if mapping.battery else None
    if battery is not None:
        ok = isinstance(battery, int | float) and not isinstance(battery, bool)
        if not ok or not 0 <= battery <= 100:
            raise Rejected("bad_battery", f"{mapping.battery!r} is not a number 0-100")
        battery = round(battery)
    small = len(payload) <= RAW_MAX_BYTES
    raw = obj if small else {"device_id": device_id, "event": word, "truncated": True}
    return DeviceMessage(
        device_id=str(device_id), kind=kind, message_id=message_id, ts=ts, battery=battery,
        digest=hashlib.sha256(payload).hexdigest(), raw=raw,
    )  # fmt: skip
