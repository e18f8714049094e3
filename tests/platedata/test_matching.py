"""The ``plates`` consumer: reads stored, watchlist hits published with fixed ids, acked
only after both, nothing doubled when the bus delivers again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from tests.incidents.conftest import wait_for

from kuzet.core.event import Event, event_id
from kuzet.platedata.tables import PlateMatchRow, PlateReadRow

from .conftest import T0, Site, plate_read


def _count(site: Site, table: type) -> int:
    with site.store.engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(table)) or 0)


def _matches(site: Site, sub: object) -> list[Event]:
    got: list[Event] = []
    for d in sub.fetch(100, 0.5):  # type: ignore[attr-defined]
        if d.event.type == "plate_match":
            got.append(d.event)
    return got


def test_exact_and_fuzzy_lists_and_expiry(site: Site) -> None:
    lists = site.plates.lists
    stolen = lists.create("city-police", "Stolen", created_by="t", kind="stolen")
    unpaid = lists.create("city-police", "Unpaid", created_by="t", kind="unpaid", fuzzy_distance=1)
    _, e1 = lists.put(stolen.id, "123ABC02", reason="stolen 2026-11-30", added_by="t")
    _, e2 = lists.put(unpaid.id, "123ABC02", reason="fines", added_by="t")
    lists.put(stolen.id, "777KZA01", reason="old", added_by="t", valid_until=T0 - timedelta(days=1))
    m = site.plates.matcher
    assert {(x.entry.id, x.distance) for x in m.match("123ABC02", T0)} == {(e1.id, 0), (e2.id, 0)}
    # B read as 8: only the list that allows one edit matches
    assert [(x.entry.id, x.distance) for x in m.match("123A8C02", T0)] == [(e2.id, 1)]
    assert m.match("777KZA01", T0) == []  # listed until yesterday
    assert m.match("777KZA01", T0 - timedelta(days=2))  # a read from when it was listed


def test_consumer_stores_publishes_and_is_idempotent(site: Site) -> None:
    watch = site.bus.subscribe("watch", durable=False)
    lst = site.plates.lists.create("city-police", "Stolen", created_by="t")
    _, entry = site.plates.lists.put(lst.id, "123ABC02", reason="stolen", added_by="t")
    read = plate_read("123ABC02", snapshot="snap/1.jpg", crop="crop/1.jpg", display="123 ABC 02")
    site.bus.publish(read)
    site.bus.publish(plate_read("555XYZ05", track=2))
    hits = wait_for(lambda: _matches(site, watch), what="a plate_match")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.id == event_id(read.id, "plate_match", entry.id)
    a = hit.attributes
    assert (a["plate"], a["plate_display"], a["list_id"], a["list_kind"]) == (
        "123ABC02", "123 ABC 02", lst.id, "stolen"
    )  # fmt: skip
    assert (a["entry_id"], a["agency"], a["alert_target"], a["reason"]) == (
        entry.id, "city-police", "city-police", "stolen"
    )  # fmt: skip
    assert (a["match"], a["distance"], a["read_event_id"]) == ("exact", 0, read.id)
    assert (hit.camera_id, hit.track_id, hit.ts, hit.snapshot) == (
        "traffic-1", 1, read.ts, "snap/1.jpg"
    )  # fmt: skip
    wait_for(lambda: _count(site, PlateReadRow) == 2, what="two reads stored")
    stats = site.bus.stats()["plates"]
    wait_for(lambda: site.bus.stats()["plates"]["pending"] == 0, what="the plates group acked")
    assert stats["published"] >= 2
    # the same read again (a redelivery after a crash): no second row, the same match id
    got = site.plates.consumer.handle([read])
    assert [e.id for e in got] == [hit.id]
    assert _count(site, PlateReadRow) == 2 and _count(site, PlateMatchRow) == 1


def test_nothing_acked_when_the_store_fails(site: Site) -> None:
    """A batch whose write fails stays un-acked and is delivered again."""
    site.plates.stop()
    sub = site.bus.subscribe("plates")
    site.bus.publish(plate_read("123ABC02"))
    deliveries = sub.fetch(10, 1.0)
    assert len(deliveries) == 1
    site.plates.consumer._sub = sub
    with site.store.engine.begin() as c:
        c.exec_driver_sql("DROP TABLE plate_reads")
    try:
        site.plates.consumer.process(deliveries)
    except Exception:
        pass
    else:  # pragma: no cover - the write must fail without its table
        raise AssertionError("the write should have failed")
    assert site.bus.stats()["plates"]["acked"] == 0
    again = wait_for(lambda: sub.fetch(10, 0.2), timeout=5.0, what="the redelivery")
    assert again[0].event.id == deliveries[0].event.id and again[0].redelivered
    site.plates.consumer._sub = None
    sub.close()
