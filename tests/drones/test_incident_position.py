"""A drone has no fixed place: its events' incidents go on the map where the event says
the object is (the flat-ground position), not at the camera's (absent) place."""

from __future__ import annotations

from tests.incidents.conftest import Ops, ev, ops, wait_for  # noqa: F401  (the fixture)

from kuzet.core.records import CameraInfo


def test_drone_incident_takes_the_event_position(ops: Ops) -> None:  # noqa: F811
    ops.store.upsert_camera(CameraInfo(id="drone-1", name="M30", category="public_safety",
                                       district="Medeu", main_url="file:d.mp4"))  # fmt: skip
    ops.user("duty", "situation-centre")
    attrs = {"drone": True, "lat": 43.2391, "lon": 76.8901, "projection": "flat_ground"}
    ops.bus.publish(ev("drone-1", "drone_detection", phase="instant", attributes=attrs))
    (inc,) = wait_for(lambda: ops.open_incidents("duty"), what="the incident")
    assert (inc["latitude"], inc["longitude"]) == (43.2391, 76.8901)
    # a fixed camera keeps its own place whatever an event carries
    ops.bus.publish(ev("school-1", "intrusion", attributes={"lat": 1.0, "lon": 2.0}))
    got = wait_for(lambda: [i for i in ops.open_incidents("duty") if i["camera_id"] == "school-1"])
    assert (got[0]["latitude"], got[0]["longitude"]) == (43.2205, 76.9089)
