"""Separation of duties: an administrator ("no video") cannot give himself video or faces
through any path that makes principals or keys (create, change, reset, key, rotation);
what he asks beyond his own clearances waits for a second, independent person."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from kuzet.access.model import DataClass, Role

from .conftest import PASSWORD, City

SNAPSHOT = "/api/events/ev-street-1-4/snapshot"
FACE_KEY = ["cameras.read", "snapshots.read", "watchlists.read", "faces.search"]


def _post(city: City, who: str, path: str, body: Any = None) -> dict[str, Any]:
    r = city.client.post(path, json=body, headers=city.h(who))
    assert r.status_code < 300, r.text
    return dict(r.json())


def _enrol(city: City, name: str, otp: str) -> None:
    """First login of an account made through the API, as its holder does it."""
    p = city.svc.authenticate(city.svc.sessions.login(name, otp).access_token)
    assert p is not None
    secret = city.svc.accounts.enrol_totp(p).secret
    city.svc.accounts.confirm_totp(p, pyotp.TOTP(secret).now(), PASSWORD)
    full = city.svc.sessions.login(
        name, PASSWORD, totp_code=pyotp.TOTP(secret).at(time.time() + 30)
    )
    city.tokens[name] = full.access_token


def _bridge(city: City) -> tuple[dict[str, Any], dict[str, Any]]:
    """The finding: an integration account with biometric clearance, and a key."""
    user = _post(city, "adm", "/api/users", {"username": "bridge", "agency_id": "city-police",
                 "role": "integration", "clearances": ["video", "biometrics"]})  # fmt: skip
    key = _post(city, "adm", f"/api/users/{user['id']}/api-keys", {"permissions": FACE_KEY})
    return user, key


def test_an_administrator_cannot_give_himself_video_and_faces(city: City) -> None:
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    user, key = _bridge(city)
    assert user["clearances"] == [] and user["pending_grant"]["clearances"] == [
        "biometrics", "video"]  # fmt: skip
    assert key["permissions"] == ["cameras.read", "snapshots.read"]
    assert key["pending_grant"]["permissions"] == ["faces.search", "watchlists.read"]
    h = {"X-API-Key": key["key"]}
    assert city.client.get(SNAPSHOT, headers=h).status_code == 404  # no video: no picture
    assert city.client.get("/api/watchlists", headers=h).status_code == 403
    # nor through his own account
    me = city.svc.authenticate(city.tokens["adm"])
    assert me is not None
    r = city.client.patch(f"/api/users/{me.user_id}", json={"clearances": ["biometrics"]},
                          headers=city.h("adm"))  # fmt: skip
    assert r.status_code == 200 and r.json()["clearances"] == []
    assert r.json()["pending_grant"]["clearances"] == ["biometrics"]


def test_a_supervisor_approves_then_it_applies(city: City) -> None:
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("sup", "city-police", Role.SUPERVISOR)  # made from the shell
    user, key = _bridge(city)
    pending = city.client.get("/api/grants", headers=city.h("sup")).json()
    assert {g["id"] for g in pending} == {user["pending_grant"]["id"], key["pending_grant"]["id"]}
    for g in pending:
        assert _post(city, "sup", f"/api/grants/{g['id']}/approve")["status"] == "approved"
    h = {"X-API-Key": key["key"]}
    assert city.client.get("/api/watchlists", headers=h).status_code == 200
    assert city.client.get(SNAPSHOT, headers=h).status_code == 200
    assert [a["actor"] for a in city.svc.audit.rows(action="grant.approve")] == ["sup", "sup"]
    # a decided request is decided
    r = city.client.post(f"/api/grants/{pending[0]['id']}/reject", headers=city.h("sup"))
    assert r.status_code == 422


def test_no_sock_puppet_approves(city: City) -> None:
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    user, _ = _bridge(city)
    grant = user["pending_grant"]["id"]
    # a supervisor the administrator made himself (he knew its first password)
    made = _post(city, "adm", "/api/users", {"username": "puppet", "agency_id": "city-police",
                                             "role": "supervisor"})  # fmt: skip
    _enrol(city, "puppet", made["one_time_password"])
    r = city.client.post(f"/api/grants/{grant}/approve", headers=city.h("puppet"))
    assert r.status_code == 403 and r.json()["error"] == "approver_not_independent"
    # ... nor one made by an administrator he made
    adm2 = _post(city, "adm", "/api/users", {"username": "adm2", "agency_id": "situation-centre",
                                             "role": "administrator"})  # fmt: skip
    _enrol(city, "adm2", adm2["one_time_password"])
    made = _post(city, "adm2", "/api/users", {"username": "puppet2", "agency_id": "city-police",
                                              "role": "supervisor"})  # fmt: skip
    _enrol(city, "puppet2", made["one_time_password"])
    r = city.client.post(f"/api/grants/{grant}/approve", headers=city.h("puppet2"))
    assert r.status_code == 403 and r.json()["error"] == "approver_not_independent"
    # and nobody approves their own request: the puppet's clearances wait as well
    own = next(g for g in city.client.get("/api/grants", headers=city.h("puppet")).json()
               if g["username"] == "puppet")  # fmt: skip
    r = city.client.post(f"/api/grants/{own['id']}/approve", headers=city.h("puppet"))
    assert r.status_code == 403


def test_a_password_reset_suspends_what_the_resetter_does_not_hold(city: City) -> None:
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("inv", "city-police", Role.INVESTIGATOR)  # biometrics, from the shell
    inv = city.svc.authenticate(city.tokens["inv"])
    assert inv is not None and inv.cleared(DataClass.BIOMETRICS)
    r = _post(city, "adm", f"/api/users/{inv.user_id}/reset")
    assert r["clearances"] == [] and r["pending_grant"]["why"] == "user.reset"
    assert r["pending_grant"]["clearances"] == ["biometrics", "plates", "video"]
    _enrol(city, "inv", r["one_time_password"])  # what the administrator could do now
    me = city.client.get("/api/auth/me", headers=city.h("inv")).json()
    assert me["clearances"] == []
    assert city.client.get("/api/watchlists", headers=city.h("inv")).status_code == 403


def test_a_rotated_key_needs_its_face_permissions_approved_again(city: City) -> None:
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("sup", "city-police", Role.SUPERVISOR)
    _, key = _bridge(city)
    for g in city.client.get("/api/grants", headers=city.h("sup")).json():
        _post(city, "sup", f"/api/grants/{g['id']}/approve")
    rotated = _post(city, "adm", f"/api/api-keys/{key['id']}/rotate")
    assert rotated["permissions"] == ["cameras.read", "snapshots.read"]
    assert rotated["pending_grant"]["permissions"] == ["faces.search", "watchlists.read"]
    assert rotated["suspended_grant"]["clearances"] == ["biometrics", "video"]
    h = {"X-API-Key": rotated["key"]}
    assert city.client.get("/api/watchlists", headers=h).status_code == 403
    assert city.client.get(SNAPSHOT, headers=h).status_code == 404


def test_the_shell_is_the_root_of_trust(city: City) -> None:
    view, _ = city.svc.accounts.create_user(None, "inv.cli", "city-police", Role.INVESTIGATOR)
    assert view["clearances"] == ["biometrics", "plates", "video"] and not view["pending_grant"]


def test_a_decision_keeps_its_reason_in_the_audit_log(city: City) -> None:
    """The second person says why (X-Kuzet-Reason, as on every change): the audit record
    of the approval or rejection carries it."""
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("sup", "city-police", Role.SUPERVISOR)
    user, key = _bridge(city)
    why = {**city.h("sup"), "X-Kuzet-Reason": "order 17 of the chief"}
    r = city.client.post(f"/api/grants/{user['pending_grant']['id']}/approve", headers=why)
    assert r.status_code == 200
    why["X-Kuzet-Reason"] = "a key needs no faces"
    r = city.client.post(f"/api/grants/{key['pending_grant']['id']}/reject", headers=why)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    rows = {a["action"]: a for a in city.svc.audit.rows(actor="sup")}
    assert rows["grant.approve"]["reason"] == "order 17 of the chief"
    assert rows["grant.reject"]["reason"] == "a key needs no faces"
