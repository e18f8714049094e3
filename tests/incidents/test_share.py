"""An incident another process's engine opened (the city's incident engine actor, another
API replica) reaches the operators whose socket this replica holds, at once; only viewers
hear relayed changes, so holds and webhooks still act once, where the change was made."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from nats_server import url_fixture

from kuzet.api.app import create_app
from kuzet.config.models import NatsBusConfig
from kuzet.config.ops import OpsConfig
from kuzet.events import MemoryBus, create_bus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.model import Change
from kuzet.incidents.share import TOPIC, IncidentShare
from kuzet.store import LocalBlobStore

from .conftest import CAMERAS, enrol, ev, make_ops, stop_ops, wait_for

nats_url = url_fixture("module")  # the tests read a stream whole: a server of their own


def test_an_incident_the_actor_opened_is_pushed_by_every_replica(
    tmp_path: Path, nats_url: str
) -> None:
    # one database (PostgreSQL in a city), two NATS connections: the actor's and replica B's
    store, svc, _, app_a = make_ops(tmp_path, OpsConfig(), CAMERAS)
    stop_ops(app_a)  # only the store and accounts of this helper are used
    cfg = NatsBusConfig(servers=[nats_url], stream="SHARE", subject_prefix="share.events")
    actor_bus, replica_bus = create_bus(cfg), create_bus(cfg)
    actor = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), actor_bus, store)
    actor_share = IncidentShare(actor_bus, actor)
    # replica B's engine is not started: every event's incident is the actor's to make
    replica = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), replica_bus, store)
    replica_share = IncidentShare(replica_bus, replica)
    acted: list[Change] = []
    replica.listen(acted.extend)  # e.g. evidence holds: only for changes made here
    app = create_app(store=store, blobs=LocalBlobStore(tmp_path / "b"), bus=replica_bus,
                     access=svc, incidents=replica)  # fmt: skip
    token, _ = enrol(svc, "edu-op", "education")
    actor.start()
    try:
        with (
            TestClient(app, base_url="http://testserver") as client,
            client.websocket_connect(
                "/api/ws/ops", headers={"Authorization": f"Bearer {token}"}
            ) as ws,
        ):
            foreign, own = ev("traffic-1"), ev("school-1")  # police's, then education's
            actor_bus.publish(foreign)
            actor_bus.publish(own)
            got = json.loads(ws.receive_text())  # anything foreign would come first
            assert got["kind"] == "incident"
            assert got["incident"]["first_event_id"] == own.id
            assert got["incident"]["agency_id"] == "education"
            wait_for(lambda: replica_share.heard >= 2, timeout=30.0, what="both changes relayed")
            assert acted == [] and actor_share.heard == 0
    finally:
        actor.stop()
        actor_share.close()
        replica_share.close()
        actor_bus.close()
        replica_bus.close()
        store.close()


def test_own_changes_are_shown_once_and_bad_ones_refused(tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMERAS)
    stop_ops(app)
    try:
        engines = [OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
                   for _ in range(2)]  # fmt: skip
        shares = [IncidentShare(bus, e) for e in engines]
        shown: list[list[str]] = [[], []]
        acted: list[list[str]] = [[], []]
        for i, e in enumerate(engines):
            e.listen(lambda cs, i=i: shown[i].extend(c.incident.id for c in cs), elsewhere=True)
            e.listen(lambda cs, i=i: acted[i].extend(c.incident.id for c in cs))
        (inc,) = engines[0].book.ingest([ev("school-1")], lambda _: CAMERAS[0])
        engines[0].notify([Change(inc)])
        assert shown == [[inc.id], [inc.id]]  # once each: its own, and relayed
        assert acted == [[inc.id], []]  # acted on where it was made only
        for data in (b"{}", b"not json", b'{"changes": [{"incident": {"id": 1}}]}'):
            bus.announce(TOPIC, "changes", data)
        assert shares[1].refused == 3 and shown[1] == [inc.id]
        for s in shares:
            s.close()
        engines[0].notify([Change(inc)])
        assert shown == [[inc.id, inc.id], [inc.id]]  # closed: relayed no more
    finally:
        bus.close()
        store.close()


def test_the_service_relays_its_engine(tmp_path: Path) -> None:
    from kuzet.config.models import SiteConfig
    from kuzet.service import Service

    site = SiteConfig.model_validate(
        {"data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'k.db'}"}}
    )
    svc = Service(site, detector=_NoDetector(), realtime=False)  # type: ignore[arg-type]
    try:
        assert isinstance(svc.bus, MemoryBus)
        heard: list[bytes] = []
        stop = svc.bus.listen(TOPIC, lambda _k, data: heard.append(data))
        (inc,) = svc.incidents.book.ingest([ev("cam-x")], lambda _: CAMERAS[0])
        svc.incidents.notify([Change(inc)])
        assert [c["incident"]["id"] for c in json.loads(heard[0])["changes"]] == [inc.id]
        stop()
    finally:
        svc.incident_share.close()
        svc.signals.close()
        svc.bus.close()
        svc.store.close()


class _NoDetector:
    labels = ("person",)  # the service is built, never started: nothing is detected
