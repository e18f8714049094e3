"""Attribute filters of an event search (JSON_EXTRACT on SQLite, ->> on PostgreSQL)."""

from __future__ import annotations

from store_helpers import make_event

from kuzet.core import EventQuery
from kuzet.store import Store

UPPER = ["red", "black", "blue", "red", "black", "red"]
BAG = ["backpack", "none", "backpack", "handbag", "none", "none"]


def _seed(store: Store) -> None:
    evs = [
        make_event(
            i, type="person_attributes",
            attributes={"upper_colour": UPPER[i], "carried_bag": BAG[i], "looks": 3},
        )
        for i in range(6)
    ]  # fmt: skip
    evs.append(make_event(6, attributes={"zone": "gate"}))  # no such attributes at all
    assert store.insert_events(evs) == 7


def _tracks(store: Store, **attrs: list[str]) -> list[int]:
    events, _ = store.query_events(EventQuery(attributes=attrs or None))
    return sorted(e.track_id for e in events if e.track_id is not None)


def test_attribute_filters(store: Store) -> None:
    _seed(store)
    assert _tracks(store, upper_colour=["red"]) == [0, 3, 5]
    assert _tracks(store, upper_colour=["red", "blue"]) == [0, 2, 3, 5]  # any of
    assert _tracks(store, upper_colour=["red"], carried_bag=["backpack"]) == [0]  # all keys
    assert _tracks(store, carried_bag=["backpack", "handbag"]) == [0, 2, 3]
    assert _tracks(store, upper_colour=["green"]) == []
    assert _tracks(store, zone=["gate"]) == [6]
    assert _tracks(store) == list(range(7))
    # a key with SQL or JSON-path characters is a bound value, matching nothing
    assert _tracks(store, **{"a') OR 1=1 --": ["x"], '$."b"': ["y"]}) == []


def test_attribute_filter_with_other_filters_and_pages(store: Store) -> None:
    _seed(store)
    q = EventQuery(attributes={"upper_colour": ["red"]}, camera_id=["cam-0"], limit=1)
    first, cursor = store.query_events(q)
    assert [e.track_id for e in first] == [3] and cursor is not None
    rest, cursor = store.query_events(q.model_copy(update={"cursor": cursor}))
    assert [e.track_id for e in rest] == [0] and cursor is None
