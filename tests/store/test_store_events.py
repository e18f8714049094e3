"""Events in the store: idempotent insert, keyset pagination, filters (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect
from store_helpers import T0, make_event

from kuzet.core import Event, EventQuery, event_id
from kuzet.schema import current_revision, head_revision, open_store
from kuzet.store import InvalidCursor, Store


def test_migrations_upgrade_from_empty(db_url: str) -> None:
    store = open_store(db_url)
    try:
        assert current_revision(store.engine) == head_revision() is not None
        insp = inspect(store.engine)
        assert {"cameras", "events", "alembic_version"} <= set(insp.get_table_names())
        index_cols = {tuple(ix["column_names"]) for ix in insp.get_indexes("events")}
        assert {("ts", "id"), ("camera_id", "ts"), ("type", "ts")} <= index_cols
        assert store.ping()
    finally:
        store.close()
    again = open_store(db_url)  # already at head: a no-op that keeps the data
    assert current_revision(again.engine) == head_revision()
    again.close()


def test_insert_is_idempotent(store: Store) -> None:
    batch = [make_event(i) for i in range(50)]
    assert store.insert_events(batch) == 50
    assert store.insert_events(batch) == 0
    assert store.insert_events(batch[40:] + [make_event(i) for i in range(50, 60)]) == 10
    assert store.count_events() == 60
    assert store.insert_events([]) == 0


def test_event_round_trip(store: Store) -> None:
    e = make_event(7, snapshot="snapshots/2026/11/26/cam-1/x.jpg")
    bare = Event(id=event_id("bare"), type="t", camera_id="c", ts=T0)
    store.insert_events([e, bare])
    assert store.get_event(e.id) == e
    got = store.get_event(bare.id)
    assert got == bare and got.box is None and got.attributes == {}
    assert got.ts.tzinfo is not None and got.ts == T0
    assert store.get_event("nope") is None


def test_ts_in_other_zone_is_stored_as_the_same_instant(store: Store) -> None:
    from datetime import timezone

    almaty = timezone(timedelta(hours=5))
    e = make_event(1, ts=T0.astimezone(almaty))
    store.insert_events([e, make_event(2, ts=T0 - timedelta(minutes=1))])
    assert store.get_event(e.id).ts == T0  # type: ignore[union-attr]
    page, _ = store.query_events(EventQuery(since=T0))
    assert [x.id for x in page] == [e.id]


def _all_pages(store: Store, q: EventQuery) -> list[Event]:
    out: list[Event] = []
    pages = 0
    while True:
        page, cursor = store.query_events(q)
        out.extend(page)
        pages += 1
        assert pages < 1000
        if cursor is None:
            return out
        assert len(page) == q.limit
        q = q.model_copy(update={"cursor": cursor})


def test_pagination_with_equal_timestamps_is_complete_and_disjoint(store: Store) -> None:
    # 300 events in 12 distinct timestamps: many ties, broken by id
    events = [make_event(i, ts=T0 + timedelta(seconds=i % 12)) for i in range(300)]
    store.insert_events(events)
    for limit in (1, 7, 25, 300, 1000):
        got = _all_pages(store, EventQuery(limit=limit))
        ids = [e.id for e in got]
        assert len(ids) == len(set(ids)) == 300
        keys = [(e.ts, e.id) for e in got]
        assert keys == sorted(keys, reverse=True)  # newest first, id as tie breaker


def test_filters(store: Store) -> None:
    events = [make_event(i, type="loitering" if i % 5 == 0 else "zone_presence") for i in range(60)]
    store.insert_events(events)

    def ids(**kw: object) -> set[str]:
        return {e.id for e in _all_pages(store, EventQuery(limit=4, **kw))}  # type: ignore[arg-type]

    def expect(pred: object) -> set[str]:
        return {e.id for e in events if pred(e)}  # type: ignore[operator]

    assert ids(camera_id=["cam-1"]) == expect(lambda e: e.camera_id == "cam-1")
    assert ids(camera_id=["cam-0", "cam-2"]) == expect(lambda e: e.camera_id != "cam-1")
    assert ids(type=["loitering"]) == expect(lambda e: e.type == "loitering")
    assert ids(class_name=["car"]) == expect(lambda e: e.class_name == "car")
    since, until = T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)
    assert ids(since=since, until=until) == expect(lambda e: since <= e.ts < until)
    assert ids(since=since.replace(tzinfo=None)) == expect(lambda e: e.ts >= since)
    assert ids(camera_id=["cam-1"], class_name=["person"], type=["loitering"]) == expect(
        lambda e: e.camera_id == "cam-1" and e.class_name == "person" and e.type == "loitering"
    )
    assert ids(camera_id=["none"]) == set()


@pytest.mark.parametrize("cursor", ["garbage", "", "Zm9v", "MjAyNnxhYmM"])
def test_invalid_cursor(store: Store, cursor: str) -> None:
    if cursor == "":
        assert store.query_events(EventQuery(cursor=cursor)) == ([], None)
        return
    with pytest.raises(InvalidCursor):
        store.query_events(EventQuery(cursor=cursor))


def test_naive_timestamp_is_rejected(store: Store) -> None:
    with pytest.raises(Exception, match="naive"):
        store.insert_events([make_event(1, ts=T0.replace(tzinfo=None))])
    assert store.count_events() == 0


def test_one_transaction_per_batch(store: Store) -> None:
    good = make_event(1)
    bad = make_event(2, ts=T0.replace(tzinfo=None))
    with pytest.raises(ValueError):
        store.insert_events([good, bad])
    assert store.get_event(good.id) is None
