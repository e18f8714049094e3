"""Track-index ingest: what the pipeline pays per frame, and rows/s to Parquet.

1. Collector: the real tracks of vtest.avi (``tests/rules/data/vtest_tracks.txt``, NanoDet +
   ByteTrack at 5 fps) replayed through :class:`kuzet.archive.collector.TrackCollector` on
   a 768x576 picture (snapshot crops and JPEGs included): microseconds per frame and per
   finished track.
2. Writer: SYNTHETIC rows (24-vertex trajectories, colours) for ``--cameras`` cameras
   through :class:`kuzet.archive.TrackIndexWriter` (``add`` from the detector thread,
   ``flush`` to one Parquet file per camera-day), then the compaction of the small files.

    .venv/bin/python bench/archive_ingest.py [--rows 1000000] [--cameras 100] [--s3]

``--s3`` writes the same rows to a bucket instead (SeaweedFS started on loopback, as in
archive_search.py): each flush goes to the local spool and is uploaded at once, and the
compaction reads, merges and PUTs through pyarrow's S3 filesystem.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kuzet.archive import TrackIndexWriter, TrackRow
from kuzet.archive.collector import TrackCollector
from kuzet.archive.files import compact
from kuzet.archive.s3 import S3Layout
from kuzet.config.archive import ArchiveConfig
from kuzet.core import COCO_CLASSES, Detections, Frame

TRACKS = Path(__file__).resolve().parents[1] / "tests" / "rules" / "data" / "vtest_tracks.txt"
T0 = datetime(2026, 12, 6, 10, tzinfo=UTC).timestamp()


def collector_cost(repeats: int) -> None:
    rows = np.loadtxt(TRACKS, delimiter=",")
    frames: dict[int, list[np.ndarray]] = defaultdict(list)
    for r in rows:
        frames[int(r[0])].append(r)
    image = np.full((576, 768, 3), 100, np.uint8)
    dets = []
    for f in sorted(frames):
        a = np.array(frames[f])
        xyxy = np.stack([a[:, 2], a[:, 3], a[:, 2] + a[:, 4], a[:, 3] + a[:, 5]], 1)
        dets.append(
            (
                f,
                Detections(
                    xyxy.astype(np.float32),
                    a[:, 6].astype(np.float32),
                    a[:, 7].astype(np.int32),
                    tracker_id=a[:, 1].astype(np.int64),
                ),
            )
        )
    n_rows = 0
    t = time.perf_counter()
    for k in range(repeats):
        out: list[TrackRow] = []
        c = TrackCollector("cam", COCO_CLASSES, lambda row, jpg, o=out: o.append(row))
        base = T0 + k * 100
        for f, d in dets:
            c.enrich(Frame("cam", f, (f - 1) / 10, base + (f - 1) / 10, image), d)
        c.finish()
        c.observe([])
        n_rows += len(out)
    dt = time.perf_counter() - t
    n_frames = len(dets) * repeats
    boxes = len(rows) * repeats
    print(
        f"collector: {n_frames} frames, {boxes} tracked boxes, {n_rows} rows in {dt:.2f} s: "
        f"{dt / n_frames * 1e6:.0f} us a frame ({boxes / n_frames:.1f} boxes), "
        f"{dt / boxes * 1e6:.1f} us a box"
    )


def synthetic_rows(n: int, cameras: int, seed: int = 1) -> list[TrackRow]:
    rng = np.random.default_rng(seed)
    colours = ["black", "grey", "white", "red", "blue", "green", "brown"]
    out = []
    for i in range(n):
        nv = int(rng.integers(2, 47))
        xy = np.cumsum(rng.normal(0, 15, (nv, 2)), axis=0) + rng.uniform(100, 900, 2)
        start = int((T0 + i * 0.05) * 1e6)
        out.append(
            TrackRow(
                camera_id=f"cam-{i % cameras:04d}",
                track_id=i,
                part=0,
                start_us=start,
                end_us=start + 12_000_000,
                class_name="person",
                score=0.71,
                frames=60,
                frame_w=1920,
                frame_h=1080,
                xs=xy[:, 0].astype(np.int16),
                ys=xy[:, 1].astype(np.int16),
                ts_ms=np.linspace(0, 12000, nv).astype(np.int32),
                attributes={"upper_colour": colours[i % 7], "lower_colour": colours[i % 5]},
            )
        )
    return out


def writer_rate(n: int, cameras: int, flushes: int, s3: S3Layout | None = None) -> None:
    rows = synthetic_rows(n, cameras)
    root = Path(tempfile.mkdtemp(prefix="kuzet-archive-ingest-"))
    try:
        w = TrackIndexWriter(root if s3 is None else s3, ArchiveConfig(flush_rows=10**9))
        per = n // flushes
        t = time.perf_counter()
        t_add = 0.0
        for k in range(flushes):
            a = time.perf_counter()
            for r in rows[k * per : (k + 1) * per]:
                w.add(r)
            t_add += time.perf_counter() - a
            w.flush()
        dt = time.perf_counter() - t
        if s3 is not None:
            assert s3.spooled() == 0, "uploads failed"
            print(
                f"writer to {s3.where}: {per * flushes:,} rows, {cameras} cameras, {flushes} "
                f"flushes ({s3.uploaded} objects) in {dt:.2f} s: {per * flushes / dt:,.0f} rows/s"
            )
            t = time.perf_counter()
            merged = w.compact_due(force=True)
            dt = time.perf_counter() - t
            print(f"compaction on S3: {merged} camera-days in {dt:.2f} s: "
                  f"{per * flushes / dt:,.0f} rows/s")  # fmt: skip
            return
        files = list(root.rglob("*.parquet"))
        print(
            f"writer: {per * flushes:,} rows, {cameras} cameras, {flushes} flushes "
            f"({len(files)} files) in {dt:.2f} s: {per * flushes / dt:,.0f} rows/s; "
            f"add() alone {t_add / (per * flushes) * 1e6:.2f} us a row"
        )
        t = time.perf_counter()
        merged = sum(compact(d) > 0 for d in {f.parent for f in files})
        dt = time.perf_counter() - t
        print(
            f"compaction: {merged} camera-days, {len(files)} files -> {merged} in {dt:.2f} s: "
            f"{per * flushes / dt:,.0f} rows/s"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cameras", type=int, default=100)
    ap.add_argument("--flushes", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="20k rows, 10 cameras, 1 repeat")
    ap.add_argument("--s3", action="store_true", help="also write to S3 (SeaweedFS)")
    args = ap.parse_args()
    if args.quick:
        args.rows, args.cameras, args.repeats = 20_000, 10, 1
    collector_cost(args.repeats)
    writer_rate(args.rows, args.cameras, args.flushes)
    if args.s3:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _archive_s3 import s3_endpoint

        scratch = Path(tempfile.mkdtemp(prefix="kuzet-ingest-seaweed-"))
        args.s3_endpoint = None
        with s3_endpoint(args, scratch) as (url, key, secret):
            spool = Path(tempfile.mkdtemp(prefix="kuzet-ingest-spool-"))
            lay = S3Layout(
                bucket=f"kuzet-ingest-{uuid.uuid4().hex[:8]}", endpoint=url, prefix="archive",
                access_key=key, secret_key=secret, spool=spool,
            )  # fmt: skip
            try:
                writer_rate(args.rows, args.cameras, args.flushes, lay)
            finally:
                shutil.rmtree(spool, ignore_errors=True)


if __name__ == "__main__":
    main()
