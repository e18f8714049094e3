"""The incident-engine actor's object without Ray (SQLite, the in-process bus): events
become incidents, its stats count them, and the audit rows it writes are signed with the
node's $KUZET_AUDIT_KEY (the actor moves between nodes: no key file in a data directory)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kuzet.access.audit import AuditLog
from kuzet.cluster.incidents import IncidentWorker
from kuzet.config.models import SiteConfig
from kuzet.config.secret import wire_json
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
        deadline = time.monotonic() + 30  # a loaded machine
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


def test_the_actor_holds_recorded_video_and_sends_incident_webhooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The actor acts on the incidents it opens as ``kuzet serve`` does on its own: the
    video of a camera some recorder keeps is held (one that nothing records is not), and
    the site's incident webhooks are sent, signed, once."""
    from tests.integrations.receiver import Receiver

    from kuzet.record import EvidenceHolds
    from kuzet.record.tables import SegmentRow

    monkeypatch.setenv("KUZET_AUDIT_KEY", "node-key-from-the-secret")
    rx = Receiver(b"actor-webhook-secret-42")
    hooks = {"webhooks": [{"name": "police", "url": rx.url, "secret": "actor-webhook-secret-42",
                           "incidents": {}}]}  # fmt: skip
    site = SiteConfig.model_validate({
        "site": "city", "data_dir": str(tmp_path), "integrations": hooks,
        "store": {"url": f"sqlite:///{tmp_path / 'city.db'}"},
        "cameras": [{"id": "cam-rec", "main_url": "x.mp4"},
                    {"id": "cam-live", "main_url": "y.mp4"}],
    })  # fmt: skip
    worker = IncidentWorker(wire_json(site))  # as the driver sends it: the secret in clear
    now = datetime.now(UTC)
    try:
        with worker.store.engine.begin() as c:  # a shard's recorder indexed a segment
            c.execute(SegmentRow.__table__.insert().values(
                camera_id="cam-rec", start_ts=now, end_ts=now, bytes=1, volume="v", key="k",
                location="local", init_size=1, codec="h264", width=1, height=1, created_at=now,
            ))  # fmt: skip
        for cam in ("cam-rec", "cam-live"):
            worker.bus.publish(Event(id=f"e-{cam}", type="intrusion", camera_id=cam, ts=now))
        deadline = time.monotonic() + 30  # a loaded machine
        while (worker.stats()["changes"] < 2 or len(rx.got) < 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        holds = EvidenceHolds(worker.store.engine)
        (hold,) = holds.active("cam-rec")
        assert hold.kind == "incident" and hold.start < now < hold.end
        assert holds.active("cam-live") == []  # nothing records it: nothing to hold
        sent = sorted(json.loads(r.body)["incident"]["camera_id"] for r in rx.got)
        assert sent == ["cam-live", "cam-rec"] and rx.refused == []
    finally:
        worker.stop()
        rx.close()


def test_the_actor_runs_section_control_and_full_shards_do_not(tmp_path: Path) -> None:
    """Section control pairs a car's reads at two cameras in memory, so one process of the
    city must read its group: the incident engine actor does; a full shard's service site
    leaves it out (several shards would each see half of the pairs)."""
    from tests.rules.test_section import SECTION, read

    from kuzet.cluster.plan import service_site

    site = SiteConfig.model_validate({
        "site": "city", "data_dir": str(tmp_path), "sections": [SECTION],
        "store": {"url": f"sqlite:///{tmp_path / 'city.db'}"},
        "cameras": [{"id": "cam-a", "main_url": "a.mp4"}, {"id": "cam-b", "main_url": "b.mp4"}],
    })  # fmt: skip
    assert service_site(site).sections == []
    worker = IncidentWorker(wire_json(site))
    probe = worker.bus.subscribe("probe")  # what the store sink would get
    try:
        worker.bus.publish(read("cam-a", "123ABC02", 0.0))
        worker.bus.publish(read("cam-b", "123ABC02", 90.0, 2))
        got: list[Event] = []
        deadline = time.monotonic() + 30  # a loaded machine
        while time.monotonic() < deadline and not any(e.type == "average_speed" for e in got):
            ds = probe.fetch(10, 0.2)
            got += [d.event for d in ds]
            probe.ack(ds)
        assert [e.attributes["speed_kmh"] for e in got if e.type == "average_speed"] == [80.0]
    finally:
        worker.stop()
