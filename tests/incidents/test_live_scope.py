"""Over the WebSocket an agency's operator gets its own incidents and never another's;
the bundle served is the one built from the sources in the tree."""

from __future__ import annotations

import json

from kuzet.ui import DIST, sources_hash

from .conftest import Ops, ev, wait_for


def test_ws_sends_each_agency_only_its_incidents(ops: Ops) -> None:
    ops.user("boss", "situation-centre")
    ops.user("edu-op", "education")
    ops.user("traffic-op", "traffic-police")
    with (
        ops.client.websocket_connect("/api/ws/ops", headers=ops.h("edu-op")) as edu,
        ops.client.websocket_connect("/api/ws/ops", headers=ops.h("traffic-op")) as traffic,
        ops.client.websocket_connect("/api/ws/ops", headers=ops.h("boss")) as boss,
    ):
        foreign = [ev("traffic-1"), ev("traffic-1", type="fight")]  # traffic, police
        for e in foreign:
            ops.bus.publish(e)
        wait_for(lambda: len(ops.open_incidents("boss")) == 2, what="foreign incidents")
        own = ev("school-1")
        ops.bus.publish(own)
        first = json.loads(edu.receive_text())  # anything foreign would arrive before this
        assert first["incident"]["first_event_id"] == own.id
        assert first["incident"]["agency_id"] == "education"
        got = json.loads(traffic.receive_text())["incident"]
        assert (got["first_event_id"], got["agency_id"]) == (foreign[0].id, "traffic-police")
        seen = {json.loads(boss.receive_text())["incident"]["first_event_id"] for _ in range(3)}
        assert seen == {foreign[0].id, foreign[1].id, own.id}  # the platform sees all


def test_ws_refuses_roles_without_live_access(ops: Ops) -> None:
    from starlette.websockets import WebSocketDisconnect

    from kuzet.access.model import Role

    ops.user("auditor1", "situation-centre", Role.AUDITOR)
    try:
        with ops.client.websocket_connect("/api/ws/ops", headers=ops.h("auditor1")):
            raise AssertionError("an auditor must not watch incidents")
    except WebSocketDisconnect as exc:
        assert exc.code == 1008


def test_ui_is_served_and_current(ops: Ops) -> None:
    manifest = json.loads((DIST / "manifest.json").read_text())
    assert manifest["sources"] == sources_hash(), "run `kuzet ui build`: dist/ is stale"
    page = ops.client.get("/ui/")
    assert page.status_code == 200 and "/ui/app.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert ops.client.get("/ui/app.js").headers["content-type"].startswith("text/javascript")
    escape = ops.client.get("/ui/..%2F..%2Fservice.py")  # decoded to ../../service.py
    assert "composition root" not in escape.text and escape.text == page.text
    assert "http://" not in (DIST / "index.html").read_text()  # nothing remote to load
    assert ops.client.get("/", follow_redirects=False).headers["location"] == "/ui/"
