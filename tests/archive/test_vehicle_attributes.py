"""The track index stores and filters vehicle attributes (scripted rows and events:
logic only; the colours themselves are measured in tests/vehicles)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
from tests.rules.helpers import dets

from kuzet.archive import TrackIndex, TrackIndexWriter, TrackQuery
from kuzet.archive.collector import TrackCollector
from kuzet.archive.schema import SCHEMA, TrackRow
from kuzet.config.archive import ArchiveConfig
from kuzet.core import COCO_CLASSES, Event, Frame

from .conftest import DAY, row
from .test_api import City, city, refs, search  # noqa: F401  (city: the API fixture)
from .test_collector import IMG, Rows, feed

VEHICLE_KEYS = ("vehicle_colour", "vehicle_type", "vehicle_make", "vehicle_model")


def q(**kw: object) -> TrackQuery:
    return TrackQuery(since=DAY, until=DAY + timedelta(days=1), **kw)  # type: ignore[arg-type]


def test_forensic_search_filters_on_vehicle_attributes(tmp_path: Path) -> None:
    w = TrackIndexWriter(tmp_path, ArchiveConfig())
    w.add(row("cam", 1, 100, cls="car", vehicle_colour="red", vehicle_type="car"))
    w.add(row("cam", 2, 200, cls="car", vehicle_colour="white", vehicle_type="car",
              vehicle_make="Toyota", vehicle_model="Camry"))  # fmt: skip
    w.add(row("cam", 3, 300, cls="truck", vehicle_colour="white", vehicle_type="truck"))
    w.flush()
    idx = TrackIndex(tmp_path)
    white = idx.search(q(attributes={"vehicle_colour": ("white",)}))
    assert [h.track_id for h in white.items] == [3, 2]
    car = idx.search(q(attributes={"vehicle_colour": ("white",), "vehicle_type": ("car",)}))
    assert [h.track_id for h in car.items] == [2]
    assert car.items[0].attributes == {
        "vehicle_colour": "white", "vehicle_type": "car",
        "vehicle_make": "Toyota", "vehicle_model": "Camry",
    }  # fmt: skip
    toyota = idx.search(q(attributes={"vehicle_make": ("Toyota",), "vehicle_model": ("Camry",)}))
    assert [h.track_id for h in toyota.items] == [2]
    assert idx.search(q(attributes={"vehicle_colour": ("red", "white")})).items[-1].track_id == 1


def test_index_files_written_before_the_vehicle_columns_still_search(tmp_path: Path) -> None:
    w = TrackIndexWriter(tmp_path, ArchiveConfig())
    w.add(row("cam", 1, 100, upper_colour="red"))
    w.add(row("old", 5, 100, cls="car"))
    w.flush()
    for old in tmp_path.rglob("*.parquet"):
        t = pq.read_table(old)
        pq.write_table(t.drop_columns(list(VEHICLE_KEYS)), old)  # as an older Kuzet wrote it
    w.add(row("cam", 2, 200, cls="car", vehicle_colour="blue"))
    w.flush()
    idx = TrackIndex(tmp_path)
    assert [h.track_id for h in idx.search(q()).items] == [2, 5, 1]
    assert [h.track_id for h in idx.search(q(attributes={"upper_colour": ("red",)})).items] == [1]
    blue = idx.search(q(attributes={"vehicle_colour": ("blue",)}))
    assert [h.track_id for h in blue.items] == [2]
    only_old = q(attributes={"vehicle_colour": ("blue",)}, cameras=frozenset({"old"}))
    assert idx.search(only_old).items == []
    assert [h.track_id for h in idx.search(q(cameras=frozenset({"old"}))).items] == [5]
    assert set(VEHICLE_KEYS) <= set(SCHEMA.names)


def test_the_collector_keeps_what_a_vehicle_attributes_event_says() -> None:
    sink = Rows()
    c = TrackCollector("cam", COCO_CLASSES, sink, ArchiveConfig(end_after_s=1))
    t0 = 1_800_000_000.0
    feed(c, t0, [[(4, 100, 300, "car")], [(4, 110, 300, "car")]])
    attrs = {"vehicle_colour": "grey", "vehicle_type": "car", "vehicle_make": None,
             "vehicle_class": "car", "colour_share": 0.6, "looks": 2}  # fmt: skip
    c.observe([Event(id="v", type="vehicle_attributes", camera_id="cam", ts=DAY, track_id=4,
                     attributes=attrs)])  # fmt: skip
    c.enrich(Frame("cam", 9, 9.0, t0 + 9, IMG), dets())
    ((r, _),) = sink.rows
    assert isinstance(r, TrackRow)
    assert r.attributes == {"vehicle_colour": "grey", "vehicle_type": "car"}


def test_the_api_searches_vehicle_attributes_without_extra_clearance(
    city: City,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    w = TrackIndexWriter(tmp_path / "archive")
    w.add(row("traffic-1", 7, 5000, cls="truck", vehicle_colour="white", vehicle_type="truck"))
    w.add(row("traffic-1", 8, 5100, cls="car", vehicle_colour="red", vehicle_type="car"))
    w.flush()
    r = search(city, "noplate", attr="vehicle_colour:white")  # no plate or face clearance
    assert refs(r) == [("traffic-1", 7)]
    attrs = r.json()["items"][0]["attributes"]
    assert attrs == {"vehicle_colour": "white", "vehicle_type": "truck"}
    assert refs(search(city, "oper", attr=["vehicle_type:car", "vehicle_colour:red"])) == [
        ("traffic-1", 8)
    ]
    info = city.client.get("/api/archive/info", headers=city.h("noplate")).json()
    assert set(VEHICLE_KEYS) <= set(info["attributes"])
