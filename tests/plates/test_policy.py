"""Plate events and attributes are plate data: hidden without the ``plates`` clearance."""

from __future__ import annotations

from datetime import UTC, datetime

from kuzet.access.model import DataClass, Principal, Role, Scope
from kuzet.access.scope import event_view
from kuzet.core import Event


def _p(*clear: DataClass) -> Principal:
    return Principal("u", "u", "police", Role.OPERATOR, frozenset(), Scope(), frozenset(clear))


def _ev(kind: str, **attrs: object) -> Event:
    return Event(id=kind, type=kind, camera_id="c", ts=datetime(2026, 12, 6, tzinfo=UTC),
                 attributes=attrs)  # fmt: skip


def test_plate_unread_needs_plates_clearance() -> None:
    ev = _ev("plate_unread", no_read_reason="too_small", plate_crop="plates/crops/c/x.jpg")
    assert event_view(_p(DataClass.VIDEO), ev) is None
    assert event_view(_p(DataClass.VIDEO, DataClass.PLATES), ev) == ev


def test_plate_text_and_crop_leave_other_events_without_clearance() -> None:
    ev = _ev("average_speed", plate="123ABC02", plate_display="123 ABC 02",
             plate_crop="plates/crops/c/x.jpg", speed_kmh=80)  # fmt: skip
    seen = event_view(_p(DataClass.VIDEO), ev)
    assert seen is not None and seen.attributes == {"speed_kmh": 80}
