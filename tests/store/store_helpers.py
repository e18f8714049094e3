"""Shared test data for the store tests (imported by name: tests are not a package)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kuzet.core import Event, event_id

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def make_event(i: int, **over: Any) -> Event:
    fields: dict[str, Any] = {
        "id": event_id("test", i),
        "type": "zone_presence",
        "camera_id": f"cam-{i % 3}",
        "ts": T0 + timedelta(seconds=i),
        "pts": i / 10,
        "phase": "start",
        "rule": "door",
        "track_id": i,
        "class_name": "person" if i % 2 else "car",
        "score": 0.5,
        "box": (1.0, 2.0, 30.5, 40.25),
        "attributes": {"zone": "door", "n": i},
    }
    fields.update(over)
    return Event(**fields)
