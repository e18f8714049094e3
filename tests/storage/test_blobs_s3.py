"""Snapshots, clips and pictures in S3 (``blobs: {type: s3}``) against a real SeaweedFS:
a shard's snapshot served by another process's API, an outage while writing (spooled,
then uploaded; past the spool's bound a counted drop), retention by key day folders."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from netgate import Gate, port_below_ephemeral
from prometheus_client import CollectorRegistry
from seaweed import SeaweedS3
from tests.incidents.conftest import cheap_access, enrol

from kuzet.access.model import DataClass, Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.cluster.plan import ShardPlan
from kuzet.cluster.standin import DarkBlobStandIn
from kuzet.cluster.workers import ShardWorker
from kuzet.config.blobs import S3BlobsConfig
from kuzet.config.models import SiteConfig
from kuzet.core import Event, EventQuery
from kuzet.events import MemoryBus
from kuzet.obs.metrics import Metrics, watch_blobs
from kuzet.schema import open_store, upgrade
from kuzet.service import Service
from kuzet.storage import S3Volume, StorageUnavailable
from kuzet.store.blobs import open_blobs
from kuzet.store.engine import make_engine
from kuzet.store.s3blobs import S3BlobStore

pytestmark = pytest.mark.slow


def s3_cfg(s3: SeaweedS3, bucket: str) -> dict[str, Any]:
    return {"type": "s3", "endpoint": s3.endpoint, "bucket": bucket, "prefix": "city/blobs",
            "access_key": s3.access_key, "secret_key": s3.secret_key, "timeout_s": 3.0}  # fmt: skip


def first_snapshot_event(worker: ShardWorker, timeout: float) -> Event:
    sub = worker.bus.subscribe("test", durable=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for d in sub.fetch(50, timeout=0.5):
            if d.event.snapshot:
                return d.event
    raise AssertionError("the shard published no event with a snapshot")


def test_a_shard_s_snapshot_goes_to_s3_and_another_node_s_api_serves_it(
    seaweed: SeaweedS3, vtest_clip: Path, tmp_path: Path
) -> None:
    bucket = f"kuzet-{uuid.uuid4().hex[:8]}"
    rules = [{"type": "scene", "rules": [{"type": "intrusion", "name": "people"}]}]
    site = SiteConfig.model_validate({
        "site": "city", "data_dir": str(tmp_path / "shard-node"),
        "blobs": s3_cfg(seaweed, bucket), "analysis": {"fps": 5, "motion": {"enabled": False}},
        "cameras": [{"id": "cam-0", "main_url": str(vtest_clip), "loop": True, "rules": rules}],
    })  # fmt: skip
    worker = ShardWorker(site.model_dump_json(), ShardPlan(0, "city-shard-0", ("cam-0",)),
                         "standin")  # fmt: skip
    try:
        ev = first_snapshot_event(worker, 60)
        stats = worker.stats()["blobs"]
    finally:
        worker.stop()
    assert stats["type"] == "s3" and stats["written"] >= 1 and stats["dropped"] == 0
    assert not list((tmp_path / "shard-node").rglob("*.jpg"))  # nothing on the shard's disk
    assert ev.snapshot is not None
    head = S3BlobStore.from_config(S3BlobsConfig.model_validate(s3_cfg(seaweed, bucket)),
                                   tmp_path / "probe").volume  # fmt: skip
    obj = head.client.get_object(Bucket=bucket, Key=f"city/blobs/{ev.snapshot}")
    in_bucket = obj["Body"].read()
    assert obj["ContentType"] == "image/jpeg" and in_bucket[:2] == b"\xff\xd8"

    # an API replica elsewhere: its own store row of the event, the same bucket
    store = open_store(f"sqlite:///{tmp_path / 'api.db'}")
    engine = make_engine(f"sqlite:///{tmp_path / 'access.db'}")
    upgrade(engine)
    access = AccessService(engine, cheap_access())
    access.seed_agencies()
    token, _ = enrol(access, "inv", "situation-centre", Role.INVESTIGATOR,
                     clearances=frozenset(DataClass))  # fmt: skip
    store.insert_events([ev])
    # a replica whose S3 endpoint cannot be reached (nothing listens on its port)
    dead = site.blobs.model_copy(update={"endpoint": f"http://127.0.0.1:{port_below_ephemeral()}"})
    replicas = [open_blobs(site.blobs, tmp_path / "api-1"), open_blobs(dead, tmp_path / "api-2")]
    url, auth = f"/api/events/{ev.id}/snapshot", {"Authorization": f"Bearer {token}"}
    try:
        got, down = (
            TestClient(create_app(store=store, blobs=b, bus=MemoryBus(), status=list,
                                  metrics=Metrics(), access=access), headers=auth).get(url)
            for b in replicas
        )  # fmt: skip
        assert got.status_code == 200 and got.content == in_bucket
        # S3 down: the API says so (503, retry later), not "no snapshot" (404)
        assert down.status_code == 503, down.text
        assert down.json()["error"] == "storage_unavailable"
    finally:
        for b in replicas:
            b.close()
        store.close()


def test_kuzet_serve_writes_snapshots_to_s3_and_serves_them(
    seaweed: SeaweedS3, vtest_clip: Path, tmp_path: Path
) -> None:
    bucket = f"kuzet-{uuid.uuid4().hex[:8]}"
    rules = [{"type": "scene", "rules": [{"type": "intrusion", "name": "people"}]}]
    site = SiteConfig.model_validate({
        "data_dir": str(tmp_path / "var"), "blobs": s3_cfg(seaweed, bucket),
        "store": {"url": f"sqlite:///{tmp_path / 'k.db'}", "batch_wait_ms": 10},
        "analysis": {"fps": 5, "motion": {"enabled": False}}, "archive": {"enabled": False},
        "cameras": [{"id": "cam-0", "main_url": str(vtest_clip), "rules": rules}],
    })  # fmt: skip
    svc = Service(site, detector=DarkBlobStandIn(), realtime=False)
    user, _ = svc.access.accounts.create_user(None, "svc-key", "situation-centre", Role.INTEGRATION)
    _, key = svc.access.keys.create(None, user["id"], ["events.read", "snapshots.read"])
    with TestClient(svc.app, headers={"X-API-Key": key}) as client:
        svc.start()
        try:
            deadline, ev = time.monotonic() + 60, None
            while ev is None and time.monotonic() < deadline:
                evs, _ = svc.store.query_events(EventQuery(camera_id=["cam-0"], limit=20))
                ev = next((e for e in evs if e.snapshot), None)
                time.sleep(0.2)
            assert ev is not None and ev.snapshot is not None, "no event with a snapshot"
            got = client.get(f"/api/events/{ev.id}/snapshot")  # faces blurred: a new JPEG
            assert got.status_code == 200 and got.content[:2] == b"\xff\xd8", got.text
            written = svc.metrics.registry.get_sample_value("kuzet_blobs_written")
            assert written is not None and written >= 1
        finally:
            svc.stop()
    assert svc.blobs.get(ev.snapshot) is not None  # in the bucket ...
    assert not (tmp_path / "var" / "snapshots").exists()  # ... and not on the disk


def test_an_s3_outage_while_writing_spools_then_uploads_and_counts_what_it_drops(
    seaweed: SeaweedS3, tmp_path: Path
) -> None:
    bucket = f"kuzet-{uuid.uuid4().hex[:8]}"
    gate = Gate(seaweed.endpoint).open()
    vol = S3Volume("blobs", bucket=bucket, spool=tmp_path / "spool", endpoint=gate.endpoint,
                   prefix="b", access_key=seaweed.access_key, secret_key=seaweed.secret_key,
                   timeout_s=2.0, retry_max_s=1.0, spool_max_bytes=1000)  # fmt: skip
    blobs = S3BlobStore(vol).start()
    registry = CollectorRegistry()
    watch_blobs(registry, blobs.stats)  # what /metrics of the service shows
    jpeg = b"\xff\xd8" + bytes(range(256)) + b"\xff\xd9" * 71  # 400 bytes
    keys = [f"snapshots/2026/12/06/cam-1/e{i}.jpg" for i in range(4)]
    try:
        blobs.put(keys[0], jpeg)  # S3 up: straight to the bucket
        assert vol.client.head_object(Bucket=bucket, Key=f"b/{keys[0]}")["ContentLength"] == 400
        gate.shut()  # S3 unreachable
        try:
            for key in keys[1:]:  # never raises: the pipeline thread must go on
                blobs.put(key, jpeg)
            st = blobs.stats()
            assert (st["written"], st["spooled"], st["dropped"]) == (1, 2, 1)  # bound: 1000 B
            assert st["available"] is False and st["spool_count"] == 2
            assert registry.get_sample_value("kuzet_blobs_dropped") == 1
            assert blobs.get(keys[1]) == jpeg  # spooled: readable while S3 is down
            with pytest.raises(StorageUnavailable):
                blobs.get(keys[0])  # only in the bucket
        finally:
            gate.open()  # S3 back
        assert vol.drain(30), "the spool did not drain once S3 was back"
        for key in keys[1:3]:
            assert vol.client.head_object(Bucket=bucket, Key=f"b/{key}")["ContentLength"] == 400
        assert blobs.get(keys[3]) is None  # the counted drop: never written anywhere
        blobs.put("snapshots/2026/12/06/cam-1/after.jpg", jpeg)
        assert blobs.stats()["written"] == 2  # straight to the bucket again
    finally:
        blobs.close()
        gate.shut()


def test_retention_removes_s3_day_folders_older_than_n_days(
    seaweed: SeaweedS3, tmp_path: Path
) -> None:
    cfg = S3BlobsConfig.model_validate(s3_cfg(seaweed, f"kuzet-{uuid.uuid4().hex[:8]}"))
    blobs = open_blobs(cfg, tmp_path)
    keys = ["snapshots/2026/01/01/cam/a.jpg", "snapshots/2026/10/26/cam/b.jpg",
            "snapshots/2026/11/20/cam/c.jpg", "clips/2026/01/01/cam/d.mp4",
            "faces/hits/cam/e.jpg"]  # fmt: skip
    try:
        for key in keys:
            blobs.put(key, b"x")
        now = datetime(2026, 11, 26, 12, tzinfo=UTC)
        assert blobs.purge_days("snapshots", 30, now) == 2
        assert [k for k in keys if blobs.get(k) is not None] == keys[2:]
        assert blobs.purge_days("clips", 30, now) == 1
        assert blobs.get(keys[3]) is None and blobs.get(keys[4]) == b"x"
    finally:
        blobs.close()
