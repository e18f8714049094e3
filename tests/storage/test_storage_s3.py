"""S3 volumes against a real SeaweedFS: spool, upload, range reads, an outage that loses nothing."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from netgate import Gate
from seaweed import SeaweedS3

from kuzet.config import parse_site
from kuzet.record import SegmentIndex
from kuzet.record.probe import probe
from kuzet.record.service import Recording
from kuzet.schema import open_store
from kuzet.storage import S3Volume, StorageUnavailable

pytestmark = pytest.mark.slow
ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def volume(s3: SeaweedS3, spool: Path, **kw: object) -> S3Volume:
    return S3Volume(
        "city", bucket=f"kuzet-{uuid.uuid4().hex[:8]}", spool=spool, endpoint=s3.endpoint,
        access_key=s3.access_key, secret_key=s3.secret_key, prefix="rec", timeout_s=3.0,
        retry_max_s=1.0, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def stage(vol: S3Volume, key: str, body: bytes) -> Path:
    path = vol.staging_path(key)
    path.write_bytes(body)
    return path


def test_commit_uploads_then_reads_ranges_from_the_bucket(
    seaweed: SeaweedS3, tmp_path: Path
) -> None:
    vol = volume(seaweed, tmp_path / "spool").start()
    uploaded: list[str] = []
    vol.on_uploaded = uploaded.append
    body = bytes(range(256)) * 40
    key = "cam-1/2026/12/06/10/cam-1_20261206T100000.000000Z.mp4"
    try:
        assert vol.commit(key, stage(vol, key, body)) == "spool"
        assert vol.read(key) == body  # readable at once, from the spool
        assert vol.drain(20)
        assert uploaded == [key]
        assert vol.local_path(key) is None  # the spool copy went after the upload
        assert vol.read(key) == body
        assert vol.read(key, 100, 50) == body[100:150]
        assert vol.read(key, 10_000) == body[10_000:]
        assert vol.size(key) == len(body)
        assert list(vol.list_keys("cam-1/2026/12/06/")) == [key]
        obj = vol.client.head_object(Bucket=vol.bucket, Key="rec/" + key)  # under the prefix
        assert obj["ContentLength"] == len(body)
        vol.delete(key)
        assert not vol.exists(key)
        with pytest.raises(KeyError):
            vol.read(key)
    finally:
        vol.close()


def test_outage_spools_and_drains_and_the_index_follows(
    seaweed: SeaweedS3, tmp_path: Path, h264_clip: Path
) -> None:
    bucket = f"kuzet-{uuid.uuid4().hex[:8]}"
    gate = Gate(seaweed.endpoint)  # the outage: the network to S3, not a server restart
    site = parse_site(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'kuzet.db'}'}}\n"
        "record:\n  enabled: true\n  segment_s: 3\n  volume: city\n  volumes:\n"
        f"    city: {{type: s3, endpoint: '{gate.endpoint}', bucket: {bucket}, prefix: rec,\n"
        f"           access_key: {seaweed.access_key}, secret_key: {seaweed.secret_key},\n"
        "           timeout_s: 2}\n"
        f"cameras:\n  - {{id: cam-1, main_url: '{h264_clip}'}}\n"
    )
    store = open_store(site.store.url)
    index = SegmentIndex(store.engine)
    # S3 is unreachable before the first segment is written (the gate is not open yet)
    rec = Recording(site, store.engine, realtime=False)
    vol = rec.volume("city")
    assert isinstance(vol, S3Volume)
    try:
        rec.start()
        cam = rec.recorders["cam-1"]
        deadline = time.monotonic() + 30
        while cam.status.state != "stopped" and time.monotonic() < deadline:
            time.sleep(0.1)
        segs = index.between("cam-1", *ALL)
        assert len(segs) == 4 and {s.location for s in segs} == {"spool"}
        spooled = {s.key: (vol.local_path(s.key) or Path()).read_bytes() for s in segs}
        time.sleep(1.5)  # the uploader keeps failing meanwhile
        assert vol.spool_count() == 4 and vol.upload_failures >= 1 and not vol.available
        with pytest.raises(StorageUnavailable):
            list(vol.list_keys("cam-1/"))  # a clear error, not a hang or a traceback
        gate.open()
        assert vol.drain(60), "the spool did not drain after S3 came back"
        segs = index.between("cam-1", *ALL)
        assert {s.location for s in segs} == {"remote"}
        for s in segs:  # the index points at the object keys; the bytes are the spooled ones
            assert vol.local_path(s.key) is None
            assert vol.read(s.key) == spooled[s.key]
            head = vol.client.head_object(Bucket=bucket, Key="rec/" + s.key)
            assert head["ContentLength"] == s.bytes
        out = tmp_path / "back.mp4"
        out.write_bytes(vol.read(segs[0].key))
        assert probe(out).packets == 75  # 3 s at 25 fps
        assert rec.metrics.upload_failures.labels("city")._value.get() >= 1
    finally:
        rec.stop()
        gate.shut()
        store.close()


def test_refused_credentials_are_one_clear_error_and_nothing_is_lost(
    seaweed: SeaweedS3, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    vol = S3Volume("city", bucket="kuzet-denied", spool=tmp_path / "spool",
                   endpoint=seaweed.endpoint, access_key=seaweed.access_key,
                   secret_key="not-the-secret", timeout_s=3.0, retry_max_s=1.0)  # fmt: skip
    key = "cam-1/2026/12/06/10/cam-1_20261206T100000.000000Z.mp4"
    vol.commit(key, stage(vol, key, b"segment"))
    vol.start()
    try:
        time.sleep(2.0)
        assert vol.spool_count() == 1 and vol.read(key) == b"segment"  # kept, readable
        assert vol.last_error is not None and not vol.available
        errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        expected = "S3 bucket 'kuzet-denied' is not usable (access denied (403): check access_key"
        assert any(expected in m for m in errors), errors
    finally:
        vol.close()
