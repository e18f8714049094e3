"""Issue 12: incidents honour the user's own scope (cameras, categories, districts, event
types) and clearance on every path: queue, detail, steps, statistics, journal, hand-over
and the WebSocket. Watchlist hits are for people with biometric clearance only."""

from __future__ import annotations

import json

from kuzet.access.model import DataClass, Scope

from .conftest import Ops, ev, wait_for

NO_CAMERAS = Scope(camera_ids=frozenset())


def test_an_operator_scoped_to_no_cameras_sees_no_incident(ops: Ops) -> None:
    ops.user("boss", "situation-centre")
    blind = ops.user("blind", "situation-centre", scope=NO_CAMERAS)
    for e in (ev("school-1"), ev("traffic-1")):
        ops.bus.publish(e)
    incs = wait_for(lambda: len(ops.open_incidents("boss")) == 2 and ops.open_incidents("boss"))
    assert ops.open_incidents("blind") == []
    r = ops.client.get("/api/ops/incidents", headers=blind, params={"state": "all"})
    assert r.json() == []
    for inc in incs:
        url = f"/api/ops/incidents/{inc['id']}"
        assert ops.client.get(url, headers=blind).status_code == 404
        r = ops.client.post(f"{url}/steps", headers=blind, json={"action": "note", "note": "x"})
        assert r.status_code == 404
    st = ops.client.get("/api/ops/stats", headers=blind).json()
    assert (st["events"], st["incidents"], st["by_type"]) == (0, 0, {})
    hand = ops.client.get("/api/ops/handover", headers=blind).json()
    assert hand["opened"] == 0 and hand["open"] == []


def test_category_and_type_scopes_filter_rest_and_websocket(ops: Ops) -> None:
    ops.user("boss", "situation-centre")
    traffic_only = ops.user(
        "roads", "situation-centre", scope=Scope(categories=frozenset({"traffic"}))
    )
    fights = ops.user("fights", "situation-centre", scope=Scope(event_types=frozenset({"fight"})))
    with (
        ops.client.websocket_connect("/api/ws/ops", headers=traffic_only) as ws_roads,
        ops.client.websocket_connect("/api/ws/ops", headers=fights) as ws_fights,
    ):
        school = ev("school-1")
        ops.bus.publish(school)
        wait_for(lambda: len(ops.open_incidents("boss")) == 1, what="the school incident")
        road, fight = ev("traffic-1"), ev("traffic-1", type="fight")
        ops.bus.publish(road)
        ops.bus.publish(fight)
        # the school incident was dispatched first: had it leaked, it would arrive first
        got = json.loads(ws_roads.receive_text())["incident"]
        assert got["first_event_id"] == road.id
        assert json.loads(ws_fights.receive_text())["incident"]["first_event_id"] == fight.id
    wait_for(lambda: len(ops.open_incidents("boss")) == 3, what="three incidents")
    assert {i["first_event_id"] for i in ops.open_incidents("roads")} == {road.id, fight.id}
    assert [i["first_event_id"] for i in ops.open_incidents("fights")] == [fight.id]
    assert ops.client.get("/api/ops/stats", headers=fights).json()["by_type"] == {"fight": 1}


def test_watchlist_hits_need_biometric_clearance(ops: Ops) -> None:
    ops.user("boss", "situation-centre")  # platform, but no biometric clearance
    cop = ops.user("cop", "city-police")
    cleared = ops.user(
        "cleared-cop", "city-police", clearances=frozenset({DataClass.VIDEO, DataClass.BIOMETRICS})
    )
    with ops.client.websocket_connect("/api/ws/ops", headers=cop) as ws:
        hit = ev("traffic-1", type="watchlist_hit")
        ops.bus.publish(hit)
        inc = wait_for(
            lambda: ops.client.get("/api/ops/incidents", headers=cleared).json(),
            what="the hit's incident",
        )[0]
        assert inc["type"] == "watchlist_hit" and inc["agency_id"] == "city-police"
        fight = ev("traffic-1", type="fight")  # also city-police's
        ops.bus.publish(fight)
        assert json.loads(ws.receive_text())["incident"]["first_event_id"] == fight.id
    assert [i["type"] for i in ops.open_incidents("cop")] == ["fight"]
    assert [i["type"] for i in ops.open_incidents("boss")] == ["fight"]
    url = f"/api/ops/incidents/{inc['id']}"
    assert ops.client.get(url, headers=cop).status_code == 404
    assert ops.client.get(url, headers=cleared).status_code == 200
    r = ops.client.post(f"{url}/steps", headers=cop, json={"action": "acknowledge"})
    assert r.status_code == 404
    assert ops.client.get("/api/ops/stats", headers=cop).json()["by_type"] == {"fight": 1}
