"""Real footage end to end: the real pipeline (NanoDet, ByteTrack, enricher plugins)
over vtest.avi names the parked van's colour, and the track index finds it by colour.

Known by eye (tests/vehicles/data/colours.json): a white van is parked at about box
(651, 43, 724, 98) for the whole recording (NanoDet calls it "truck"); a second vehicle
is cut by the right edge at about x 733..768 (its colour cannot be told by eye).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kuzet.archive import TrackIndex, TrackQuery
from kuzet.config import CameraConfig, NanoDetConfig, SiteConfig
from kuzet.config.archive import ArchiveConfig
from kuzet.config.vehicles import VehiclesConfig
from kuzet.core import Event
from kuzet.pipeline.enrichers import Enrichment
from kuzet.pipeline.node import Node
from kuzet.vision import create_detector

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
VAN = (651, 43, 724, 98)


def overlaps(box: tuple[float, ...], ref: tuple[float, ...]) -> bool:
    ix = max(0.0, min(box[2], ref[2]) - max(box[0], ref[0]))
    iy = max(0.0, min(box[3], ref[3]) - max(box[1], ref[1]))
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1]) + (ref[2] - ref[0]) * (ref[3] - ref[1])
    return inter / (area - inter) > 0.5


def test_the_parked_van_is_white_in_events_and_in_the_index(
    vtest_path: Path, tmp_path: Path
) -> None:
    site = SiteConfig(
        data_dir=tmp_path,
        detector=NanoDetConfig(threads=1),
        archive=ArchiveConfig(classes=["car", "truck", "bus"]),
        vehicles=VehiclesConfig(enabled=True),
        cameras=[CameraConfig(id="vtest", main_url=str(vtest_path), fps=2.0)],
    )
    enrichment = Enrichment(site, engine=None)  # type: ignore[arg-type]  # no plugin here needs it
    assert enrichment.enabled == ["archive", "vehicles"]
    events: list[Event] = []
    node = Node(site, create_detector(site.detector), events.append, realtime=False,
                enrichers_for=lambda cam: enrichment.for_camera(cam, None),
                media_origin=T0.timestamp())  # fmt: skip
    node.start()
    try:
        assert node.wait(300)
    finally:
        node.stop()
    enrichment.close()
    found = [e for e in events if e.type == "vehicle_attributes"]
    vans = [e for e in found if e.box is not None and overlaps(e.box, VAN)]
    assert vans, [(e.box, e.attributes) for e in found]
    assert len({e.track_id for e in found}) == len(found)  # one event per track
    for e in vans:
        assert e.attributes["vehicle_colour"] == "white"
        assert e.attributes["vehicle_type"] in ("truck", "car")  # the detector's class
        assert e.attributes["looks"] == 5 and "vehicle_make" not in e.attributes  # no slot
    index = TrackIndex(site.archive.root(tmp_path))
    page = index.search(TrackQuery(since=T0, until=T0 + timedelta(minutes=2),
                                   attributes={"vehicle_colour": ("white",)}))  # fmt: skip
    assert {h.track_id for h in page.items} >= {e.track_id for e in vans}
    assert all(h.attributes["vehicle_type"] in ("truck", "car") for h in page.items)
