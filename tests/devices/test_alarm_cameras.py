"""An SOS press or a fire alarm becomes an incident of the right agency that carries the
pictures of the cameras that see the place, holds their video, and is seen by nobody else.

The device events are put on the in-process bus as the gateway will publish them (the
team's contract), with a test double of the device registry: GATE's gateway and registry
are written in parallel and joined at merge. Pictures come from the real frame tap, fed
with a real photograph (bus.jpg) at 5 frames/s the way the detector thread feeds it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.devices.respond_support import DEVICES, City, Feeder, device_event, make_city
from tests.incidents.conftest import wait_for

from kuzet.access.model import DataClass, Role

SOS, FIRE = DEVICES[0], DEVICES[1]
CLEARED = frozenset({DataClass.VIDEO, DataClass.BIOMETRICS})


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    yield from make_city(tmp_path)


def _cameras(city: City, who: str, incident_id: str) -> list[dict[str, object]]:
    r = city.client.get(f"/api/ops/incidents/{incident_id}/cameras", headers=city.h(who))
    assert r.status_code == 200, r.text
    out: list[dict[str, object]] = r.json()
    return out


def test_sos_press_opens_the_linked_cameras_for_the_police_only(city: City) -> None:
    police = city.user("police-op", "city-police", clearances=CLEARED)
    emergency = city.user("dchs-op", "emergency", clearances=CLEARED)
    education = city.user("edu-op", "education", clearances=CLEARED)
    with Feeder(city.tap, ["cam-a", "cam-b"]):
        press = device_event(SOS, "sos", "press-0001")
        city.bus.publish(press)
        inc = wait_for(lambda: next(iter(city.incidents("police-op")), None), what="incident")
        cams = wait_for(lambda: _cameras(city, "police-op", inc["id"]), what="the cameras")
    # routed as the routing rules say: an SOS is the city police's, high priority
    assert (inc["type"], inc["agency_id"], inc["priority"]) == ("sos", "city-police", 1)
    assert inc["camera_id"] == "sos-1" and inc["camera_name"] == "SOS Abai square"
    assert (inc["latitude"], inc["longitude"]) == (
        SOS.latitude,
        SOS.longitude,
    )  # on the map at the button
    assert [c["camera_id"] for c in cams] == ["cam-a", "cam-b"]
    for c in cams:
        assert c["linked"] and c["held"] and c["picture"] == "live"
        # the picture shows the place within 2 s of the press (its frame time, not a clock)
        shot = datetime.fromisoformat(str(c["frame_ts"]))
        assert abs((shot - press.ts).total_seconds()) <= 2.0
        jpeg = city.client.get(str(c["snapshot"]), headers=police)
        assert jpeg.status_code == 200 and jpeg.headers["content-type"] == "image/jpeg"
        img = cv2.imdecode(np.frombuffer(jpeg.content, np.uint8), cv2.IMREAD_COLOR)
        assert img.shape[1] == 640  # the tap's frame of bus.jpg (810 px wide), downscaled
    # the operator's screen is told: a timeline entry naming the cameras, pushed to cards
    detail = city.client.get(f"/api/ops/incidents/{inc['id']}", headers=police).json()
    entry = next(e for e in detail["log"] if e["action"] == "cameras")
    assert entry["detail"]["cameras"] == ["cam-a", "cam-b"]
    # the recorded video of both cameras is held for the incident
    for cam in ("cam-a", "cam-b"):
        (hold,) = city.holds.active(cam, at=press.ts)
        assert (hold.kind, hold.ref) == ("incident", inc["id"])
    assert city.holds.active("cam-c", at=press.ts) == []
    # nobody else sees it: not in their queue, no cameras, no pictures
    for who, h in (("dchs-op", emergency), ("edu-op", education)):
        assert city.incidents(who) == []
        r = city.client.get(f"/api/ops/incidents/{inc['id']}/cameras", headers=h)
        assert r.status_code == 404
        assert city.client.get(str(cams[0]["snapshot"]), headers=h).status_code == 404
    actions = [r["action"] for r in city.svc.audit.rows()]
    assert actions.count("device.alarm.cameras") == 1 and "incident.create" in actions


def test_a_redelivered_press_makes_nothing_twice(city: City) -> None:
    city.user("police-op", "city-police", clearances=CLEARED)
    with Feeder(city.tap, ["cam-a", "cam-b"]):
        city.bus.publish(device_event(SOS, "sos", "press-0002"))
        inc = wait_for(lambda: next(iter(city.incidents("police-op")), None), what="incident")
        wait_for(lambda: city.devices.correlator.done == 1, what="the cameras")
        city.bus.publish(device_event(SOS, "sos", "press-0002"))  # the broker redelivers it
        city.bus.publish(device_event(SOS, "sos", "press-0003"))  # a second press joins
        wait_for(lambda: city.incidents("police-op")[0]["event_count"] == 2, what="grouping")
    assert [i["id"] for i in city.incidents("police-op")] == [inc["id"]]
    assert city.devices.correlator.done == 1
    assert len(_cameras(city, "police-op", inc["id"])) == 2


def test_fire_alarm_without_links_takes_the_nearest_cameras_for_dchs(city: City) -> None:
    city.user("dchs-op", "emergency", clearances=CLEARED)
    city.user("police-op", "city-police", clearances=CLEARED)
    uncleared = city.user("dchs-plain", "emergency", role=Role.OPERATOR)
    with Feeder(city.tap, ["cam-c"]):  # cam-d has no picture at all
        city.bus.publish(device_event(FIRE, "fire_alarm", "zone-3-alarm"))
        inc = wait_for(lambda: next(iter(city.incidents("dchs-op")), None), what="incident")
        cams = wait_for(lambda: _cameras(city, "dchs-op", inc["id"]), what="the cameras")
    assert (inc["type"], inc["agency_id"], inc["priority"]) == ("fire_alarm", "emergency", 1)
    # nearest first, within 500 m: cam-c (~3 m), cam-d (~90 m); the others are km away
    assert [c["camera_id"] for c in cams] == ["cam-c", "cam-d"]
    assert [c["linked"] for c in cams] == [False, False]
    d = [float(str(c["distance_m"])) for c in cams]
    assert 0 < d[0] < 10 and 80 < d[1] < 100
    # a camera without any picture says so rather than showing nothing silently
    assert [c["picture"] for c in cams] == ["live", "none"] and cams[1]["snapshot"] is None
    assert city.incidents("police-op") == []
    # without biometric clearance and without a face detector: no picture (fail closed)
    r = city.client.get(str(cams[0]["snapshot"]), headers=uncleared)
    assert r.status_code == 503 and r.json()["error"] == "anonymisation_unavailable"
