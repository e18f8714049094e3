"""OD by hashed plates: links within a key period, never across; old keys go (made-up
plate reads; no footage)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from at_once import at_once
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kuzet.config.traffic_analytics import OdConfig, TrafficConfig
from kuzet.core.event import Event, event_id
from kuzet.crypto import KeyRing
from kuzet.schema import open_store
from kuzet.traffic.consumer import TrafficConsumer
from kuzet.traffic.od import plate_hash
from kuzet.traffic.tables import TrafficKeyRow, TrafficOdRow, TrafficSightingRow

DAY0 = 1_800_000_000 - 1_800_000_000 % 86400  # a UTC midnight
RING = KeyRing([("t1", secrets.token_bytes(32))])


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    yield store.engine
    store.close()


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def read(camera: str, plate: str, ts: float, track: int) -> Event:
    return Event(
        id=event_id(camera, "plate_read", track, ts),
        type="plate_read",
        camera_id=camera,
        ts=datetime.fromtimestamp(ts, UTC),
        track_id=track,
        attributes={"plate": plate, "plate_display": plate, "plate_confidence": 0.9},
    )


def consumer(engine: Engine, clock: Clock, **od: object) -> TrafficConsumer:
    cfg = TrafficConfig(od=OdConfig(**od))  # type: ignore[arg-type]
    return TrafficConsumer(None, engine, cfg, lambda: RING, clock=clock)  # type: ignore[arg-type]


def od(engine: Engine) -> list[tuple[str, str, int, float]]:
    with Session(engine) as s:
        rows = s.scalars(select(TrafficOdRow).order_by(TrafficOdRow.origin)).all()
        return [(r.origin, r.destination, r.trips, r.travel_s_sum) for r in rows]


def test_same_plate_links_within_a_period(engine: Engine) -> None:
    clock = Clock(DAY0 + 8 * 3600)
    c = consumer(engine, clock)
    t = DAY0 + 8 * 3600
    c.handle([read("a", "123ABC02", t, 1), read("z", "777XYZ01", t + 5, 1)])
    clock.t = t + 600
    c.handle([read("b", "123ABC02", t + 300, 7), read("b", "555KKK02", t + 301, 8)])
    assert od(engine) == [("a", "b", 1, 300.0)]
    # redelivery of the same reads changes nothing
    c.handle([read("b", "123ABC02", t + 300, 7)])
    assert od(engine) == [("a", "b", 1, 300.0)]
    # then on to c: the trip is b -> c (consecutive cameras)
    c.handle([read("c", "123ABC02", t + 500, 3)])
    assert od(engine)[-1] == ("b", "c", 1, 200.0)


def test_no_link_across_key_periods_and_old_keys_go(engine: Engine) -> None:
    late = DAY0 + 86400 - 120  # 23:58
    clock = Clock(late)
    c = consumer(engine, clock)
    c.handle([read("a", "123ABC02", late, 1)])
    with Session(engine) as s:
        h_day0 = s.scalars(select(TrafficSightingRow.plate_hash)).one()
    clock.t = late + 240  # 00:02 next day, within max_trip_s of the first read
    c.handle([read("b", "123ABC02", late + 240, 2)])
    assert od(engine) == []  # another period, another key: not the same hash
    with Session(engine) as s:
        hashes = set(s.scalars(select(TrafficSightingRow.plate_hash)))
        periods = set(s.scalars(select(TrafficKeyRow.period_start)))
    assert h_day0 not in hashes  # the day-0 sighting was dropped with its key
    assert len(hashes) == 1
    assert periods == {DAY0 + 86400}  # only today's key is kept
    # a late read from yesterday cannot be hashed any more: counted, not linked
    c.handle([read("c", "123ABC02", late + 10, 3)])
    assert c.od.stats.unlinkable == 1


def test_no_clear_plate_is_stored(engine: Engine) -> None:
    clock = Clock(DAY0 + 3600)
    c = consumer(engine, clock)
    c.handle([read("a", "123ABC02", DAY0 + 3600, 1), read("b", "123ABC02", DAY0 + 3660, 1)])
    with engine.connect() as conn:
        dump = "\n".join(conn.connection.iterdump())  # type: ignore[attr-defined]
    assert "123ABC02" not in dump
    with Session(engine) as s:
        key_row = s.scalars(select(TrafficKeyRow)).one()
        stored = s.scalars(select(TrafficSightingRow.plate_hash)).all()
    key = RING.open(key_row.key_id, key_row.sealed, f"traffic-od-key:{DAY0}")
    assert stored == [plate_hash(key, "123ABC02")] * 2  # the key in the table is sealed
    assert key not in key_row.sealed


def test_trips_longer_than_max_are_not_linked(engine: Engine) -> None:
    t = DAY0 + 3600
    clock = Clock(t + 4000)
    c = consumer(engine, clock, max_trip_s=1800)
    c.handle([read("a", "123ABC02", t, 1), read("b", "123ABC02", t + 3000, 1)])
    assert od(engine) == []


def test_figures_older_than_keep_days_are_deleted(engine: Engine) -> None:
    t = DAY0 + 3600
    clock = Clock(t + 600)
    c = consumer(engine, clock)
    c.handle([read("a", "123ABC02", t, 1), read("b", "123ABC02", t + 300, 1)])
    assert len(od(engine)) == 1
    clock.t = t + 400 * 86400 - 1  # just inside 400 days (keep_days default)
    c._purged = 0.0
    c.handle([])
    assert len(od(engine)) == 1
    clock.t = t + 401 * 86400
    c._purged = 0.0
    c.handle([])
    assert od(engine) == []


def test_od_matrix_per_bin_and_summed(engine: Engine) -> None:
    from kuzet.traffic.query import od as od_query

    t = DAY0 + 3600  # a quarter-hour edge
    clock = Clock(t + 3600)
    c = consumer(engine, clock)
    c.handle([read("a", "111AAA02", t, 1), read("b", "111AAA02", t + 100, 1),
              read("a", "222BBB02", t + 200, 2), read("b", "222BBB02", t + 1000, 2),
              read("b", "333CCC02", t + 10, 3), read("a", "333CCC02", t + 70, 3)])  # fmt: skip
    summed = od_query(engine, DAY0, DAY0 + 86400, None)
    assert summed == [
        {"origin": "a", "destination": "b", "trips": 2, "mean_travel_s": 450.0},
        {"origin": "b", "destination": "a", "trips": 1, "mean_travel_s": 60.0},
    ]
    per = od_query(engine, DAY0, DAY0 + 86400, None, per_bin=True)
    assert [(r["bin_start"] - t, r["origin"], r["trips"]) for r in per] == [
        (0, "a", 1),
        (0, "b", 1),
        (900, "a", 1),
    ]
    assert od_query(engine, DAY0, DAY0 + 86400, {"a"}) == []  # b is out of scope


def test_reads_out_of_order_give_the_trips_of_the_time_order(engine: Engine) -> None:
    """Reads reach the consumers out of order (several consumers, a redelivery): a
    sighting found between two already linked ones splits their trip in two."""
    t = DAY0 + 8 * 3600
    clock = Clock(t + 900)
    c = consumer(engine, clock)
    c.handle([read("b", "123ABC02", t + 300, 2)])
    c.handle([read("a", "123ABC02", t, 1)])  # earlier, handled later
    assert od(engine) == [("a", "b", 1, 300.0)]
    c.handle([read("d", "777XYZ01", t + 500, 4)])
    c.handle([read("a", "777XYZ01", t, 5)])
    assert od(engine)[-1:] == [("a", "d", 1, 500.0)]
    c.handle([read("c", "777XYZ01", t + 200, 6)])  # between a and d: a->c, c->d
    assert sorted(od(engine)) == [("a", "b", 1, 300.0), ("a", "c", 1, 200.0),
                                  ("c", "d", 1, 300.0)]  # fmt: skip


@pytest.mark.postgres
def test_two_consumers_given_one_plate_s_reads_at_once_link_them(pg_url: str) -> None:
    """The ``traffic`` group hands reads to whichever consumer is free: two consumers may
    hold one plate's two sightings at the same moment (and in either order)."""
    stores = [open_store(pg_url) for _ in range(2)]
    try:
        t = DAY0 + 8 * 3600
        consumers = [consumer(st.engine, Clock(t + 900)) for st in stores]
        plates = [f"{100 + i}ABC02" for i in range(12)]

        def run(i: int) -> None:
            for n, plate in enumerate(plates):  # consumer 0 the origin reads, 1 the ends
                consumers[i].handle([read("ab"[i], plate, t + 300 * i, n)])

        at_once(run)
        assert od(stores[0].engine) == [("a", "b", len(plates), 300.0 * len(plates))]
    finally:
        for st in stores:
            st.close()
