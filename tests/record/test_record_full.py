"""A volume over its quota, and a disk that really fills up (tmpfs): the oldest segments go,
the recorder never crashes, what was written stays readable, other cameras go on."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from services import require_service

from kuzet.config import parse_site
from kuzet.config.models import SiteConfig
from kuzet.record import SegmentIndex
from kuzet.record.probe import probe
from kuzet.record.service import Recording
from kuzet.schema import open_store

pytestmark = pytest.mark.slow
ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def make_site(tmp_path: Path, clip: Path, small: str) -> SiteConfig:
    return parse_site(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'kuzet.db'}'}}\n"
        "record:\n  enabled: true\n  segment_s: 1\n  retention_interval_s: 1\n"
        f"  volumes:\n    default: {{type: local}}\n    small: {small}\n"
        "  cameras: {cam-1: {volume: small}}\n"
        f"cameras:\n  - {{id: cam-1, main_url: '{clip}', loop: true}}\n"
        f"  - {{id: cam-2, main_url: '{clip}', loop: true}}\n"
    )


def run_for(rec: Recording, seconds: float, until: object = None) -> None:
    rec.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.2)


def check_readable(rec: Recording, index: SegmentIndex, cam: str) -> list[float]:
    vol = rec.volume(rec.settings[cam].volume)
    sizes = []
    for s in index.between(cam, *ALL):
        path = vol.local_path(s.key)
        assert path is not None, s
        assert probe(path).packets > 0
        sizes.append(s.bytes)
    return sizes


def test_quota_reached_oldest_go_and_other_cameras_go_on(tmp_path: Path, h264_clip: Path) -> None:
    # ~140 kB per 1 s segment: a 450 kB quota holds about three
    site = make_site(tmp_path, h264_clip, "{type: local, path: small, quota_gb: 0.00042}")
    store = open_store(site.store.url)
    index = SegmentIndex(store.engine)
    rec = Recording(site, store.engine)
    try:
        run_for(rec, 7.0)
    finally:
        rec.stop()
    rec.run_retention()
    cam1 = check_readable(rec, index, "cam-1")
    cam2 = check_readable(rec, index, "cam-2")
    assert rec.recorders["cam-1"].status.segments >= 5
    assert sum(cam1) <= 0.00042 * (1 << 30) and len(cam1) < rec.recorders["cam-1"].status.segments
    assert len(cam2) == rec.recorders["cam-2"].status.segments >= 5  # untouched
    kept = index.between("cam-1", *ALL)
    assert kept[-1].end == rec.recorders["cam-1"].status.last_end  # the newest were kept
    assert rec.metrics.deleted.labels("small", "quota")._value.get() >= 2
    store.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 600 kB filesystem (tmpfs): writes on it really fail with ENOSPC."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0:
        require_service("root", "mounting a tmpfs needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_is_survived(tmp_path: Path, h264_clip: Path, tiny_disk: Path,
                               caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    site = make_site(tmp_path, h264_clip, f"{{type: local, path: '{tiny_disk}', min_free_gb: 0}}")
    store = open_store(site.store.url)
    index = SegmentIndex(store.engine)
    rec = Recording(site, store.engine)
    cam1 = rec.recorders["cam-1"]
    try:
        rec.start()
        deadline = time.monotonic() + 30
        while cam1.status.write_errors == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cam1.status.write_errors >= 1, "the tiny disk never filled up"
        full_at = time.time()
        n = cam1.status.segments
        while cam1.status.segments < n + 3 and time.monotonic() < deadline + 15:
            time.sleep(0.1)
    finally:
        rec.stop()
    assert cam1.status.state == "stopped"  # no crash: it stopped when asked
    assert cam1.status.segments >= n + 3  # recording went on once space was freed
    assert index.between("cam-1", *ALL)[-1].start.timestamp() > full_at
    check_readable(rec, index, "cam-1")  # nothing corrupt was indexed
    assert rec.metrics.write_errors.labels("cam-1", "disk_full")._value.get() >= 1
    assert rec.metrics.deleted.labels("small", "disk")._value.get() >= 1
    assert any("no space left" in r.getMessage() for r in caplog.records)
    cam2 = check_readable(rec, index, "cam-2")
    assert (
        len(cam2) == rec.recorders["cam-2"].status.segments
        and not rec.recorders["cam-2"].status.write_errors
    )
    assert not list((tiny_disk / ".staging").glob("*.part"))
    store.close()
