"""Writing, merging and searching the Parquet track index (scripted rows: logic only)."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kuzet.archive import ArchiveQueryError, TrackIndex, TrackIndexWriter, TrackQuery
from kuzet.archive.files import compact, files_for, scan
from kuzet.config.archive import ArchiveConfig
from kuzet.config.rules import LineConfig, ZoneConfig

from .conftest import DAY, row

DAY_END = DAY + timedelta(days=1)
GATE = LineConfig(name="g", points=((300, 100), (300, 500)), in_point=(400, 300))


def q(**kw: object) -> TrackQuery:
    base: dict[str, object] = {"since": DAY, "until": DAY_END}
    return TrackQuery(**(base | kw))  # type: ignore[arg-type]


@pytest.fixture
def idx(tmp_path: Path) -> TrackIndex:
    w = TrackIndexWriter(tmp_path, ArchiveConfig())
    w.add(row("cam-1", 1, 3600, upper_colour="red", lower_colour="blue"), b"\xff\xd8jpeg")
    w.add(row("cam-1", 2, 7200, upper_colour="blue"))
    w.add(row("cam-1", 3, 7300, path=[(500, 300), (100, 300)], upper_colour="red"))
    w.flush()
    w.add(row("cam-1", 4, 9000, path=[(100, 50), (500, 50)], upper_colour="red"))  # above
    w.add(row("cam-2", 1, 3700, cls="car", upper_colour="red"))
    w.add(row("cam-2", 9, 100, day=DAY + timedelta(days=1), upper_colour="red"))  # next day
    w.flush()
    return TrackIndex(tmp_path)


def ids(page: object) -> list[tuple[str, int]]:
    return [(h.camera_id, h.track_id) for h in page.items]  # type: ignore[attr-defined]


def test_filters_time_camera_class_attributes(idx: TrackIndex) -> None:
    assert ids(idx.search(q())) == [
        ("cam-1", 4),
        ("cam-1", 3),
        ("cam-1", 2),
        ("cam-2", 1),
        ("cam-1", 1),
    ]
    red = idx.search(q(attributes={"upper_colour": ("red",)}, cameras=frozenset({"cam-1"})))
    assert ids(red) == [("cam-1", 4), ("cam-1", 3), ("cam-1", 1)]
    both = q(attributes={"upper_colour": ("red",), "lower_colour": ("blue",)})
    assert ids(idx.search(both)) == [("cam-1", 1)]
    assert ids(idx.search(q(classes=("car",)))) == [("cam-2", 1)]
    window = q(since=DAY + timedelta(seconds=7205), until=DAY + timedelta(seconds=7301))
    assert ids(idx.search(window)) == [("cam-1", 3), ("cam-1", 2)]  # overlap, not containment
    assert ids(idx.search(q(cameras=frozenset()))) == []
    h = idx.search(q(attributes={"lower_colour": ("blue",)})).items[0]
    assert h.attributes == {"upper_colour": "red", "lower_colour": "blue"} and h.snapshot
    assert h.at == h.start == DAY + timedelta(seconds=3600)
    assert idx.snapshot(h.ref) == b"\xff\xd8jpeg"
    assert idx.snapshot("cam-1:1:2:0") is None and idx.snapshot("../../etc:1:2:0") is None


def test_pages_follow_the_cursor_without_gaps_or_repeats(idx: TrackIndex) -> None:
    seen, cursor, pages = [], None, 0
    while True:
        page = idx.search(q(limit=2, cursor=cursor))
        seen += ids(page)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ids(idx.search(q())) and pages == 3


def test_a_line_drawn_after_the_fact(idx: TrackIndex) -> None:
    cam1 = frozenset({"cam-1"})
    page = idx.search(q(cameras=cam1, line=GATE))
    assert ids(page) == [("cam-1", 3), ("cam-1", 2), ("cam-1", 1)]  # 4 passes above it
    h = page.items[-1]
    assert h.at == DAY + timedelta(seconds=3600 + 5)  # halfway along a 10 s walk
    assert h.crossings == [(h.at, "in")]
    assert ids(idx.search(q(cameras=cam1, line=GATE, direction="out"))) == [("cam-1", 3)]
    red_in = q(cameras=cam1, line=GATE, direction="in", attributes={"upper_colour": ("red",)})
    assert ids(idx.search(red_in)) == [("cam-1", 1)]
    paged = idx.search(q(cameras=cam1, line=GATE, limit=2))
    assert ids(paged) == [("cam-1", 3), ("cam-1", 2)] and paged.next_cursor
    rest = idx.search(q(cameras=cam1, line=GATE, limit=2, cursor=paged.next_cursor))
    assert ids(rest) == [("cam-1", 1)] and rest.next_cursor is None
    traj = idx.search(q(cameras=cam1, line=GATE, trajectory=True)).items[-1].trajectory
    assert traj == [[100, 300, 0], [500, 300, 10000]]


def test_a_zone_drawn_after_the_fact(idx: TrackIndex) -> None:
    lawn = ZoneConfig(name="z", points=[(250, 0), (350, 0), (350, 100), (250, 100)])
    page = idx.search(q(cameras=frozenset({"cam-1"}), zone=lawn))
    assert ids(page) == [("cam-1", 4)]
    assert page.items[0].at == DAY + timedelta(seconds=9000 + 3.75)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"until": DAY}, "until"),  # empty
        ({"since": DAY_END, "until": DAY}, "until"),  # inverted
        ({"until": DAY + timedelta(days=40)}, "until"),  # longer than the limit
        ({"since": datetime(2026, 12, 6)}, "since"),  # no time zone
        ({"limit": 0}, "limit"),
        ({"attributes": {"hat": ("red",)}}, "attr"),
        ({"line": GATE}, "line"),  # a line needs one camera
        (
            {
                "line": GATE,
                "zone": ZoneConfig(name="z", points=[(0, 0), (9, 0), (9, 9)]),
                "cameras": frozenset({"c"}),
            },
            "zone",
        ),
        ({"cameras": frozenset({"a/../b"})}, "camera_id"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_queries_are_clear_errors(idx: TrackIndex, kw: dict[str, object], field: str) -> None:
    with pytest.raises(ArchiveQueryError) as err:
        idx.search(q(**kw))
    assert err.value.field == field and err.value.message


def test_the_range_limit_is_configurable(tmp_path: Path) -> None:
    short = TrackIndex(tmp_path, max_range=timedelta(hours=6))
    with pytest.raises(ArchiveQueryError, match="at most 6 hours"):
        short.search(q())
    assert short.search(q(until=DAY + timedelta(hours=6))).items == []  # nothing written: fine


def test_compaction_merges_dedupes_and_readers_never_double_count(
    idx: TrackIndex, tmp_path: Path
) -> None:
    part = tmp_path / "day=2026-12-06" / "camera=cam-1"
    live, _ = scan(part)
    assert len(live) == 2
    before = ids(idx.search(q()))
    # a compaction interrupted after its rename, before its deletes: both on disk
    keep = [Path(str(f.path) + ".keep") for f in live]
    for f, k in zip(live, keep, strict=True):
        shutil.copy(f.path, k)
    assert compact(part) == 2
    for f, k in zip(live, keep, strict=True):
        os.replace(k, f.path)
    assert len(list(part.glob("*.parquet"))) == 3
    assert ids(idx.search(q())) == before  # covered files are skipped
    # the same rows written again (a file analysed twice) disappear on the next merge
    w = TrackIndexWriter(tmp_path)
    w.add(row("cam-1", 2, 7200, upper_colour="blue"))
    w.flush()
    assert compact(part) == 2  # the merged file + the new one (stale ones deleted)
    (only,) = list(part.glob("*.parquet"))
    assert pq.read_metadata(only).num_rows == 4
    assert ids(idx.search(q())) == before


def test_writer_compacts_finished_days_and_purges_old_ones(tmp_path: Path) -> None:
    w = TrackIndexWriter(tmp_path, ArchiveConfig(compact_files=3, retention_days=30))
    for i in range(3):
        w.add(row("cam-1", i, 60 * i))
        w.flush()
    part = tmp_path / "day=2026-12-06" / "camera=cam-1"
    assert w.compact_due(today=date(2026, 12, 6)) == 1  # 3 files: merged while the day runs
    w.add(row("cam-1", 9, 999))
    w.flush()
    assert w.compact_due(today=date(2026, 12, 6)) == 0  # 2 files: the day goes on
    assert w.compact_due(today=date(2026, 12, 7)) == 1  # the day is over: one file
    assert len(list(part.glob("*.parquet"))) == 1
    assert w.purge(today=date(2027, 1, 4)) == 0
    assert w.purge(today=date(2027, 1, 6)) == 1 and not part.exists()


def test_a_failed_write_keeps_the_rows(tmp_path: Path) -> None:
    blocker = tmp_path / "day=2026-12-06"
    blocker.write_text("a file where a folder must go")
    w = TrackIndexWriter(tmp_path)
    w.add(row("cam-1", 1, 10))
    assert w.flush() == 0 and w.waiting == 1
    blocker.unlink()
    assert w.flush() == 1
    assert files_for(tmp_path, [DAY.date()], None)


def test_close_writes_what_is_buffered(tmp_path: Path) -> None:
    w = TrackIndexWriter(tmp_path, ArchiveConfig(flush_s=3600)).start()
    w.add(row("cam-1", 1, 10))
    w.close()
    assert ids(TrackIndex(tmp_path).search(q())) == [("cam-1", 1)]


def test_tracks_at_finds_the_rows_of_sightings(idx: TrackIndex, tmp_path: Path) -> None:
    w = TrackIndexWriter(tmp_path)
    w.add(row("cam-1", 1, 20000, upper_colour="green"))  # track ids restarted with the service
    w.flush()
    found = [
        ("cam-2", 1, DAY + timedelta(seconds=3705)),
        ("cam-1", 1, DAY + timedelta(seconds=20003)),
        ("cam-1", 2, DAY + timedelta(hours=9)),  # no such track then
        ("cam-1", 1, DAY + timedelta(seconds=3601)),
    ]
    got = idx.tracks_at(found)
    assert [None if h is None else (h.camera_id, h.track_id, h.attributes["upper_colour"])
            for h in got] == [("cam-2", 1, "red"), ("cam-1", 1, "green"), None,
                              ("cam-1", 1, "red")]  # fmt: skip
    assert idx.tracks_at([]) == []


def test_a_compaction_under_a_running_search_is_retried(
    idx: TrackIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ids(idx.search(q()))
    real = idx.layout.files_for
    calls = []

    def listed_then_compacted(*a: object) -> list[str]:
        files = real(*a)  # type: ignore[arg-type]
        if not calls:  # the files are listed, then merged away before DuckDB opens them
            compact(tmp_path / "day=2026-12-06" / "camera=cam-1")
        calls.append(1)
        return files

    monkeypatch.setattr(idx.layout, "files_for", listed_then_compacted)
    assert ids(idx.search(q())) == before and len(calls) == 2
