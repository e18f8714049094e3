"""Failed logins are throttled per (account, address) with back-off, so nobody can lock
the owner out from elsewhere; many failures from everywhere put the account on guard
(no hints, both factors at once); an administrator can unlock; the count is exact under
concurrency; change-password is throttled and audited; login failures carry codes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyotp
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from kuzet.access.errors import AccessError
from kuzet.access.model import Role
from kuzet.access.tables import AuthFailureRow, UserRow

from .conftest import PASSWORD, City

ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def _client(city: City, ip: str) -> TestClient:
    return TestClient(city.app, base_url="https://testserver", client=(ip, 40000))


def _login(c: TestClient, user: str, password: str, **extra: str) -> Response:
    return c.post("/api/auth/login", json={"username": user, "password": password, **extra})


def _code(city: City, user: str) -> str:
    """A code that works now: the replay guard is reset first (the enrolment helper
    used the current steps already)."""
    with city.svc.sessions._s.begin() as s:
        s.execute(update(UserRow).where(UserRow.username == user).values(totp_last_step=0))
    return pyotp.TOTP(city.secrets[user]).now()


def _age_failures(city: City, seconds: int) -> None:
    """Let time pass for the throttle: move every failure back."""
    with city.svc.sessions._s.begin() as s:
        for row in s.query(AuthFailureRow).all():
            row.ts = row.ts - timedelta(seconds=seconds)


def test_guessing_elsewhere_does_not_lock_the_owner_out(city: City) -> None:
    city.user("chief", "situation-centre", Role.ADMINISTRATOR)
    attacker, owner = _client(city, ATTACKER), _client(city, OWNER)
    for i in range(5):
        r = _login(attacker, "chief", f"Guess-number-{i}-xx")
        assert r.status_code == 401 and r.json()["error"] == "invalid_credentials"
    r = _login(attacker, "chief", PASSWORD, totp_code=_code(city, "chief"))
    assert r.status_code == 429 and r.json()["error"] == "locked"
    assert int(r.headers["retry-after"]) > 0 and r.json()["until"]
    # the owner, from his own desk, still gets in with password and code
    r = _login(owner, "chief", PASSWORD, totp_code=_code(city, "chief"))
    assert r.status_code == 200, r.text
    # unknown names lock the same way, so a lock does not reveal which names exist
    for i in range(5):
        assert _login(attacker, "nobody", f"Guess-{i}").json()["error"] == "invalid_credentials"
    assert _login(attacker, "nobody", "Guess-x").json()["error"] == "locked"


def test_lock_grows_with_each_failure_and_ends(city: City) -> None:
    city.user("target", "city-police", Role.OPERATOR)
    attacker = _client(city, ATTACKER)
    for i in range(5):
        _login(attacker, "target", f"Guess-number-{i}-xx")
    first = int(_login(attacker, "target", "x").headers["retry-after"])
    assert 25 <= first <= 31
    _age_failures(city, 31)  # the first lock is over: one more guess is evaluated ...
    assert _login(attacker, "target", "Guess-6").json()["error"] == "invalid_credentials"
    second = int(_login(attacker, "target", "x").headers["retry-after"])
    assert 55 <= second <= 61  # ... and the next lock is twice as long
    _age_failures(city, 61)
    r = _login(attacker, "target", PASSWORD, totp_code=_code(city, "target"))
    assert r.status_code == 200  # the right credentials from there work again


def test_an_account_under_attack_from_everywhere_gives_no_hints(city: City) -> None:
    city.user("boss", "city-police", Role.SUPERVISOR)
    for i in range(20):
        _login(_client(city, f"192.0.2.{i}"), "boss", f"Guess-number-{i}-xx")
    owner = _client(city, OWNER)
    # the right password alone, or with a wrong code, reads like a wrong password
    for extra in ({}, {"totp_code": "000000"}):
        r = _login(owner, "boss", PASSWORD, **extra)
        assert r.status_code == 401 and r.json()["error"] == "invalid_credentials", extra
    r = _login(owner, "boss", PASSWORD, totp_code=_code(city, "boss"))
    assert r.status_code == 200  # the owner, who has both, is not locked out


def test_an_administrator_unlocks(city: City) -> None:
    city.user("victim", "city-police", Role.OPERATOR)
    attacker = _client(city, ATTACKER)
    for i in range(5):
        _login(attacker, "victim", f"Guess-number-{i}-xx")
    assert _login(attacker, "victim", "x").status_code == 429
    assert city.svc.sessions.throttle.clear("victim") > 0
    r = _login(attacker, "victim", PASSWORD, totp_code=_code(city, "victim"))
    assert r.status_code == 200


def test_concurrent_guesses_are_counted_exactly(city: City) -> None:
    city.user("racer", "city-police", Role.OPERATOR)

    def guess(i: int) -> str:
        try:
            city.svc.sessions.login("racer", f"Guess-number-{i}-xx", ip=ATTACKER)
        except AccessError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(guess, range(60)))
    evaluated = [a for a in city.svc.audit.rows(actor="racer", action="login")
                 if a["outcome"] == "denied"]  # fmt: skip
    assert len(evaluated) == 5, len(evaluated)
    assert results.count("invalid_credentials") == 5 and results.count("locked") == 55


def test_change_password_is_throttled_and_audited(city: City) -> None:
    city.user("pat", "city-police", Role.OPERATOR)
    h = city.h("pat")
    for i in range(5):
        body = {"old_password": f"Wrong-{i}-password", "new_password": "x"}
        r = city.client.post("/api/auth/password", headers=h, json=body)
        assert r.status_code == 403 and r.json()["error"] == "old_password_invalid"
    body = {"old_password": PASSWORD, "new_password": "Another-Good-Pass-42"}
    r = city.client.post("/api/auth/password", headers=h, json=body)
    assert r.status_code == 429 and r.json()["error"] == "locked"
    denied = [a for a in city.svc.audit.rows(action="user.password_changed")
              if a["outcome"] == "denied"]  # fmt: skip
    assert len(denied) == 5 and all(a["actor"] == "pat" for a in denied)


def test_login_failures_say_why_without_revealing_names(city: City) -> None:
    city.user("ana", "city-police", Role.OPERATOR)
    c = city.client
    unknown = _login(c, "no-such-user", "Some-Password-1")
    wrong = _login(c, "ana", "Some-Password-1")
    assert unknown.status_code == wrong.status_code == 401
    assert (
        unknown.json()
        == wrong.json()
        == {"error": "invalid_credentials", "message": "wrong user name, password or code"}
    )
    r = _login(c, "ana", PASSWORD)
    assert r.status_code == 401 and r.json()["error"] == "totp_required"
    right = _code(city, "ana")
    wrong = "123456" if right != "123456" else "654321"
    assert _login(c, "ana", PASSWORD, totp_code=wrong).json()["error"] == "totp_invalid"
    assert _login(c, "ana", PASSWORD, totp_code=right).status_code == 200
    assert _login(c, "ana", PASSWORD, totp_code=right).json()["error"] == "totp_reused"
    r = _login(c, "ana", PASSWORD, recovery_code="aaaa-bbbb")
    assert r.json()["error"] == "recovery_code_invalid"


def test_full_width_digits_are_read_as_digits(city: City) -> None:
    """A phone keyboard in another script sends full-width digits: not a 500."""
    city.user("wide", "city-police", Role.OPERATOR)
    code = _code(city, "wide")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    r = _login(city.client, "wide", PASSWORD, totp_code=full_width)
    assert r.status_code == 200, r.text
    arabic = "".join(chr(0x0660 + int(ch)) for ch in "123456")
    r = _login(city.client, "wide", PASSWORD, totp_code=arabic)
    assert r.status_code == 401


def test_password_hashing_is_bounded(city: City) -> None:
    """With every hashing slot taken, a login answers 503 'busy' at once, and the
    attempt does not count as a failure."""
    city.user("busy", "city-police", Role.OPERATOR)
    pw = city.svc.passwords
    taken = 0
    while pw._slots.acquire(blocking=False):
        taken += 1
    try:
        r = _login(city.client, "busy", PASSWORD)  # how soon: bench/login_exhaustion.py
        assert r.status_code == 503 and r.json()["error"] == "busy"
        assert r.headers["retry-after"] == "1"
    finally:
        for _ in range(taken):
            pw._slots.release()
    with city.svc.sessions._s() as s:
        assert s.query(AuthFailureRow).count() == 0
    assert _login(city.client, "busy", PASSWORD).json()["error"] == "totp_required"
