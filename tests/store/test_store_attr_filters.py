"""Attribute filters of an event search (JSON_EXTRACT on SQLite, ->> on PostgreSQL), and
the expression indexes that serve the common keys."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import Engine, event
from store_helpers import make_event

from kuzet.core import EventQuery
from kuzet.schema import alembic_config, current_revision, head_revision, open_store, upgrade
from kuzet.store import Store
from kuzet.store.engine import make_engine
from kuzet.store.repository import INDEXED_ATTRIBUTES

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


def _plan(store: Store, q: EventQuery) -> str:
    """The plan of the exact SQL ``query_events`` sends (captured off the cursor)."""
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        sent.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        store.query_events(q)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    (statement, params), = sent  # fmt: skip
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        if store.dialect == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + statement, params)
            return "\n".join(str(r[-1]) for r in cur.fetchall())
        cur.execute("SET enable_seqscan = off")  # a small table: ask whether it *can*
        cur.execute("EXPLAIN " + statement, params)
        return "\n".join(str(r[0]) for r in cur.fetchall())
    finally:
        raw.close()


def test_attribute_searches_use_their_index(store: Store) -> None:
    _seed(store)
    store.insert_events([make_event(100 + i, attributes={"zone": "gate"}) for i in range(200)])
    for key in INDEXED_ATTRIBUTES:
        plan = _plan(store, EventQuery(attributes={key: ["red"]}, limit=50))
        assert f"ix_events_attr_{key}" in plan, plan
        if store.dialect == "sqlite":  # one value: the index gives the order, no sort
            assert "SCAN events" not in plan and "TEMP B-TREE" not in plan, plan
        else:
            assert "Seq Scan" not in plan and "Sort" not in plan, plan
    plan = _plan(store, EventQuery(attributes={"upper_colour": ["red", "blue"]}))
    assert "ix_events_attr_upper_colour" in plan, plan  # any of: the index, then a sort
    # and the literal key reads the same as the bound one did
    assert _tracks(store, upper_colour=["red"], carried_bag=["backpack"]) == [0]


def _indexes(engine: Engine) -> set[str]:
    """Index names of ``events`` (SQLAlchemy does not reflect expression indexes on SQLite)."""
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'events'"
    )
    with engine.connect() as conn:
        return set(conn.exec_driver_sql(sql).scalars())


def test_attribute_index_migration_round_trip(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0004_ops")
        with Store(db_url) as old:
            old.insert_events(
                [make_event(i, attributes={"upper_colour": c}) for i, c in enumerate(UPPER)]
            )
        upgrade(engine, "0005_attr_index")
        assert current_revision(engine) == "0005_attr_index"
        assert {f"ix_events_attr_{k}" for k in INDEXED_ATTRIBUTES} <= _indexes(engine)
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0004_ops")
        assert current_revision(engine) == "0004_ops"
        assert not any(n.startswith("ix_events_attr_") for n in _indexes(engine))
        upgrade(engine)  # and up again, to the head, the events all there
        assert current_revision(engine) == head_revision()
        with open_store(db_url) as store:
            assert store.count_events() == len(UPPER)
            assert _tracks(store, upper_colour=["red"]) == [0, 3, 5]
    finally:
        engine.dispose()
