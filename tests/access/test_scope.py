"""Each scope (agency, category, camera group, district, event type, data class) hides
what it must in lists, single reads, searches and the live stream."""

from __future__ import annotations

from typing import Any

from kuzet.access.model import DataClass, Role, Scope

from .conftest import City, event


def _events(city: City, who: str, **params: Any) -> list[str]:
    r = city.client.get("/api/events", params={"limit": 1000, **params}, headers=city.h(who))
    assert r.status_code == 200, r.text
    return sorted(e["id"] for e in r.json()["items"])


def _cameras(city: City, who: str) -> list[str]:
    r = city.client.get("/api/cameras", headers=city.h(who))
    assert r.status_code == 200, r.text
    return sorted(c["id"] for c in r.json())


def test_education_operator_sees_schools_and_kindergartens_only(city: City) -> None:
    city.user("edu", "education", Role.OPERATOR)
    assert _cameras(city, "edu") == ["kg-1", "school-1"]
    assert _events(city, "edu") == ["ev-kg-1-1", "ev-school-1-0"]
    # asking for another agency's camera explicitly gives nothing, not an error
    assert _events(city, "edu", camera_id="traffic-1,school-1") == ["ev-school-1-0"]
    for path in ("/api/cameras/traffic-1", "/api/events/ev-traffic-1-2",
                 "/api/events/ev-traffic-1-2/snapshot"):  # fmt: skip
        r = city.client.get(path, headers=city.h("edu"))
        assert r.status_code == 404, path  # not 403: ids of others cannot be probed
    assert city.client.get("/api/cameras/school-1", headers=city.h("edu")).status_code == 200


def test_district_and_camera_group_narrow_the_agency(city: City) -> None:
    city.user("medeu", "traffic-police", Role.OPERATOR, scope=Scope(districts=frozenset({"Medeu"})))
    assert _cameras(city, "medeu") == ["street-1", "traffic-1"]
    city.user("grp", "city-police", Role.OPERATOR, scope=Scope(camera_ids=frozenset({"kg-1"})))
    assert _cameras(city, "grp") == ["kg-1"]
    assert _events(city, "grp") == ["ev-kg-1-1"]
    # a user scope can never widen the agency's: education + traffic camera = nothing
    city.user("wide", "education", Role.OPERATOR, scope=Scope(categories=frozenset({"traffic"})))
    assert _cameras(city, "wide") == [] and _events(city, "wide") == []


def test_event_type_scope(city: City) -> None:
    city.user("zones", "city-police", Role.INVESTIGATOR,
              scope=Scope(event_types=frozenset({"plate_read"})))  # fmt: skip
    assert _events(city, "zones") == ["ev-traffic-1-10"]
    assert _events(city, "zones", type="zone_presence") == []
    r = city.client.get("/api/events/ev-school-1-0", headers=city.h("zones"))
    assert r.status_code == 404


def test_data_classes_hide_faces_and_plates(city: City) -> None:
    city.user("opr", "city-police", Role.OPERATOR)  # video only
    city.user("invx", "city-police", Role.INVESTIGATOR)  # video, biometrics, plates
    city.user("anax", "city-police", Role.ANALYST)  # no data class
    op = _events(city, "opr")
    assert "ev-street-1-11" not in op and "ev-traffic-1-10" not in op  # face match, plate read
    assert {"ev-street-1-11", "ev-traffic-1-10"} <= set(_events(city, "invx"))
    got = city.client.get("/api/events/ev-traffic-1-12", headers=city.h("opr")).json()
    assert got["attributes"] == {"zone": "x"}  # plate number removed
    got = city.client.get("/api/events/ev-traffic-1-12", headers=city.h("invx")).json()
    assert got["attributes"]["plate"] == "777KZ02"
    assert city.client.get("/api/events/ev-street-1-11", headers=city.h("opr")).status_code == 404
    # analysts see events but no pictures: the key is hidden and the route refused
    ana = city.client.get("/api/events/ev-school-1-0", headers=city.h("anax")).json()
    assert ana["snapshot"] is None
    r = city.client.get("/api/events/ev-school-1-0/snapshot", headers=city.h("anax"))
    assert r.status_code == 403


