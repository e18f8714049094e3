"""Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 6819 5.2.2.3):
a rotated-away refresh token presented again revokes the whole session, for the thief
and the legitimate holder alike, is audited, and reads as any invalid token."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import update

from kuzet.access.model import Role
from kuzet.access.tables import SessionRow

from .conftest import PASSWORD, City


def _person(city: City, name: str) -> tuple[dict[str, Any], list[str]]:
    """A person with TOTP set up, logged in through the API: (tokens, recovery codes)."""
    _, otp = city.svc.accounts.create_user(None, name, "city-police", Role.OPERATOR)
    assert otp is not None
    p = city.svc.authenticate(city.svc.sessions.login(name, otp).access_token)
    assert p is not None
    secret = city.svc.accounts.enrol_totp(p).secret
    now = time.time()
    codes = city.svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(now), PASSWORD)
    body = {"username": name, "password": PASSWORD, "totp_code": pyotp.TOTP(secret).at(now + 30)}
    r = city.client.post("/api/auth/login", json=body)
    assert r.status_code == 200, r.text
    return r.json(), codes


def _refresh(city: City, token: str) -> Any:
    return city.client.post("/api/auth/refresh", json={"refresh_token": token})


def _me(city: City, access: str) -> int:
    h = {"Authorization": f"Bearer {access}"}
    return city.client.get("/api/auth/me", headers=h).status_code


def _reuse_records(city: City) -> list[dict[str, Any]]:
    return city.svc.audit.rows(action="session.refresh_reuse")


def test_reused_refresh_token_revokes_the_session(city: City) -> None:
    a, codes = _person(city, "op.victim")
    r = _refresh(city, a["refresh_token"])
    assert r.status_code == 200
    b = r.json()
    assert _me(city, b["access_token"]) == 200

    # the old token A again (the thief, or the victim after the thief): 401 like any bad token
    reuse = _refresh(city, a["refresh_token"])
    garbage = _refresh(city, "kzr_" + "x" * 43)
    assert reuse.status_code == garbage.status_code == 401
    assert reuse.json() == garbage.json()
    # ...and the session is gone for both holders: B neither refreshes nor authenticates
    assert _refresh(city, b["refresh_token"]).status_code == 401
    assert _me(city, b["access_token"]) == 401
    assert _me(city, a["access_token"]) == 401

    [rec] = _reuse_records(city)
    assert rec["actor"] == "op.victim" and rec["outcome"] == "denied"
    assert rec["agency_id"] == "city-police" and rec["target"].startswith("session:")
    dumped = json.dumps(rec, default=str)
    for tok in (a["refresh_token"], b["refresh_token"], a["access_token"], b["access_token"]):
        assert tok not in dumped  # no token material in the audit log
    assert city.svc.audit.verify() == []

    # only that session: the person logs in again (here with a recovery code) and works
    r = city.client.post("/api/auth/login", json={"username": "op.victim",
                         "password": PASSWORD, "recovery_code": codes[0]})  # fmt: skip
    assert r.status_code == 200 and _me(city, r.json()["access_token"]) == 200


def test_reuse_leaves_the_other_sessions_of_the_person_alone(city: City) -> None:
    a, codes = _person(city, "op.two.desks")
    login = {"username": "op.two.desks", "password": PASSWORD, "recovery_code": codes[0]}
    other = city.client.post("/api/auth/login", json=login).json()
    assert _refresh(city, a["refresh_token"]).status_code == 200
    assert _refresh(city, a["refresh_token"]).status_code == 401  # reuse: session 1 ends
    assert _me(city, other["access_token"]) == 200
    assert _refresh(city, other["refresh_token"]).status_code == 200


def test_rotation_chain_keeps_working(city: City) -> None:
    t, _ = _person(city, "op.shift")
    seen = [t]
    for _ in range(4):  # A -> B -> C -> D -> E
        r = _refresh(city, seen[-1]["refresh_token"])
        assert r.status_code == 200, r.text
        nxt = r.json()
        assert _me(city, seen[-1]["access_token"]) == 401  # the old access token died
        assert _me(city, nxt["access_token"]) == 200
        assert nxt["refresh_expires_at"] == t["refresh_expires_at"]  # one shift, not more
        seen.append(nxt)
    assert len({s["refresh_token"] for s in seen}) == 5
    assert _reuse_records(city) == []


def test_reuse_in_an_ended_session_is_a_plain_401(city: City) -> None:
    # logged out: the token fails, nothing to revoke, nothing audited as reuse
    a, _ = _person(city, "op.logout")
    b = _refresh(city, a["refresh_token"]).json()
    h = {"Authorization": f"Bearer {b['access_token']}"}
    assert city.client.post("/api/auth/logout", headers=h).status_code == 204
    assert _refresh(city, a["refresh_token"]).status_code == 401
    assert _refresh(city, b["refresh_token"]).status_code == 401

    # expired (shift over): the same
    c, _ = _person(city, "op.expired")
    d = _refresh(city, c["refresh_token"]).json()
    with city.svc.sessions._s.begin() as s:
        s.execute(
            update(SessionRow)
            .where(SessionRow.prev_refresh_hash.is_not(None), SessionRow.revoked_at.is_(None))
            .values(refresh_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert _refresh(city, c["refresh_token"]).status_code == 401
    assert _refresh(city, d["refresh_token"]).status_code == 401
    assert _reuse_records(city) == []


def test_reuse_through_the_service(city: City) -> None:
    """The same at the service layer the API calls (no HTTP in between)."""
    from kuzet.access.errors import AuthFailed

    t, _ = _person(city, "op.direct")
    sessions = city.svc.sessions
    b = sessions.refresh(t["refresh_token"], ip="10.0.0.5")
    c = sessions.refresh(b.refresh_token or "", ip="10.0.0.5")
    assert city.svc.authenticate(c.access_token) is not None
    # A is two rotations old: a plain 401 (only the last rotated-away token is kept);
    # B is the one C replaced: a reuse, which revokes the session
    for token in (t["refresh_token"], b.refresh_token or ""):
        with pytest.raises(AuthFailed, match="refresh token invalid, expired or revoked"):
            sessions.refresh(token, ip="203.0.113.9")
    assert city.svc.authenticate(c.access_token) is None
    [rec] = _reuse_records(city)
    assert rec["ip"] == "203.0.113.9" and rec["detail"]["session_ip"] is not None
