"""The administration endpoints the web UI calls: unlock, reset TOTP, deactivate and
reactivate, move to another agency; each one audited with its reason."""

from __future__ import annotations

import pytest

from kuzet.access.errors import AccessError
from kuzet.access.model import Role

from .conftest import PASSWORD, City

WHY = {"X-Kuzet-Reason": "ticket 42"}


def _uid(city: City, name: str) -> str:
    return city.svc.accounts.find(name)


def test_unlock_reset_totp_deactivate_move(city: City) -> None:
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("officer", "city-police", Role.OPERATOR)
    h, uid, c = {**city.h("adm"), **WHY}, _uid(city, "officer"), city.client
    for i in range(5):
        with pytest.raises(AccessError):
            city.svc.sessions.login("officer", f"wrong-{i}", ip="203.0.113.5")
    row = next(u for u in c.get("/api/users", headers=h).json() if u["username"] == "officer")
    assert row["failed_logins"] == 5 and row["locked_until"] is not None
    r = c.post(f"/api/users/{uid}/unlock", headers=h)
    assert r.status_code == 200 and r.json() == {"failures_cleared": 5}
    assert c.get(f"/api/users/{uid}", headers=h).json()["locked_until"] is None

    assert c.post(f"/api/users/{uid}/reset-totp", headers=h).status_code == 204
    assert c.get(f"/api/users/{uid}", headers=h).json()["totp_enabled"] is False
    assert city.svc.sessions.login("officer", PASSWORD).stage == "enrol"

    r = c.post(f"/api/users/{uid}/deactivate", headers=h)
    assert r.status_code == 200 and r.json()["active"] is False
    with pytest.raises(AccessError):
        city.svc.sessions.login("officer", PASSWORD)
    assert c.post(f"/api/users/{uid}/reactivate", headers=h).json()["active"] is True

    r = c.patch(f"/api/users/{uid}", json={"agency_id": "traffic-police"}, headers=h)
    assert r.status_code == 200 and r.json()["agency_id"] == "traffic-police"
    r = c.patch(f"/api/users/{uid}", json={"agency_id": "no-such"}, headers=h)
    assert r.status_code == 404

    rows = {r["action"]: r for r in city.svc.audit.rows(actor="adm") if r["action"] != "login"}
    for action in ("user.unlock", "user.totp_reset", "user.update"):
        assert rows[action]["reason"] == "ticket 42", action
    assert rows["user.unlock"]["detail"]["failures_cleared"] == 5


def test_an_agency_administrator_manages_only_their_agency(city: City) -> None:
    city.user("edu-adm", "education", Role.ADMINISTRATOR)
    city.user("officer", "city-police", Role.OPERATOR)
    uid = _uid(city, "officer")
    for action in ("unlock", "reset-totp", "deactivate", "reactivate", "reset"):
        r = city.client.post(f"/api/users/{uid}/{action}", headers=city.h("edu-adm"))
        assert r.status_code == 404, action  # another agency's account is not there
    me = _uid(city, "edu-adm")
    r = city.client.patch(f"/api/users/{me}", json={"agency_id": "city-police"},
                          headers=city.h("edu-adm"))  # fmt: skip
    assert r.status_code == 403


def test_roles_lists_what_each_role_may_do(city: City) -> None:
    """The roles screen reads the policy itself: permissions and default clearances per
    role (a few facts written out here, independently of kuzet.access.policy)."""
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("sup", "city-police", Role.SUPERVISOR)
    for who in ("adm", "sup"):
        r = city.client.get("/api/roles", headers=city.h(who))
        assert r.status_code == 200
        roles = {x["role"]: x for x in r.json()}
        assert list(roles) == [role.value for role in Role]  # every role, in the policy's order
        assert "grants.approve" in roles["supervisor"]["permissions"]
        assert "snapshots.read" not in roles["administrator"]["permissions"]
        assert "users.write" in roles["administrator"]["permissions"]
        assert roles["administrator"]["clearances"] == []
        assert roles["investigator"]["clearances"] == ["biometrics", "plates", "video"]
        assert roles["integration"]["human"] is False and roles["operator"]["human"] is True
        assert roles["operator"]["permissions"] == sorted(roles["operator"]["permissions"])
    city.user("officer", "city-police", Role.OPERATOR)
    assert city.client.get("/api/roles", headers=city.h("officer")).status_code == 403
