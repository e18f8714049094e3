"""The track index on S3 (a real SeaweedFS): the same rows give the same answers as the
local folder, compaction keeps the skip-covered rule, and an outage loses nothing.

Rows are scripted (logic only), as in test_index.py.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs
import pytest
from netgate import Gate
from pydantic import ValidationError
from seaweed import SeaweedS3, seaweed_missing
from services import require_service

from kuzet.archive import ArchiveUnavailable, TrackIndex, TrackIndexWriter, TrackQuery
from kuzet.archive.s3 import S3Layout
from kuzet.archive.schema import TrackRow
from kuzet.config import parse_site
from kuzet.config.archive import ArchiveConfig
from kuzet.config.rules import LineConfig, ZoneConfig

from .conftest import DAY, row

pytestmark = pytest.mark.slow
DAY_END = DAY + timedelta(days=1)
GATE = LineConfig(name="g", points=((300, 100), (300, 500)), in_point=(400, 300))
LAWN = ZoneConfig(name="z", points=[(250, 0), (350, 0), (350, 100), (250, 100)])


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    why = seaweed_missing()
    if why is not None:
        require_service("seaweedfs", why)
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed-archive")).start()
    yield server
    server.stop()


def layout(s3: SeaweedS3, spool: Path, endpoint: str | None = None) -> S3Layout:
    return S3Layout(
        bucket=f"kuzet-index-{uuid.uuid4().hex[:8]}", spool=spool, prefix="city/archive",
        endpoint=endpoint or s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key,
        timeout_s=2.0,
    )  # fmt: skip


def batches() -> list[list[tuple[TrackRow, bytes | None]]]:
    """Three flushes over two cameras and two days; one track twice (a file analysed
    again), pictures on some."""
    return [
        [
            (row("cam-1", 1, 3600, upper_colour="red", lower_colour="blue"), b"\xff\xd8one"),
            (row("cam-1", 2, 7200, upper_colour="blue"), None),
            (row("cam-1", 3, 7300, path=[(500, 300), (100, 300)], upper_colour="red"), None),
        ],
        [
            (row("cam-1", 4, 9000, path=[(100, 50), (500, 50)], upper_colour="red"), b"four"),
            (row("cam-2", 1, 3700, cls="car", upper_colour="red"), None),
            (row("cam-2", 9, 100, day=DAY + timedelta(days=1), upper_colour="red"), None),
        ],
        [
            (row("cam-1", 5, 20000, upper_colour="red", carried_bag="backpack"), None),
            (row("cam-1", 1, 3600, upper_colour="red", lower_colour="blue"), None),  # again
        ],
    ]


def write(w: TrackIndexWriter) -> None:
    for batch in batches():
        for r, jpeg in batch:
            w.add(r, jpeg)
        w.flush()


def q(**kw: Any) -> TrackQuery:
    return TrackQuery(**({"since": DAY, "until": DAY_END} | kw))


QUERIES: list[dict[str, Any]] = [
    {},
    {"cameras": frozenset({"cam-1"}), "attributes": {"upper_colour": ("red",)}},
    {"attributes": {"upper_colour": ("red",), "lower_colour": ("blue",)}},
    {"classes": ("car",)},
    {"since": DAY + timedelta(seconds=7205), "until": DAY + timedelta(seconds=7301)},
    {"until": DAY_END + timedelta(days=1), "attributes": {"upper_colour": ("red",)}},
    {"cameras": frozenset({"cam-1"}), "line": GATE},
    {"cameras": frozenset({"cam-1"}), "line": GATE, "direction": "out"},
    {"cameras": frozenset({"cam-1"}), "line": GATE, "attributes": {"upper_colour": ("red",)}},
    {"cameras": frozenset({"cam-1"}), "zone": LAWN},
    {"cameras": frozenset({"cam-1"}), "line": GATE, "trajectory": True},
]


def answers(idx: TrackIndex) -> list[Any]:
    out: list[Any] = []
    for kw in QUERIES:
        page = idx.search(q(**kw))
        out.append(([(h.ref, h.at, h.crossings, h.attributes, h.trajectory) for h in page.items],
                    page.next_cursor))  # fmt: skip
    pages, cursor = [], None
    while True:  # every page of a paged search, through the cursor
        page = idx.search(q(limit=2, cursor=cursor))
        pages.append([h.ref for h in page.items])
        if (cursor := page.next_cursor) is None:
            break
    out.append(pages)
    out.append([idx.snapshot(h.ref) for h in idx.search(q()).items])
    out.append(idx.frame_size("cam-1"))
    found = [("cam-2", 1, DAY + timedelta(seconds=3705)), ("cam-1", 2, DAY + timedelta(hours=9))]
    out.append([None if h is None else h.ref for h in idx.tracks_at(found)])
    return out


def objects(lay: S3Layout, day: str, cam: str) -> list[str]:
    sel = pafs.FileSelector(f"{lay.base}/day={day}/camera={cam}", allow_not_found=True)
    return sorted(i.base_name for i in lay.fs.get_file_info(sel) if i.type == pafs.FileType.File)


def test_s3_answers_like_the_local_folder_before_and_after_compaction(
    seaweed: SeaweedS3, tmp_path: Path
) -> None:
    local = TrackIndexWriter(tmp_path / "local")
    write(local)
    lay = layout(seaweed, tmp_path / "spool")
    remote = TrackIndexWriter(lay)
    write(remote)
    assert lay.spooled() == 0 and lay.uploaded == 7  # 5 files, 2 pictures
    names = objects(lay, "2026-12-06", "cam-1")
    assert len(names) == 3 and all(n.startswith("p-") for n in names)  # one PUT a flush
    want = answers(TrackIndex(tmp_path / "local"))
    idx = TrackIndex(lay)
    assert answers(idx) == want
    assert len(want[0][0]) == 7 and want[6][0] and b"\xff\xd8one" in want[-3]  # not vacuous

    assert local.compact_due(force=True) == remote.compact_due(force=True) == 1
    [merged] = objects(lay, "2026-12-06", "cam-1")
    seqs = sorted(int(n[2:-8]) for n in names)
    assert merged == f"c-{seqs[0]}-{seqs[-1]}.parquet"  # the PUT, then the inputs deleted
    got = answers(idx)
    assert got == answers(TrackIndex(tmp_path / "local"))
    assert len(got[0][0]) == 6  # the track written twice is one row now


def test_a_reader_between_the_put_and_the_deletes_counts_nothing_twice(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lay = layout(seaweed, tmp_path / "spool")
    w = TrackIndexWriter(lay)
    write(w)
    idx = TrackIndex(lay)
    before = answers(idx)
    deleted: list[str] = []
    monkeypatch.setattr(lay, "_delete", deleted.append)  # the compaction "crashes" after its PUT
    assert lay.compact(DAY.date(), "cam-1") == 3
    names = objects(lay, "2026-12-06", "cam-1")
    assert len(names) == 4 and sum(n.startswith("c-") for n in names) == 1
    mid = answers(idx)  # the covered p- files are skipped: nothing counted twice
    assert len(mid[0][0]) == len(before[0][0]) - 1  # only the track written twice is one row
    assert {h[0] for h in mid[0][0]} == {h[0] for h in before[0][0]}  # and none missing
    monkeypatch.undo()
    assert lay.compact(DAY.date(), "cam-1") == 0  # the next one deletes the leftovers
    assert [n[:2] for n in objects(lay, "2026-12-06", "cam-1")] == ["c-"]
    assert answers(idx) == mid


def test_a_compaction_under_a_running_search_is_retried(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lay = layout(seaweed, tmp_path / "spool")
    write(TrackIndexWriter(lay))
    idx = TrackIndex(lay)
    before = idx.search(q())
    real = lay.files_for
    calls: list[int] = []

    def listed_then_compacted(*a: Any) -> list[str]:
        files = real(*a)
        if not calls:  # listed, then merged away before DuckDB opens them
            lay.compact(DAY.date(), "cam-1")
        calls.append(1)
        return files

    monkeypatch.setattr(lay, "files_for", listed_then_compacted)
    after = idx.search(q()).items
    assert len(calls) == 2 and len(after) == len(before.items) - 1  # the duplicate merged
    assert {h.ref for h in after} == {h.ref for h in before.items}


def test_an_outage_spools_writes_and_uploads_them_later(seaweed: SeaweedS3, tmp_path: Path) -> None:
    gate = Gate(seaweed.endpoint).open()  # the outage: the network to S3, not a restart
    lay = layout(seaweed, tmp_path / "spool", gate.endpoint)
    w = TrackIndexWriter(lay)
    pre = row("cam-3", 7, 500, upper_colour="green")
    w.add(pre, b"pre")
    w.flush()  # the bucket exists, one file and its picture are up
    gate.shut()
    try:
        write(w)  # 8 files and 3 pictures while S3 is down
        assert w.rows_written == 9 and w.rows_lost == 0 and w.waiting == 0
        assert lay.spooled() == 7 and lay.upload_failures >= 1
        assert w.compact_due(force=True) == 0  # nothing merged while files wait to go up
        with pytest.raises(ArchiveUnavailable) as err:
            TrackIndex(lay).search(q())
        assert f"track index storage s3://{lay.bucket}/city/archive at {gate.endpoint}" in str(
            err.value
        )
        spooled = batches()[1][0][0]  # its picture waits in the spool: still served
        assert TrackIndex(lay).snapshot(f"cam-1:{spooled.start_us}:4:0") == b"four"
        with pytest.raises(ArchiveUnavailable):  # this one went up before the outage
            TrackIndex(lay).snapshot(f"cam-3:{pre.start_us}:7:0")
    finally:
        gate.open()
    assert w.upload() == 7 and lay.spooled() == 0
    assert not any(p.is_file() for p in lay.spool.root.rglob("*"))
    w.compact_due(force=True)
    assert [n[:2] for n in objects(lay, "2026-12-06", "cam-1")] == ["c-"]
    local = TrackIndexWriter(tmp_path / "local")
    local.add(row("cam-3", 7, 500, upper_colour="green"), b"pre")
    local.flush()
    write(local)
    local.compact_due(force=True)
    got = answers(TrackIndex(lay))
    assert got == answers(TrackIndex(tmp_path / "local")) and len(got[0][0]) == 7  # all there
    assert TrackIndex(lay).snapshot(f"cam-3:{pre.start_us}:7:0") == b"pre"


def test_a_dead_endpoint_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    lay = S3Layout(bucket="kuzet-index", spool=tmp_path / "spool", prefix="a",
                   endpoint=f"http://127.0.0.1:{port}", access_key="k", secret_key="s",
                   timeout_s=1.0)  # fmt: skip
    w = TrackIndexWriter(lay)
    w.add(row("cam-1", 1, 3600), b"pic")
    assert w.flush() == 1 and lay.spooled() == 2  # kept locally, nothing lost
    with pytest.raises(ArchiveUnavailable, match=rf"s3://kuzet-index/a at http://127.0.0.1:{port}"):
        TrackIndex(lay).search(q())
    with pytest.raises(ArchiveUnavailable):
        TrackIndex(lay).frame_size("cam-1")


def test_a_full_spool_keeps_rows_in_memory_and_says_so(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    lay = S3Layout(bucket="kuzet-index", spool=tmp_path / "spool", endpoint=dead,
                   access_key="k", secret_key="s", timeout_s=1.0, spool_max_bytes=1)  # fmt: skip
    w = TrackIndexWriter(lay)
    w.add(row("cam-1", 1, 3600))
    assert w.flush() == 1 and lay.spooled() == 1  # the first file fits (the spool was empty)
    w.add(row("cam-1", 2, 3700))
    assert w.flush() == 0 and w.waiting == 1 and w.rows_lost == 0  # over the bound: kept
    assert lay.spooled() == 1


def test_a_restarted_writer_uploads_what_the_last_one_spooled(
    seaweed: SeaweedS3, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    first = TrackIndexWriter(layout(seaweed, tmp_path / "spool", endpoint=dead))
    first.add(row("cam-1", 1, 3600, upper_colour="red"), b"pic")
    first.close()  # stops with S3 unreachable: both files stay in the spool
    lay = layout(seaweed, tmp_path / "spool")  # the next run, S3 reachable
    assert lay.spooled() == 2
    w = TrackIndexWriter(lay).start()  # its first pass uploads them
    try:
        w._wake.set()
        for _ in range(100):
            if lay.spooled() == 0:
                break
            time.sleep(0.1)
        [hit] = TrackIndex(lay).search(q()).items
        assert hit.attributes == {"upper_colour": "red"} and TrackIndex(lay).snapshot(hit.ref)
    finally:
        w.close()


def test_the_site_config_reuses_the_recorders_s3_settings(tmp_path: Path) -> None:
    from kuzet.archive.plugin import TrackIndexPlugin
    from kuzet.archive.storage import open_layout
    from kuzet.service import Service

    site = parse_site(
        f"data_dir: {tmp_path}\n"
        "archive:\n  s3: {endpoint: 'http://127.0.0.1:9', bucket: kuzet-index, prefix: idx,\n"
        "       access_key: a, secret_key: b}\n"
    )
    lay = open_layout(site.archive, site.data_dir)
    assert isinstance(lay, S3Layout) and lay.base == "kuzet-index/idx"
    assert lay.spool.root == tmp_path / "spool" / "track-index"
    index = Service._archive_index(site)  # what the API searches
    state = TrackIndexPlugin().setup(site, None)  # type: ignore[arg-type]  # what writes
    assert index is not None and state is not None
    assert isinstance(index.layout, S3Layout) and isinstance(state.writer.layout, S3Layout)
    assert (
        index.layout.where
        == state.writer.layout.where
        == "s3://kuzet-index/idx at http://127.0.0.1:9"
    )
    state.writer.close()
    for bad, field in (({"quota_gb": 5}, "quota_gb"), ({"bucket": "A"}, "bucket"),
                       ({"endpoint": "127.0.0.1:9"}, "endpoint")):  # fmt: skip
        with pytest.raises(ValidationError, match=field):
            ArchiveConfig.model_validate({"s3": {"bucket": "kuzet-index"} | bad})
    with pytest.raises(ValidationError, match="not both"):
        ArchiveConfig.model_validate({"path": "/x", "s3": {"bucket": "kuzet-index"}})
