"""Smaller holes closed: refused edits are audited as refused, a camera id of another
agency is not revealed by a conflict, a WebSocket with the session cookie only opens
from this site's pages, and proxy headers count only from configured proxies."""

from __future__ import annotations

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from kuzet.access.model import Role
from kuzet.access.tls import uvicorn_proxy
from kuzet.config.access import AccessConfig

from .conftest import City
from .live_server import live_server


def test_refused_camera_edits_are_audited_as_refused(city: City) -> None:
    city.user("edu-admin", "education", Role.ADMINISTRATOR)
    h = city.h("edu-admin")
    ok = {"id": "school-2", "category": "school", "main_url": "file:s.mp4"}
    assert city.client.post("/api/cameras", json=ok, headers=h).status_code == 201
    moved = {**ok, "category": "traffic"}
    assert city.client.put("/api/cameras/school-2", json=moved, headers=h).status_code == 403
    assert city.client.delete("/api/cameras/traffic-1", headers=h).status_code == 404
    got = {(r["action"], r["outcome"]) for r in city.svc.audit.rows(actor="edu-admin")}
    assert ("camera.create", "ok") in got
    assert ("camera.update", "denied") in got and ("camera.update", "ok") not in got
    assert ("camera.delete", "not_found") in got and ("camera.delete", "ok") not in got
    (update,) = city.svc.audit.rows(action="camera.update")
    assert update["detail"]["status"] == 403


def test_another_agencys_camera_id_is_not_revealed(city: City) -> None:
    city.user("edu-admin", "education", Role.ADMINISTRATOR)
    h = city.h("edu-admin")
    taken = {"id": "traffic-1", "category": "school", "main_url": "file:x.mp4"}
    outside = {"id": "tr-new", "category": "traffic", "main_url": "file:x.mp4"}
    a = city.client.post("/api/cameras", json=taken, headers=h)
    b = city.client.post("/api/cameras", json=outside, headers=h)
    assert a.status_code == b.status_code == 403 and a.json() == b.json()
    assert a.json()["error"] == "camera_refused"
    cam = city.store.get_camera("traffic-1")
    assert cam is not None and cam.category == "traffic"  # untouched
    # a camera the caller can see is an honest conflict
    own = {"id": "school-1", "category": "school", "main_url": "file:x.mp4"}
    assert city.client.post("/api/cameras", json=own, headers=h).status_code == 409


def test_websocket_cookie_only_from_our_own_pages(city: City) -> None:
    token = city.user("opr", "city-police", Role.OPERATOR)
    city.client.cookies.set("kuzet_access", token)
    try:
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            city.client.websocket_connect("/api/ws/events",
                                          headers={"Origin": "https://evil.example"}),
        ):  # fmt: skip
            pass
        assert closed.value.code == 1008
        with city.client.websocket_connect(
            "/api/ws/events", headers={"Origin": "https://testserver"}
        ):
            pass
    finally:
        city.client.cookies.clear()
    # a bearer token is not sent by browsers on their own: any origin may use it
    with city.client.websocket_connect(
        "/api/ws/events", headers={**city.h("opr"), "Origin": "https://evil.example"}
    ):
        pass


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]])
def test_forwarded_for_only_from_configured_proxies(city: City, trusted: list[str]) -> None:
    """The options ``kuzet serve`` gives uvicorn (kuzet.access.tls.uvicorn_proxy)."""
    options = uvicorn_proxy(AccessConfig(trusted_proxies=trusted))
    with live_server(city.app, **options) as base:
        r = httpx.post(base + "/api/auth/login", json={"username": "x", "password": "y"},
                       headers={"X-Forwarded-For": "203.0.113.77"})  # fmt: skip
        assert r.status_code == 401
    (row,) = city.svc.audit.rows(actor="x", action="login")
    assert row["ip"] == ("203.0.113.77" if trusted else "127.0.0.1")
