"""The incident-engine actor's object without Ray (SQLite, the in-process bus): events
become incidents, its stats count them, and the audit rows it writes are signed with the
node's $KUZET_AUDIT_KEY (the actor moves between nodes: no key file in a data directory)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kuzet.access.audit import AuditLog
from kuzet.cluster.incidents import IncidentWorker
from kuzet.config.models import SiteConfig
from kuzet.core import Event


def test_events_become_incidents_and_the_audit_is_signed_with_the_node_s_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUZET_AUDIT_KEY", "node-key-from-the-secret")
    site = SiteConfig.model_validate(
        {
            "site": "city",
            "data_dir": str(tmp_path),
            "store": {"url": f"sqlite:///{tmp_path / 'city.db'}"},
            "cameras": [{"id": "cam-1", "main_url": "x.mp4"}],
        }
    )
    worker = IncidentWorker(site.model_dump_json())
    try:
        for i in range(3):  # one camera and type within the window: one incident
            worker.bus.publish(
                Event(id=f"e{i}", type="intrusion", camera_id="cam-1", ts=datetime.now(UTC))
            )
        deadline = time.monotonic() + 10
        while worker.stats()["changes"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        st = worker.stats()
        assert st["group"] == "ops" and st["changes"] >= 1 and st["pending"] is None
        engine = worker.store.engine
        signed = AuditLog(engine, b"node-key-from-the-secret")
        assert [r["action"] for r in signed.rows()] == ["incident.create"]
        assert signed.verify() == []
        assert AuditLog(engine, b"").verify() != []  # not plain SHA-256: the key signed it
    finally:
        worker.stop()
    assert not (tmp_path / "keys").exists()  # no key file made in the data directory
