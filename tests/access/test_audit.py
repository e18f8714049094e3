"""The audit log records who did what, from where and why; tampering is detected and named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from kuzet.access.audit import AuditLog
from kuzet.access.model import DataClass, Role
from kuzet.access.service import AccessService
from kuzet.cli import app as cli
from kuzet.schema import open_store

from .conftest import City, cheap_config


def _fill(city: City) -> None:
    city.user("inv", "city-police", Role.INVESTIGATOR)
    city.user("adm", "situation-centre", Role.ADMINISTRATOR)
    city.user("aud", "situation-centre", Role.AUDITOR,  # city-wide: reads every agency's
              clearances=frozenset({DataClass.CITY_AUDIT}))  # fmt: skip
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
        c.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        c.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
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
        problems = forged.verify()
        assert [p.seq for p in problems if p.problem.startswith("edited")] == [1, 2]
        assert [p.seq for p in problems if "signature" in p.problem] == [2]  # the head
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


def _records(city: City, n: int) -> None:
    for i in range(n):
        city.svc.audit.record(f"user{i}", "event.view", target=f"/api/events/{i}")


def test_truncation_is_named_and_no_seq_is_reused(city: City) -> None:
    """Deleting the newest rows leaves a chain consistent in itself; the head anchor
    still names them, and the next record does not take a deleted seq."""
    _records(city, 8)
    last = city.svc.audit.count()
    _tamper(city, f"DELETE FROM audit_log WHERE seq > {last - 3}")
    problems = [str(p) for p in city.svc.audit.verify()]
    assert problems and problems[0].startswith(f"audit record {last - 2}: missing"), problems
    assert f"up to {last}" in problems[0]
    seq = city.svc.audit.record("later", "event.view")
    assert seq == last + 1  # not last - 2 again
    assert any(p.startswith(f"audit record {last - 2}: missing") for p in
               map(str, city.svc.audit.verify()))  # fmt: skip
    bad = CliRunner().invoke(cli, ["audit", "verify", "--db", str(city.store.engine.url)])
    assert bad.exit_code == 1 and f"audit record {last - 2}: missing" in bad.output


def _tamper_head(city: City, *sql: str) -> None:
    with city.store.engine.begin() as c:
        c.execute(text("DROP TRIGGER IF EXISTS audit_head_no_delete"))
        c.execute(text("DROP TRIGGER IF EXISTS audit_head_no_rewind"))
        for stmt in sql:
            c.execute(text(stmt))


def test_head_anchor_cannot_be_removed_or_moved_back(city: City) -> None:
    _records(city, 4)
    with pytest.raises(DatabaseError, match="audit_head"), city.store.engine.begin() as c:
        c.execute(text("DELETE FROM audit_head"))
    with pytest.raises(DatabaseError, match="audit_head"), city.store.engine.begin() as c:
        c.execute(text("UPDATE audit_head SET seq = 1"))
    last = city.svc.audit.count()
    # an attacker drops every guard, truncates and removes the anchor as well
    _tamper(city, f"DELETE FROM audit_log WHERE seq > {last - 1}")
    _tamper_head(city, "DELETE FROM audit_head")
    assert any("head anchor is missing" in str(p) for p in city.svc.audit.verify())
    # ... or rewrites it to the new tail without the key: the signature does not match
    city.svc.audit.record("x", "y")
    _tamper(city, f"DELETE FROM audit_log WHERE seq > {last - 1}")
    tail = city.svc.audit.rows()[-1]
    _tamper_head(city, f"UPDATE audit_head SET seq = {tail['seq']}, hash = '{tail['hash']}'")
    assert any("head anchor" in str(p) and "signature" in str(p) for p in city.svc.audit.verify())


def test_head_file_outside_the_database_catches_a_replayed_anchor(tmp_path: Path) -> None:
    """A database-only attacker who kept an older signed anchor and puts it back after
    truncating is caught by the copy of the head kept in the data directory."""
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        head_file = tmp_path / "audit" / "head.json"
        log = AuditLog(store.engine, b"k" * 32, head_file=head_file)
        for i in range(5):
            log.record("u", "a", target=str(i))
        with store.engine.connect() as c:
            old = c.execute(text("SELECT seq, hash, sig FROM audit_head")).one()
        for i in range(3):
            log.record("u", "b", target=str(i))
        assert log.verify() == [] and head_file.stat().st_mode & 0o077 == 0
        with store.engine.begin() as c:
            for trig in ("audit_log_no_delete", "audit_head_no_rewind"):
                c.execute(text(f"DROP TRIGGER {trig}"))
            c.execute(text(f"DELETE FROM audit_log WHERE seq > {old.seq}"))
            c.execute(text(f"UPDATE audit_head SET seq = {old.seq}, hash = '{old.hash}', "
                           f"sig = '{old.sig}'"))  # fmt: skip
        assert AuditLog(store.engine, b"k" * 32).verify() == []  # the database alone: fooled
        problems = [str(p) for p in log.verify()]
        assert any(p.startswith(f"audit record {old.seq + 1}: missing") for p in problems)
    finally:
        store.close()


def test_a_dropped_anchor_table_is_named(city: City) -> None:
    _records(city, 3)
    with city.store.engine.begin() as c:
        c.execute(text("DROP TABLE audit_head"))
    problems = [str(p) for p in city.svc.audit.verify()]
    assert any("audit_head is missing" in p for p in problems), problems


def test_auditors_read_their_own_agency_unless_cleared_city_wide(city: City) -> None:
    city.user("inv", "city-police", Role.INVESTIGATOR)
    city.user("teacher", "education", Role.OPERATOR)
    city.user("police-aud", "city-police", Role.AUDITOR)
    city.user("edu-aud", "education", Role.AUDITOR)
    city.user("oversight", "prosecutor", Role.AUDITOR,
              clearances=frozenset({DataClass.CITY_AUDIT}))  # fmt: skip
    why = {"X-Kuzet-Reason": "case 2025-117: suspect seen"}
    h = {**city.h("inv"), **why}
    assert city.client.get("/api/events/ev-street-1-4/snapshot", headers=h).status_code == 200
    assert city.client.get("/api/cameras", headers=city.h("teacher")).status_code == 200

    def rows(who: str, path: str = "/api/audit") -> list[dict[str, Any]]:
        r = city.client.get(path, params={"limit": 1000}, headers=city.h(who))
        assert r.status_code == 200, r.text
        if path == "/api/audit":
            return list(r.json()["items"])
        return [json.loads(x) for x in r.text.splitlines()]

    def seen(who: str, path: str = "/api/audit") -> set[str | None]:
        return {x["agency_id"] for x in rows(who, path)}

    assert seen("edu-aud") == {"education"}  # no police searches, no reasons
    assert seen("police-aud") == {"city-police"}
    assert {"city-police", "education", "prosecutor", None} <= seen("oversight")
    assert seen("edu-aud", "/api/audit/export") == {"education"}
    assert "case 2025-117: suspect seen" not in {x["reason"] for x in rows("edu-aud")}
    assert "case 2025-117: suspect seen" in {x["reason"] for x in rows("oversight")}
