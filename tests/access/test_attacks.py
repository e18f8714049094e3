"""Attacks tried and refused."""

from __future__ import annotations

import time

import pyotp
import pytest
from httpx import Response
from starlette.websockets import WebSocketDisconnect

from kuzet.access.model import Role

from .conftest import PASSWORD, City


def _login(city: City, user: str, password: str, code: str | None = None) -> Response:
    body = {"username": user, "password": password}
    if code:
        body["totp_code"] = code
    return city.client.post("/api/auth/login", json=body)


def test_password_spraying_from_one_address_is_throttled(city: City) -> None:
    for i in range(20):
        assert _login(city, f"user{i}", "Spring2025!").status_code == 401
    assert _login(city, "someone-new", "Spring2025!").status_code == 429


def test_stolen_access_token_after_logout(city: City) -> None:
    token = city.user("victim", "city-police", Role.INVESTIGATOR)
    h = city.h("victim")
    assert city.client.get("/api/events", headers=h).status_code == 200
    assert city.client.post("/api/auth/logout", headers=h).status_code == 204
    for path in ("/api/events", "/api/events/ev-street-1-4", "/api/auth/me"):
        assert city.client.get(path, headers=h).status_code == 401
    with (
        pytest.raises(WebSocketDisconnect) as exc,
        city.client.websocket_connect("/api/ws/events", headers=h),
    ):
        pass
    assert exc.value.code == 1008
    assert city.svc.authenticate(token) is None


def test_replayed_totp_code_is_refused(city: City) -> None:
    city.user("alice", "city-police", Role.OPERATOR)
    # The helper logged in with the code of the next step; seen on the wire, it is replayed.
    seen = pyotp.TOTP(city.secrets["alice"]).at(time.time() + 30)
    r = _login(city, "alice", PASSWORD, seen)
    assert r.status_code == 401 and r.json()["error"] == "totp_reused"
    # A code of a later step works exactly once.
    later = pyotp.TOTP(city.secrets["alice"]).at(time.time() + 60)
    real = time.time
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(time, "time", lambda: real() + 30)
        assert _login(city, "alice", PASSWORD, later).status_code == 200
        assert _login(city, "alice", PASSWORD, later).status_code == 401


def test_agency_a_token_cannot_read_agency_b_event(city: City) -> None:
    city.user("teacher", "education", Role.OPERATOR)
    city.user("officer", "traffic-police", Role.OPERATOR)
    police_event, school_event = "ev-traffic-1-2", "ev-school-1-0"
    for path in (f"/api/events/{police_event}", f"/api/events/{police_event}/snapshot"):
        assert city.client.get(path, headers=city.h("teacher")).status_code == 404
    for path in (f"/api/events/{school_event}", f"/api/events/{school_event}/snapshot"):
        assert city.client.get(path, headers=city.h("officer")).status_code == 404
    assert (
        city.client.get(f"/api/events/{police_event}", headers=city.h("officer")).status_code == 200
    )


def test_api_key_beyond_its_scope(city: City) -> None:
    key = city.api_key("vms-bridge", "traffic-police", ["events.read"])
    h = {"X-API-Key": key}
    assert city.client.get("/api/events", headers=h).status_code == 200
    for path in ("/api/events/ev-traffic-1-2/snapshot", "/api/cameras", "/metrics", "/api/users",
                 "/api/audit", "/api/auth/me"):  # fmt: skip
        r = city.client.get(path, headers=h)
        assert r.status_code == 403, path
    with (
        pytest.raises(WebSocketDisconnect),
        city.client.websocket_connect("/api/ws/events", headers=h),
    ):
        pass
    # the agency's scope applies to keys too
    assert city.client.get("/api/events/ev-school-1-0", headers=h).status_code == 404
    # a key can never exceed the integration role, even when asked
    from kuzet.access.errors import Invalid

    uid = city.svc.authenticate(key).user_id  # type: ignore[union-attr]
    with pytest.raises(Invalid):
        city.svc.keys.create(None, uid, ["users.write"])
    # rotation: the old key dies, the new one works; revocation kills it
    key_id = city.svc.authenticate(key).api_key_id  # type: ignore[union-attr]
    _, new = city.svc.keys.rotate(None, key_id)  # type: ignore[arg-type]
    assert city.client.get("/api/events", headers=h).status_code == 401
    assert city.client.get("/api/events", headers={"X-API-Key": new}).status_code == 200
    new_id = city.svc.authenticate(new).api_key_id  # type: ignore[union-attr]
    city.svc.keys.revoke(None, new_id)  # type: ignore[arg-type]
    assert city.client.get("/api/events", headers={"X-API-Key": new}).status_code == 401
    # a forged key with a real id and a wrong secret
    forged = new.rsplit("_", 1)[0] + "_" + "A" * 43
    assert city.client.get("/api/events", headers={"X-API-Key": forged}).status_code == 401


def test_cookie_is_not_accepted_for_writes(city: City) -> None:
    """CSRF: a forged cross-site POST carries the cookie but must not act on it."""
    token = city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.client.cookies.set("kuzet_access", token)
    try:
        assert city.client.get("/api/users").status_code == 200
        body = {"id": "evil", "main_url": "file:x.mp4"}
        assert city.client.post("/api/cameras", json=body).status_code == 401
    finally:
        city.client.cookies.clear()
