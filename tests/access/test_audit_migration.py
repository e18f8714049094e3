"""Revision 0007_audit_head on SQLite and PostgreSQL: an existing log is anchored at its
newest record, signed with the key when it is set, else signed by the next append."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from kuzet.access.audit import AuditLog
from kuzet.schema import alembic_config, current_revision, upgrade
from kuzet.store.engine import make_engine

REV, PREV = "0007_audit_head", "0006_auth_hardening"
KEY = "audit-key-for-the-test"


def _downgrade(engine: Engine, rev: str) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), rev)


@pytest.mark.parametrize("keyed", [True, False])
def test_upgrade_anchors_an_existing_log(
    db_url: str, monkeypatch: pytest.MonkeyPatch, keyed: bool
) -> None:
    key = KEY.encode() if keyed else b""
    monkeypatch.delenv("KUZET_AUDIT_KEY", raising=False)
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        log = AuditLog(engine, key)
        for i in range(3):
            log.record("u", "a", target=str(i))
        _downgrade(engine, PREV)  # a log as 0006 kept it: no anchor
        assert "audit_head" not in inspect(engine).get_table_names()
        if keyed:
            monkeypatch.setenv("KUZET_AUDIT_KEY", KEY)
        upgrade(engine, REV)
        assert current_revision(engine) == REV
        with engine.connect() as c:
            seq, sig = c.execute(text("SELECT seq, sig FROM audit_head")).one()
        assert seq == 3 and bool(sig) == keyed
        problems = [str(p) for p in log.verify()]
        assert problems == ([] if keyed else ["audit record 3: head anchor is not signed yet "
                                              "(the next audit record signs it)"])  # fmt: skip
        log.record("u", "b")
        assert log.verify() == []
        actions = [r["action"] for r in log.rows()]
        assert ("audit.head_signed" in actions) != keyed  # the signing is on the record
    finally:
        engine.dispose()