def test_clearance_can_be_withdrawn_per_user(city: City) -> None:
    city.user("inv2", "city-police", Role.INVESTIGATOR, clearances=frozenset({DataClass.VIDEO}))
    assert "ev-street-1-11" not in _events(city, "inv2")


def test_live_stream_is_filtered_per_user(city: City) -> None:
    city.user("edu", "education", Role.OPERATOR)
    city.user("invx", "city-police", Role.INVESTIGATOR)
    with (
        city.client.websocket_connect("/api/ws/events", headers=city.h("edu")) as edu,
        city.client.websocket_connect("/api/ws/events", headers=city.h("invx")) as inv,
    ):
        city.bus.publish(event(100, "traffic-1", "plate_read", attributes={"plate": "1"}))
        city.bus.publish(event(101, "street-1", "face_match"))
        city.bus.publish(event(102, "traffic-1", attributes={"plate": "9", "zone": "z"}))
        city.bus.publish(event(103, "school-1"))
        assert edu.receive_json()["id"] == "ev-school-1-103"  # 100..102 never reached it
        got = [inv.receive_json() for _ in range(4)]
        assert [e["id"] for e in got] == ["ev-traffic-1-100", "ev-street-1-101",
                                          "ev-traffic-1-102", "ev-school-1-103"]  # fmt: skip
    city.user("opr", "city-police", Role.OPERATOR)
    with city.client.websocket_connect("/api/ws/events", headers=city.h("opr")) as op:
        city.bus.publish(event(104, "street-1", "face_match"))
        city.bus.publish(event(105, "traffic-1", attributes={"plate": "9", "zone": "z"}))
        got = op.receive_json()
        assert got["id"] == "ev-traffic-1-105" and got["attributes"] == {"zone": "z"}


def test_websocket_with_cookie_and_without_credentials(city: City) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as exc, city.client.websocket_connect("/api/ws/events"):
        pass
    assert exc.value.code == 1008
    token = city.user("edu", "education", Role.OPERATOR)
    city.client.cookies.set("kuzet_access", token)
    try:
        with city.client.websocket_connect("/api/ws/events") as ws:
            city.bus.publish(event(200, "kg-1"))
            assert ws.receive_json()["id"] == "ev-kg-1-200"
    finally:
        city.client.cookies.clear()


def test_camera_writes_stay_in_scope(city: City) -> None:
    city.user("edu-admin", "education", Role.ADMINISTRATOR)
    h = city.h("edu-admin")
    ok = {"id": "school-2", "category": "school", "main_url": "file:s.mp4"}
    assert city.client.post("/api/cameras", json=ok, headers=h).status_code == 201
    bad = {"id": "tr-9", "category": "traffic", "main_url": "file:t.mp4"}
    assert city.client.post("/api/cameras", json=bad, headers=h).status_code == 403
    moved = {**ok, "category": "traffic"}
    assert city.client.put("/api/cameras/school-2", json=moved, headers=h).status_code == 403
    assert city.client.delete("/api/cameras/traffic-1", headers=h).status_code == 404
    assert city.store.get_camera("traffic-1") is not None


def test_open_streams_close_after_logout(city: City, monkeypatch: Any) -> None:
    """A WebSocket stays open for hours; logout (or revocation) must end it too."""
    import time

    import pytest
    from starlette.websockets import WebSocketDisconnect

    from kuzet.api import stream

    monkeypatch.setattr(stream, "RECHECK_S", 0.05)
    city.user("leaver", "city-police", Role.INVESTIGATOR)
    city.user("stayer", "city-police", Role.INVESTIGATOR)
    with (
        city.client.websocket_connect("/api/ws/events", headers=city.h("leaver")) as gone,
        city.client.websocket_connect("/api/ws/events", headers=city.h("stayer")) as kept,
    ):
        city.bus.publish(event(200, "street-1"))
        assert gone.receive_json()["id"] == kept.receive_json()["id"] == "ev-street-1-200"
        assert city.client.post("/api/auth/logout", headers=city.h("leaver")).status_code == 204
        time.sleep(0.3)  # a few re-checks
        city.bus.publish(event(201, "street-1"))  # a stream left open would get this
        with pytest.raises(WebSocketDisconnect) as closed:
            gone.receive_json()
        assert closed.value.code == 1008
        assert kept.receive_json()["id"] == "ev-street-1-201"  # the other session goes on
