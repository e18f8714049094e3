"""First login to daily use, through the API: one-time password, TOTP enrolment with QR,
recovery codes, refresh rotation, logout; argon2id and the password policy."""

from __future__ import annotations

import time

import pyotp
import pytest

from kuzet.access.passwords import Passwords, WeakPassword
from kuzet.config.access import PasswordPolicy

from .conftest import PASSWORD, City, cheap_config


def test_first_admin_enrols_totp_and_logs_in(city: City) -> None:
    otp = city.svc.create_first_admin("root.admin")
    c = city.client
    r = c.post("/api/auth/login", json={"username": "root.admin", "password": otp})
    assert r.status_code == 200 and r.json()["stage"] == "enrol"
    assert r.json()["refresh_token"] is None
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    # an enrolment session can do nothing else
    r2 = c.get("/api/users", headers=h)
    assert r2.status_code == 403 and r2.json()["error"] == "totp_enrolment_required"

    e = c.post("/api/auth/totp/enrol", headers=h).json()
    assert e["otpauth_uri"].startswith("otpauth://totp/Kuzet:root.admin?secret=")
    assert e["qr_svg"].startswith("<svg") and "</svg>" in e["qr_svg"]
    totp = pyotp.TOTP(e["secret"])
    weak = c.post("/api/auth/totp/confirm", headers=h,
                  json={"code": totp.now(), "new_password": "short"})  # fmt: skip
    assert weak.status_code == 422 and "at least 12" in weak.json()["message"]
    r = c.post("/api/auth/totp/confirm", headers=h,
               json={"code": totp.now(), "new_password": PASSWORD})  # fmt: skip
    assert r.status_code == 200, r.text
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert c.get("/api/auth/me", headers=h).status_code == 401  # enrol session ended

    # the one-time password is gone; a password alone is not enough
    assert (
        c.post("/api/auth/login", json={"username": "root.admin", "password": otp}).status_code
        == 401
    )
    r = c.post("/api/auth/login", json={"username": "root.admin", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["error"] == "totp_required"
    nxt = totp.at(time.time() + 30)  # the enrolment used this step's code
    r = c.post("/api/auth/login",
               json={"username": "root.admin", "password": PASSWORD, "totp_code": nxt})  # fmt: skip
    assert r.status_code == 200 and r.json()["stage"] == "full"
    tokens = r.json()
    cookie = r.headers.get_list("set-cookie")
    assert any("kuzet_access=" in v and "HttpOnly" in v and "Secure" in v and
               "SameSite=strict" in v.replace("Strict", "strict") for v in cookie)  # fmt: skip
    h = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = c.get("/api/auth/me", headers=h).json()
    assert me["role"] == "administrator" and me["agency_id"] == "situation-centre"

    # recovery codes work once each
    login = {"username": "root.admin", "password": PASSWORD, "recovery_code": codes[0]}
    assert c.post("/api/auth/login", json=login).status_code == 200
    assert c.post("/api/auth/login", json=login).status_code == 401

    # refresh rotates: the new pair works, the old access token does not
    r = c.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    assert c.get("/api/auth/me", headers=h).status_code == 401
    h_new = {"Authorization": f"Bearer {new['access_token']}"}
    assert c.get("/api/auth/me", headers=h_new).status_code == 200
    # the old refresh token again: a reuse, which ends the session (test_refresh_reuse.py)
    assert (
        c.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 401
    )
    assert c.get("/api/auth/me", headers=h_new).status_code == 401


def test_first_admin_only_once(city: City) -> None:
    from kuzet.access.errors import Conflict

    city.svc.create_first_admin("first")
    with pytest.raises(Conflict):
        city.svc.create_first_admin("second")


def test_password_policy_and_argon2id() -> None:
    pw = Passwords(cheap_config().passwords)
    for bad in ("short1A!", "alllowercaseletters", "Password-Is-Long-1", "kuzet.admin.Xx1"):
        with pytest.raises(WeakPassword):
            pw.check_strength(bad, "kuzet.admin")
    pw.check_strength(PASSWORD, "someone")
    h = pw.hash(PASSWORD)
    assert h.startswith("$argon2id$") and PASSWORD not in h
    assert pw.verify(h, PASSWORD) and not pw.verify(h, PASSWORD + "x")
    assert not pw.verify(None, PASSWORD)
    strong = Passwords(PasswordPolicy())  # production defaults: RFC 9106 profile
    assert strong.needs_rehash(h)  # a cheap hash is upgraded at the next login


def test_one_time_passwords_are_unambiguous_and_meet_the_policy_by_construction() -> None:
    from kuzet.access.passwords import char_classes, one_time_password

    pw = Passwords(PasswordPolicy())
    made = [one_time_password() for _ in range(300)]
    assert len(set(made)) == 300
    assert len({p[-3:] for p in made}) > 100  # no constant suffix
    for p in made:
        assert not set(p) & set("lI1O0o"), p  # nothing to misread
        assert len(p) == 23 and p.count("-") == 3
        assert char_classes(p) == {"lower case letter", "upper case letter", "digit", "symbol"}
        pw.check_strength(p, "some.user")


def test_letters_of_any_alphabet_count(city: City) -> None:
    pw = Passwords(PasswordPolicy())
    pw.check_strength("Снежный-барс-2024", "someone")  # Cyrillic upper + lower, digits, symbol
    pw.check_strength("ҚазақшаМәтінЖақсы1", "someone")  # Kazakh letters and a digit
    with pytest.raises(WeakPassword, match="at least 3"):
        pw.check_strength("снежныйбарсгор", "someone")  # one class only
    with pytest.raises(WeakPassword, match="common"):
        pw.check_strength("Мой-Пароль-12345", "someone")
    r = city.client.get("/api/auth/password-policy")  # public: shown before anyone types
    assert r.status_code == 200
    rules = r.json()
    assert rules["min_length"] == 12 and rules["min_classes"] == 3
    assert rules["classes"] == ["lower case letter", "upper case letter", "digit", "symbol"]
