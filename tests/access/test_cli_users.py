"""`kuzet users` / `kuzet agencies`: the administration the API offers, from the shell,
each change audited, errors as one red line and exit code 1."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from kuzet.access.errors import AccessError
from kuzet.access.model import Principal, Role, Scope
from kuzet.cli import app as cli

from .conftest import PASSWORD, City


def _run(city: City, *args: str, code: int = 0) -> str:
    r = CliRunner().invoke(cli, [*args, "--db", str(city.store.engine.url)])
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    return r.output


def _otp(out: str) -> str:
    m = re.search(r"one-time password: (\S+)", out)
    assert m is not None, out
    return m.group(1)


def _admin(city: City) -> Principal:
    """Who reads the result back: a platform administrator."""
    return Principal("x", "x", "situation-centre", Role.ADMINISTRATOR, frozenset(), Scope(),
                     frozenset(), platform=True)  # fmt: skip


def test_account_lifecycle_from_the_shell(city: City) -> None:
    svc = city.svc
    _run(city, "agencies", "create", "metro", "--name", "Metro security", "--category",
         "infrastructure")  # fmt: skip
    assert "metro" in _run(city, "agencies", "list")
    out = _run(city, "users", "create", "m.ops", "--agency", "metro", "--role", "operator")
    otp = _otp(out)
    assert svc.sessions.login("m.ops", otp).stage == "enrol"
    listed = _run(city, "users", "list", "--agency", "metro")
    assert "m.ops" in listed and "operator" in listed and "clearances=video" in listed

    _run(city, "users", "set", "m.ops", "--role", "supervisor", "--district", "Medeu",
         "--clearance", "video", "--clearance", "plates", "--reason", "promoted")  # fmt: skip
    view = svc.accounts.get_user(_admin(city), svc.accounts.find("m.ops"))
    assert view["role"] == "supervisor" and view["clearances"] == ["plates", "video"]
    assert view["scope"]["districts"] == ["Medeu"]
    _run(city, "users", "set", "m.ops", "--agency", "city-police", "--unlimited-scope")
    view = svc.accounts.get_user(_admin(city), svc.accounts.find("m.ops"))
    assert view["agency_id"] == "city-police" and view["scope"]["districts"] is None

    # a new one-time password replaces the old one
    new = _otp(_run(city, "users", "reset-password", "m.ops"))
    with pytest.raises(AccessError):
        svc.sessions.login("m.ops", otp)
    assert svc.sessions.login("m.ops", new).stage == "enrol"

    # locked out from somewhere: unlock
    for i in range(5):
        with pytest.raises(AccessError):
            svc.sessions.login("m.ops", f"wrong-{i}", ip="203.0.113.5")
    assert "5 failed logins" in _run(city, "users", "list", "--agency", "city-police")
    # five from there, and the old one-time password tried above
    assert "6 failures cleared" in _run(city, "users", "unlock", "m.ops")
    assert svc.sessions.login("m.ops", new, ip="203.0.113.5").stage == "enrol"

    _run(city, "users", "deactivate", "m.ops")
    with pytest.raises(AccessError):
        svc.sessions.login("m.ops", new)
    _run(city, "users", "reactivate", "m.ops")
    assert svc.sessions.login("m.ops", new).stage == "enrol"
    actions = {r["action"] for r in svc.audit.rows()}
    assert {"user.create", "user.update", "user.reset", "user.unlock"} <= actions
    assert "agency.upsert" in actions


def test_reset_totp_and_keys(city: City) -> None:
    city.user("lost.phone", "city-police", Role.OPERATOR)
    _run(city, "users", "reset-totp", "lost.phone")
    toks = city.svc.sessions.login("lost.phone", PASSWORD)  # the password stays ...
    assert toks.stage == "enrol"  # ... and TOTP is set up again
    assert city.svc.authenticate(city.tokens["lost.phone"]) is None  # sessions ended

    _run(city, "users", "create", "bridge", "--agency", "city-police", "--role", "integration")
    out = _run(city, "users", "keys", "create", "bridge", "--permission", "events.read")
    key = re.search(r"(kzk_\S+)", out).group(1)  # type: ignore[union-attr]
    assert city.client.get("/api/events", headers={"X-API-Key": key}).status_code == 200
    key_id = key.split("_")[1]
    assert key_id in _run(city, "users", "keys", "list", "bridge")
    _run(city, "users", "keys", "revoke", key_id)
    assert city.client.get("/api/events", headers={"X-API-Key": key}).status_code == 401
    assert "revoked" in _run(city, "users", "keys", "list", "bridge")


def test_errors_are_one_line(city: City) -> None:
    out = _run(city, "users", "set", "nobody", "--role", "operator", code=1)
    assert "user 'nobody' not found" in out
    out = _run(city, "users", "create", "x.y", "--agency", "city-police", "--role", "boss",
               code=2)  # fmt: skip
    assert "operator, supervisor" in out
    _run(city, "users", "create", "dup", "--agency", "city-police", "--role", "operator")
    assert "already exists" in _run(city, "users", "create", "dup", "--agency", "city-police",
                                    "--role", "operator", code=1)  # fmt: skip
