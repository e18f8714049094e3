"""What leaves Kuzet: filters, and biometric / plate data only to targets that ask for it
(``sensitive: true``), as the access policy classes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from kuzet.config.integrations import EventFilter
from kuzet.core import Event
from kuzet.integrations.payloads import event_body, event_matches

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
PERSON = Event(id="e1", type="intrusion", camera_id="c1", ts=T0, score=0.7,
               attributes={"zone": "gate", "gender": "female", "plate": "777KZ02"})  # fmt: skip
PLATE = Event(id="e2", type="plate_read", camera_id="c1", ts=T0, attributes={"plate": "777KZ02"})
FACE = Event(id="e3", type="face_match", camera_id="c1", ts=T0, attributes={"watchlist": "w"})


def test_filters() -> None:
    assert event_matches(EventFilter(), PERSON)
    assert not event_matches(EventFilter(types=["fight"]), PERSON)
    assert not event_matches(EventFilter(cameras=["c2"]), PERSON)
    assert not event_matches(EventFilter(min_score=0.8), PERSON)
    assert event_matches(EventFilter(min_score=0.7, cameras=["c1"]), PERSON)


def test_plate_and_face_events_only_when_sensitive() -> None:
    for e in (PLATE, FACE):
        assert not event_matches(EventFilter(), e)
        assert not event_matches(EventFilter(types=[e.type]), e)  # naming it is not enough
        assert event_matches(EventFilter(types=[e.type], sensitive=True), e)


def test_sensitive_attributes_are_stripped_unless_asked() -> None:
    plain = json.loads(event_body(PERSON))["event"]["attributes"]
    assert plain == {"zone": "gate"}
    full = json.loads(event_body(PERSON, sensitive=True))["event"]["attributes"]
    assert full == {"zone": "gate", "gender": "female", "plate": "777KZ02"}
