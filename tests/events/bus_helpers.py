"""Shared test data for the bus tests (imported by name: tests are not a package)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kuzet.core import Event, event_id

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def ev(i: int, camera: str = "cam-1") -> Event:
    return Event(
        id=event_id("bus", camera, i),
        type="zone_presence",
        camera_id=camera,
        ts=T0 + timedelta(milliseconds=i),
        class_name="person",
        attributes={"i": i},
    )
