"""Average speed between two cameras matched by plate, with known (synthetic) timing."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from kuzet.access.model import DataClass, Principal, Role, Scope
from kuzet.access.scope import event_view
from kuzet.config.models import SiteConfig
from kuzet.config.section import SectionConfig
from kuzet.core import Event, event_id
from kuzet.events.memory import MemoryBus
from kuzet.rules.section import SectionControl, measure
from kuzet.rules.section_consumer import GROUP, SectionConsumer

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SECTION = {
    "name": "al-farabi-east",
    "from_camera": "cam-a",
    "to_camera": "cam-b",
    "distance_m": 2000.0,
    "distance_error_m": 20.0,
    "limit_kmh": 60.0,
    "clock_error_s": 0.5,
    "read_jitter_s": 0.3,
    "max_travel_s": 600.0,
}


def read(camera: str, plate: str, at_s: float, track: int = 1, cls: str = "car") -> Event:
    """A plate_read as the plates contract describes it."""
    return Event(
        id=event_id(camera, "plate_read", track, at_s),
        type="plate_read",
        camera_id=camera,
        ts=T0 + timedelta(seconds=at_s),
        track_id=track,
        class_name=cls,
        box=(1.0, 2.0, 3.0, 4.0),
        snapshot=f"snap/{camera}/{track}.jpg",
        attributes={"plate": plate, "plate_display": plate, "vehicle_class": cls,
                    "plate_confidence": 0.93},
    )  # fmt: skip


def control(**kw: object) -> SectionControl:
    return SectionControl([SectionConfig.model_validate({**SECTION, **kw})])


def test_speed_and_uncertainty_from_known_timing() -> None:
    sc = control()
    a, b = read("cam-a", "123ABC02", 0.0, 7), read("cam-b", "123ABC02", 90.0, 9)
    assert sc.feed(a) == []
    (ev,) = sc.feed(b)
    # 2000 m in 90 s = 80 km/h; u_t = sqrt(2*0.5^2 + 2*0.3^2) = 0.825 s; u_d/d = 1 %
    u_t = math.sqrt(2 * 0.5**2 + 2 * 0.3**2)
    rel = math.hypot(20.0 / 2000.0, u_t / 90.0)
    at = ev.attributes
    assert at["speed_kmh"] == 80.0
    assert at["speed_uncertainty_kmh"] == round(2 * 80.0 * rel, 1) == 2.2
    assert ev.type == "average_speed" and at["violation"] is True and at["limit_kmh"] == 60.0
    assert (at["from_camera"], at["to_camera"], at["distance_m"]) == ("cam-a", "cam-b", 2000.0)
    assert (at["from_event_id"], at["to_event_id"]) == (a.id, b.id)
    assert at["t_from"] == a.ts.isoformat() and at["t_to"] == b.ts.isoformat()
    assert at["plate"] == "123ABC02" and at["vehicle_class"] == "car"
    assert at["calibration"]["distance_m"] == 2000.0
    assert (ev.camera_id, ev.track_id, ev.snapshot, ev.box) == ("cam-b", 9, b.snapshot, b.box)
    assert ev.id == event_id("al-farabi-east", "average_speed", a.id, b.id)
    assert sc.pending == 0


def test_under_the_limit_and_other_plates_are_not_violations() -> None:
    sc = control()
    assert sc.feed(read("cam-a", "111AAA01", 0.0)) == []
    assert sc.feed(read("cam-a", "222BBB02", 1.0, 2)) == []
    assert sc.feed(read("cam-b", "111AAA01", 150.0)) == []  # 48 km/h
    assert sc.feed(read("cam-b", "333CCC03", 60.0, 3)) == []  # never seen at the start
    assert sc.pending == 2  # 222BBB02 waiting at A, 333CCC03 waiting at B


def test_reads_in_either_order_and_redelivery_gives_one_event() -> None:
    sc = control()
    a, b = read("cam-a", "777KZ02", 0.0), read("cam-b", "777KZ02", 100.0)
    assert sc.feed(b) == []  # B's event came through the bus first
    first = sc.feed(a)
    assert [e.attributes["speed_kmh"] for e in first] == [72.0]
    assert sc.feed(a) == [] and sc.feed(b) == []  # redelivered: already used
    again = control()
    again.feed(a)
    assert [e.id for e in again.feed(b)] == [first[0].id]  # deterministic id


def test_latest_start_before_the_end_is_paired() -> None:
    sc = control()
    sc.feed(read("cam-a", "555XYZ05", 0.0, 1))
    sc.feed(read("cam-a", "555XYZ05", 300.0, 2))  # the same car passed A again later
    (ev,) = sc.feed(read("cam-b", "555XYZ05", 400.0, 3))
    assert ev.attributes["from_track_id"] == 2 and ev.attributes["speed_kmh"] == 72.0


def test_beyond_uncertainty_and_class_filter() -> None:
    # 2000 m in 119 s = 60.5 km/h: over 60 by less than its uncertainty (2.0 km/h)
    assert control().feed(read("cam-a", "P", 0.0)) == []
    sc = control(beyond_uncertainty=True, read_jitter_s=1.0)
    sc.feed(read("cam-a", "P", 0.0))
    assert sc.feed(read("cam-b", "P", 119.0)) == []
    plain = control(read_jitter_s=1.0)
    plain.feed(read("cam-a", "P", 0.0))
    assert len(plain.feed(read("cam-b", "P", 119.0))) == 1
    buses = control(classes=["bus"])
    buses.feed(read("cam-a", "Q", 0.0))
    assert buses.feed(read("cam-b", "Q", 60.0)) == []  # a car: not watched


def test_state_is_bounded_by_travel_time_and_count() -> None:
    sc = control(max_travel_s=600.0)
    sc.feed(read("cam-a", "OLD", 0.0))
    sc.feed(read("cam-a", "NEW", 650.0, 2))  # event time moved on past max_travel_s
    assert sc.pending == 1
    assert sc.feed(read("cam-b", "OLD", 660.0, 3)) == []  # forgotten, not a 10-minute pass
    small = SectionControl([SectionConfig.model_validate(SECTION)], max_pending=100)
    for i in range(1000):
        small.feed(read("cam-a", f"{i:03d}AAA01", i * 0.01, i))
    assert small.pending <= 100


def test_measure_is_distance_over_time() -> None:
    sec = SectionConfig.model_validate(SECTION)
    m = measure(sec, 10.0, 130.0)
    assert m.travel_s == 120.0 and m.speed_kmh == pytest.approx(60.0)


def test_consumer_on_the_bus_publishes_average_speed() -> None:
    bus = MemoryBus(durable_groups=["store", GROUP])
    sc = SectionConsumer(control(), bus).start()
    store = bus.subscribe("store")
    try:
        bus.publish(read("cam-a", "123ABC02", 0.0))
        bus.publish(read("cam-b", "123ABC02", 90.0, 2))
        got: list[Event] = []
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and not any(e.type == "average_speed" for e in got):
            ds = store.fetch(10, 0.2)
            got += [d.event for d in ds]
            store.ack(ds)
        assert [e.attributes["speed_kmh"] for e in got if e.type == "average_speed"] == [80.0]
        assert bus.stats()[GROUP]["redeliveries"] == 0
    finally:
        sc.stop()
        bus.close()


def test_section_config_errors() -> None:
    with pytest.raises(ValidationError, match="to_camera: must differ from from_camera"):
        SectionConfig.model_validate({**SECTION, "to_camera": "cam-a"})
    with pytest.raises(ValidationError, match="distance_m"):
        SectionConfig.model_validate({**SECTION, "distance_m": 0})
    cams = [{"id": "cam-a", "main_url": "rtsp://a/1"}]
    with pytest.raises(ValidationError, match=r"sections\[0\] \(al-farabi-east\)\.to_camera: "
                                              r"no camera with id 'cam-b'"):  # fmt: skip
        SiteConfig.model_validate({"cameras": cams, "sections": [SECTION]})


def test_the_plate_is_hidden_from_a_viewer_without_plate_clearance() -> None:
    sc = control()
    sc.feed(read("cam-a", "123ABC02", 0.0))
    (ev,) = sc.feed(read("cam-b", "123ABC02", 90.0))

    def who(clearances: frozenset[DataClass]) -> Principal:
        return Principal("u", "u", "police", Role.OPERATOR, frozenset(), Scope(), clearances)

    seen = event_view(who(frozenset({DataClass.VIDEO})), ev)
    assert seen is not None and "123ABC02" not in seen.model_dump_json()
    assert seen.attributes["speed_kmh"] == 80.0  # the violation itself stays visible
    cleared = event_view(who(frozenset({DataClass.VIDEO, DataClass.PLATES})), ev)
    assert cleared is not None and cleared.attributes["plate"] == "123ABC02"
