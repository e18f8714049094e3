"""The audit log records who did what, from where and why; tampering is detected and named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from kuzet.access.audit import AuditLog
from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.cli import app as cli
from kuzet.schema import open_store

from .conftest import City, cheap_config


def _fill(city: City) -> None:
    city.user("inv", "city-police", Role.INVESTIGATOR)
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("aud", "situation-centre", Role.AUDITOR)
    c, h = city.client, city.h("inv")
    why = {"X-Kuzet-Reason": "case 2025-117"}
    assert c.get("/api/events", params={"camera_id": "street-1"}, headers=h).status_code == 200
    assert c.get("/api/events/ev-street-1-4/snapshot", headers={**h, **why}).status_code == 200
    assert c.get("/api/users", headers=h).status_code == 403  # denied attempts are kept too
    uid = city.svc.authenticate(city.tokens["inv"]).user_id  # type: ignore[union-attr]
    r = c.patch(f"/api/users/{uid}", json={"clearances": ["video"]},
                headers={**city.h("adm"), "X-Kuzet-Reason": "left the unit"})  # fmt: skip
    assert r.status_code == 200, r.text


def test_records_who_what_when_where_why(city: City) -> None:
    _fill(city)
    r = city.client.get("/api/audit", params={"actor": "inv", "limit": 1000}, headers=city.h("aud"))
    assert r.status_code == 200
    rows = r.json()["items"]
    by_action = {(x["action"], x["outcome"]): x for x in rows}
    assert ("login", "ok") in by_action
    search = by_action[("event.search", "ok")]
    assert search["detail"]["query"] == "camera_id=street-1" and search["ip"] == "testclient"
    snap = by_action[("snapshot.view", "ok")]
    assert (
        snap["target"] == "/api/events/ev-street-1-4/snapshot" and snap["reason"] == "case 2025-117"
    )
    assert ("access", "denied") in by_action
    (change,) = city.svc.audit.rows(action="user.update")
    assert change["actor"] == "adm" and change["reason"] == "left the unit"
    assert change["detail"]["clearances"]["to"] == ["video"]
    v = city.client.get("/api/audit/verify", headers=city.h("aud")).json()
    assert v["ok"] and v["records"] > 10 and v["problems"] == []


def test_export_csv_and_jsonl(city: City) -> None:
    _fill(city)
    h = city.h("aud")
    r = city.client.get("/api/audit/export", params={"format": "csv"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {"seq", "actor", "action", "hash", "prev_hash"} <= set(rows[0])
    r = city.client.get("/api/audit/export", params={"format": "jsonl", "action": "snapshot.view"},
                        headers=h)  # fmt: skip
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert [x["action"] for x in lines] == ["snapshot.view"]
    # the export itself is audited
    assert city.svc.audit.rows(action="audit.export")


def test_rows_cannot_be_changed_through_the_database(city: City) -> None:
    city.svc.audit.record("x", "test")
    with pytest.raises(DatabaseError, match="append-only"), city.store.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET actor = 'y'"))
    with pytest.raises(DatabaseError, match="append-only"), city.store.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log"))


def _tamper(city: City, *sql: str) -> None:
    """What an attacker with database access does: drop the guard, then edit."""
    with city.store.engine.begin() as c:
        c.execute(text("DROP TRIGGER audit_log_no_update"))
        c.execute(text("DROP TRIGGER audit_log_no_delete"))
        for stmt in sql:
            c.execute(text(stmt))


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (["UPDATE audit_log SET actor = 'someone-else' WHERE seq = 5"],
         ["audit record 5: edited"]),
        (["DELETE FROM audit_log WHERE seq = 6"], ["audit record 6: missing"]),
        # reorder: swap the contents of rows 3 and 4, each keeping a valid own hash
        (["UPDATE audit_log SET seq = -3 WHERE seq = 3",
          "UPDATE audit_log SET seq = 3 WHERE seq = 4",
          "UPDATE audit_log SET seq = 4 WHERE seq = -3"],
         ["audit record 3: edited", "audit record 4: edited"]),
    ],
)  # fmt: skip
def test_verify_names_the_tampered_record(city: City, sql: list[str], expected: list[str]) -> None:
    for i in range(8):
        city.svc.audit.record(f"user{i}", "event.view", target=f"/api/events/{i}")
    assert city.svc.audit.verify() == []
    _tamper(city, *sql)
    problems = [str(p) for p in city.svc.audit.verify()]
    for want in expected:
        assert any(p.startswith(want) for p in problems), problems


def test_reordered_by_timestamp_keeps_chain_order(city: City) -> None:
    """Moving a row to another position breaks its link to the new predecessor."""
    log = AuditLog(city.store.engine)
    for i in range(4):
        log.record("u", "a", target=str(i))
    _tamper(city, "UPDATE audit_log SET seq = 100000 WHERE seq = 2")
    problems = [str(p) for p in log.verify()]
    assert problems[0] == "audit record 2: missing (deleted)"
    assert "audit record 100000: edited (hash does not match its content)" in problems


def test_hmac_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the key (kept out of the database) a consistent chain cannot be forged."""
    monkeypatch.setenv("KUZET_AUDIT_KEY", "secret-key")
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        svc = AccessService(store.engine, cheap_config())
        svc.audit.record("u", "a")
        svc.audit.record("u", "b")
        assert svc.audit.verify() == []
        forged = AuditLog(store.engine, b"guessed-key")
        assert [p.seq for p in forged.verify()] == [1, 2]
    finally:
        store.close()


def test_cli_audit_verify_catches_a_direct_edit(city: City) -> None:
    for i in range(3):
        city.svc.audit.record("u", "a", target=str(i))
    url = str(city.store.engine.url)
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--db", url])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    _tamper(city, "UPDATE audit_log SET reason = 'covered up' WHERE seq = 2")
    bad = runner.invoke(cli, ["audit", "verify", "--db", url])
    assert bad.exit_code == 1
    assert "audit record 2: edited" in bad.output
