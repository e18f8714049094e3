"""The index, holds and retention on both stores: SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kuzet.record import EvidenceHolds, NewSegment, SegmentIndex
from kuzet.record.retention import Retention
from kuzet.schema import open_store
from kuzet.storage import LocalVolume

T = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_index_holds_retention(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    try:
        index = SegmentIndex(store.engine)
        vol = LocalVolume("default", tmp_path / "v")
        ids = []
        for i in range(6):
            start = T - timedelta(days=10) + timedelta(seconds=10 * i)
            key = f"cam-1/x/cam-1_{i}.mp4"
            staged = vol.staging_path(key)
            staged.write_bytes(b"x" * 100)
            vol.commit(key, staged)
            end = start + timedelta(seconds=10)
            seg = NewSegment("cam-1", start, end, 100, "default", key, "local", 10, "h264", 64, 36)
            ids.append(index.add(seg))
        assert len(set(ids)) == 6 and all(ids)
        mid = T - timedelta(days=10) + timedelta(seconds=25)
        seg = index.at("cam-1", mid)
        assert seg is not None and seg.id == ids[2] and seg.start.tzinfo is not None
        assert [s.id for s in index.between("cam-1", mid, mid + timedelta(seconds=10))] == ids[2:4]
        gid = index.open_gap("cam-1", T - timedelta(days=9), "connection refused")
        assert index.gaps("cam-1", T - timedelta(days=30), T)[0].end is None
        index.close_gap(gid, T - timedelta(days=9) + timedelta(minutes=1))
        assert index.usage("default") == (6, 600)
        index.set_location("default", "cam-1/x/cam-1_0.mp4", "remote")
        assert index.find_key("default", "cam-1/x/cam-1_0.mp4").location == "remote"  # type: ignore[union-attr]
        holds = EvidenceHolds(store.engine)
        h = holds.place("cam-1", mid, mid + timedelta(seconds=1), kind="incident", ref="inc-1",
                        reason="open incident", actor="ops")  # fmt: skip
        assert [x.id for x in holds.active("cam-1")] == [h.id]
        rep = Retention(store.engine, index, {"default": vol}, {"cam-1": 7}, 7).run(now=T)
        assert rep.deleted == {"days": 5}
        assert [s.id for s in index.between("cam-1", T - timedelta(days=30), T)] == [ids[2]]
        assert holds.release_ref("incident", "inc-1", actor="ops", reason="closed") == 1
        assert holds.active("cam-1") == []
        assert (
            Retention(store.engine, index, {"default": vol}, {"cam-1": 7}, 7).run(now=T).total == 1
        )
    finally:
        store.close()
