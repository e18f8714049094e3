"""kill -9 in the middle of a segment, then restart: the torn segment is repaired (its whole
fragments kept) or dropped; no corrupt file is ever indexed, so none is ever served."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.config import parse_site
from kuzet.record import SegmentIndex
from kuzet.record.fmp4 import complete_length, top_boxes
from kuzet.record.probe import probe
from kuzet.record.repair import repair_staging
from kuzet.record.service import Recording
from kuzet.schema import open_store
from kuzet.storage import LocalVolume

pytestmark = pytest.mark.slow

RUN = """
import sys, time
from kuzet.config import load_site
from kuzet.record.service import Recording
from kuzet.schema import open_store
site = load_site(sys.argv[1])
store = open_store(site.store.url)
Recording(site, store.engine).start()
print("STARTED", flush=True)
time.sleep(600)
"""


def site_yaml(tmp_path: Path, clip: Path) -> Path:
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'kuzet.db'}'}}\n"
        "record: {enabled: true, segment_s: 60}\n"
        f"cameras:\n  - {{id: cam-1, main_url: '{clip}', loop: true}}\n"
    )
    return site


def test_kill_9_mid_segment_then_restart(tmp_path: Path, h264_clip: Path) -> None:
    site_file = site_yaml(tmp_path, h264_clip)
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(site_file)], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().startswith("STARTED")
    volume = LocalVolume("default", tmp_path / "var" / "recordings")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # three whole 1 s fragments on disk, mid-segment
        staged = list(volume.staged_files())
        if staged and sum(b.type == "mdat" for b in top_boxes(staged[0])[0]) >= 3:
            break
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    (torn,) = volume.staged_files()
    assert complete_length(torn) > 0
    killed_at = datetime.now(UTC)

    # restart: the same site, a new process (here: in this one)
    site = parse_site(site_file.read_text(), source=str(site_file))
    store = open_store(site.store.url)
    rec = Recording(site, store.engine, realtime=True)
    rec.start()
    try:
        assert not list(volume.staged_files())  # repaired before anything else ran
        index = SegmentIndex(store.engine)
        first = index.between("cam-1", killed_at - timedelta(minutes=5), killed_at)
        assert len(first) == 1  # the torn segment, kept up to its last whole fragment
        seg = first[0]
        path = volume.local_path(seg.key)
        assert path is not None and path.stat().st_size == seg.bytes
        kept = probe(path)
        assert kept.packets >= 75  # the 3 whole 1 s fragments at 25 fps, every packet readable
        # the index describes the file that was kept: its length is the file's own
        assert seg.duration_s == pytest.approx(kept.duration_s, abs=0.05)
        deadline = time.monotonic() + 20
        while rec.recorders["cam-1"].status.state != "recording" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rec.recorders["cam-1"].status.state == "recording"
    finally:
        rec.stop()
    after = index.between("cam-1", killed_at - timedelta(minutes=5), datetime.now(UTC))
    assert len(after) == 2  # the repaired one and the one written after the restart
    gaps = index.gaps("cam-1", seg.start, datetime.now(UTC))
    assert [g.reason for g in gaps] == ["recorder not running"]
    assert gaps[0].start == seg.end and gaps[0].end == after[1].start
    for s in after:  # nothing corrupt is indexed
        p = volume.local_path(s.key)
        assert p is not None
        probe(p)
    store.close()


def test_a_staging_file_without_a_whole_fragment_is_dropped(
    tmp_path: Path, h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    from .test_record_file import record_file

    record_file(h264_clip, index, volume, segment_s=3.0)
    good = index.between(
        "cam-1", datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    data = (volume.local_path(good[0].key) or Path()).read_bytes()
    moov_end = good[0].init_size
    cases = {
        "cam-2/2026/12/06/10/cam-2_20261206T100000.000000Z.mp4": data[: moov_end - 10],  # torn moov
        "cam-2/2026/12/06/10/cam-2_20261206T100010.000000Z.mp4": data[
            : moov_end + 400
        ],  # no whole fragment
        "cam-2/2026/12/06/10/cam-2_20261206T100020.000000Z.mp4": b"\x00" * 5000,  # garbage
    }
    for key, body in cases.items():
        volume.staging_path(key).write_bytes(body)
    # a whole first fragment followed by junk: kept up to the junk
    key_ok = "cam-2/2026/12/06/10/cam-2_20261206T100030.000000Z.mp4"
    frag_end = next(
        b for b in top_boxes(volume.local_path(good[0].key) or Path())[0] if b.type == "mdat"
    ).end
    volume.staging_path(key_ok).write_bytes(data[:frag_end] + os.urandom(3000))
    rep = repair_staging(volume, index)
    assert (rep.repaired, rep.dropped) == (1, 3)
    assert not list(volume.staged_files())
    assert all(not volume.exists(k) for k in cases)
    seg = index.find_key("default", key_ok)
    assert seg is not None and seg.bytes == frag_end
    assert seg.start == datetime(2026, 12, 6, 10, 0, 30, tzinfo=UTC)
    kept = probe(volume.local_path(key_ok) or Path())
    assert kept.packets == round(seg.duration_s * 25) == 25  # one GOP: 25 frames at 25 fps


def test_committed_files_without_a_row_are_indexed_on_start(
    h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    """Killed between the rename and the insert: the file is found and indexed; a file
    retention had already deleted (its key in rec_trash) is not brought back."""
    from sqlalchemy import insert

    from kuzet.record.repair import reindex_orphans
    from kuzet.record.tables import TrashRow

    from .test_record_file import record_file

    record_file(h264_clip, index, volume, segment_s=3.0)
    span = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    segs = index.between("cam-1", *span)
    lost, trashed = segs[-1], segs[0]
    index.remove([lost.id, trashed.id])
    with index.engine.begin() as c:
        c.execute(insert(TrashRow).values(volume="default", key=trashed.key, since=trashed.end))
    assert reindex_orphans(volume, index, ["cam-1"]) == 1
    back = index.find_key("default", lost.key)
    assert back is not None and (back.start, back.bytes) == (lost.start, lost.bytes)
    assert abs((back.end - lost.end).total_seconds()) < 0.05
    assert index.find_key("default", trashed.key) is None
    assert reindex_orphans(volume, index, ["cam-1"]) == 0  # idempotent
