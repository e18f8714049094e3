"""Retention: days per camera, a volume quota, a disk floor, evidence holds, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.access.audit import AuditLog
from kuzet.record import EvidenceHolds, NewSegment, SegmentIndex
from kuzet.record.metrics import RecordMetrics
from kuzet.record.retention import Retention
from kuzet.storage import LocalVolume, StorageUnavailable
from kuzet.store import Store

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
KB = 1024


def fill(index: SegmentIndex, vol: LocalVolume, cam: str, start: datetime, n: int,
         size: int = KB, step_s: float = 10.0) -> list[str]:  # fmt: skip
    """``n`` contiguous synthetic segments (the bytes are not video: retention never reads them)."""
    keys = []
    for i in range(n):
        t = start + timedelta(seconds=i * step_s)
        key = f"{cam}/{t:%Y/%m/%d/%H}/{cam}_{t:%Y%m%dT%H%M%S.%f}Z.mp4"
        staged = vol.staging_path(key)
        staged.write_bytes(b"x" * size)
        vol.commit(key, staged)
        index.add(NewSegment(cam, t, t + timedelta(seconds=step_s), size, vol.name, key,
                             "local", 100, "h264", 640, 360))  # fmt: skip
        keys.append(key)
    return keys


def left(index: SegmentIndex, cam: str) -> list[str]:
    return [s.key for s in index.between(cam, NOW - timedelta(days=400), NOW + timedelta(days=1))]


def test_days_per_camera(store: Store, index: SegmentIndex, volume: LocalVolume) -> None:
    old1 = fill(index, volume, "cam-1", NOW - timedelta(days=8), 3)
    new1 = fill(index, volume, "cam-1", NOW - timedelta(days=6), 3)
    old2 = fill(index, volume, "cam-2", NOW - timedelta(days=8), 3)  # a school: 30 days
    gone = fill(index, volume, "removed", NOW - timedelta(days=8), 2)  # no longer in the site
    index.add_gap("cam-1", NOW - timedelta(days=9), NOW - timedelta(days=8), "stream ended")
    index.add_gap("cam-1", NOW - timedelta(days=2), NOW - timedelta(days=1), "stream ended")
    m = RecordMetrics()
    ret = Retention(store.engine, index, {"default": volume}, {"cam-1": 7, "cam-2": 30}, 7,
                    metrics=m)  # fmt: skip
    rep = ret.run(now=NOW)
    assert rep.deleted == {"days": 5} and rep.bytes == 5 * KB
    assert left(index, "cam-1") == new1
    gaps = index.gaps("cam-1", NOW - timedelta(days=30), NOW)
    assert [g.start for g in gaps] == [NOW - timedelta(days=2)]  # the old gap went too
    assert left(index, "cam-2") == old2
    assert left(index, "removed") == []
    assert not any(volume.exists(k) for k in old1 + gone)
    assert all(volume.exists(k) for k in new1 + old2)
    assert m.deleted.labels("default", "days")._value.get() == 5
    assert not list((volume.root / "cam-1").glob(f"{(NOW - timedelta(days=8)):%Y/%m/%d}"))


def test_quota_deletes_oldest_first_and_respects_holds(
    store: Store, index: SegmentIndex, tmp_path: Path
) -> None:
    vol = LocalVolume("default", tmp_path / "v", quota_bytes=10 * KB)
    keys = fill(index, vol, "cam-1", NOW - timedelta(hours=1), 20)
    audit = AuditLog(store.engine)
    holds = EvidenceHolds(store.engine, audit)
    first = index.find_key("default", keys[0])
    assert first is not None
    hold = holds.place("cam-1", first.start, first.start + timedelta(seconds=45), kind="export",
                       ref="exp-1", reason="case 2026/77", actor="alice")  # fmt: skip
    m = RecordMetrics()
    ret = Retention(store.engine, index, {"default": vol}, {"cam-1": 7}, 7, metrics=m, audit=audit)
    rep = ret.run(now=NOW)
    # segments 0-4 overlap the 45 s hold; the next oldest go until 10 KB remain
    assert rep.deleted == {"quota": 10}
    assert left(index, "cam-1") == keys[:5] + keys[15:]
    assert index.usage("default") == (10, 10 * KB)
    # the volume stays at its quota; a new segment makes it go over: with every unheld
    # segment of the past already gone except the newest, the oldest unheld go next
    fill(index, vol, "cam-1", NOW, 3)
    ret.run(now=NOW)
    assert left(index, "cam-1")[:5] == keys[:5] and index.usage("default")[1] == 10 * KB
    # only held segments left and still over the quota: reported, nothing held is touched
    vol.quota_bytes = 2 * KB
    rep = ret.run(now=NOW)
    assert rep.blocked == ["default"] and left(index, "cam-1") == keys[:5]
    assert m.held_blocking.labels("default")._value.get() == 1
    holds.release(hold.id, actor="bob", reason="case closed")
    rep = ret.run(now=NOW)
    assert len(left(index, "cam-1")) == 2 and not rep.blocked
    with store.engine.connect() as c:
        rows = c.exec_driver_sql("SELECT actor, action, reason FROM audit_log ORDER BY seq").all()
    assert ("alice", "record.hold.place", "case 2026/77") in rows
    assert ("bob", "record.hold.release", "case closed") in rows
    assert any(r[1] == "record.retention" for r in rows)
    assert audit.verify() == []


def test_hold_until_expires(store: Store, index: SegmentIndex, volume: LocalVolume) -> None:
    keys = fill(index, volume, "cam-1", NOW - timedelta(days=10), 2)
    holds = EvidenceHolds(store.engine)
    holds.place("cam-1", NOW - timedelta(days=11), NOW - timedelta(days=9), kind="bookmark",
                reason="bookmark", actor="op", until=NOW + timedelta(days=1))  # fmt: skip
    ret = Retention(store.engine, index, {"default": volume}, {"cam-1": 7}, 7)
    assert ret.run(now=NOW).total == 0
    assert ret.run(now=NOW + timedelta(days=2)).deleted == {"days": 2}
    assert not any(volume.exists(k) for k in keys)


def test_disk_floor(store: Store, index: SegmentIndex, tmp_path: Path) -> None:
    vol = LocalVolume("default", tmp_path / "v", min_free_bytes=1)
    keys = fill(index, vol, "cam-1", NOW - timedelta(hours=1), 6)
    free = {"bytes": 0}
    vol.free_bytes = lambda: free["bytes"] + KB * (6 - len(left(index, "cam-1")))  # type: ignore[method-assign]
    vol.min_free_bytes = 3 * KB
    rep = Retention(store.engine, index, {"default": vol}, {"cam-1": None}, None).run(now=NOW)
    assert rep.deleted == {"disk": 3} and left(index, "cam-1") == keys[3:]


def test_object_deletion_retried_when_storage_is_down(
    store: Store, index: SegmentIndex, volume: LocalVolume, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = fill(index, volume, "cam-1", NOW - timedelta(days=9), 3)
    real_delete = volume.delete

    def down(key: str) -> None:
        raise StorageUnavailable("volume 'default': connection refused")

    monkeypatch.setattr(volume, "delete", down)
    ret = Retention(store.engine, index, {"default": volume}, {"cam-1": 7}, 7)
    rep = ret.run(now=NOW)
    assert rep.deleted == {"days": 3} and rep.trash_left == 3
    assert left(index, "cam-1") == [] and all(volume.exists(k) for k in keys)
    monkeypatch.setattr(volume, "delete", real_delete)
    assert ret.run(now=NOW).trash_left == 0
    assert not any(volume.exists(k) for k in keys)


def test_a_shard_touches_only_its_own_cameras(
    store: Store, index: SegmentIndex, tmp_path: Path
) -> None:
    """Two shards of a city share the index, their volumes one name ("city") on two disks.
    Shard A's pass must not take shard B's cameras for cameras gone from the site file,
    count B's bytes against its quota, or empty B's trash on its own disk."""
    vol_a = LocalVolume("city", tmp_path / "a", quota_bytes=4 * KB)
    vol_b = LocalVolume("city", tmp_path / "b")
    a_old = fill(index, vol_a, "cam-a", NOW - timedelta(days=8), 2)
    a_new = fill(index, vol_a, "cam-a", NOW - timedelta(hours=1), 4)
    b_school = fill(index, vol_b, "cam-b", NOW - timedelta(days=8), 3)  # B keeps 30 days
    shard_a = Retention(store.engine, index, {"city": vol_a}, {"cam-a": 7}, 7,
                        own_cameras_only=True)  # fmt: skip
    rep = shard_a.run(now=NOW)
    assert left(index, "cam-b") == b_school  # not "a camera gone from the site file"
    assert all(vol_b.exists(k) for k in b_school)
    assert left(index, "cam-a") == a_new  # its own: 7 days, then its quota of 4 KB
    assert rep.deleted == {"days": 2} and not any(vol_a.exists(k) for k in a_old)
    # B's trash (its keys name B's disk) is B's to empty, not A's to mark done
    shard_b = Retention(store.engine, index, {"city": vol_b}, {"cam-b": 1}, 7,
                        own_cameras_only=True)  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vol_b, "delete", lambda key: (_ for _ in ()).throw(OSError("disk gone")))
        assert shard_b.run(now=NOW).trash_left == 3  # deleted from the index, not the disk
    shard_a.run(now=NOW)
    assert all(vol_b.exists(k) for k in b_school)  # A left them
    assert shard_b.run(now=NOW).trash_left == 0
    assert not any(vol_b.exists(k) for k in b_school)
