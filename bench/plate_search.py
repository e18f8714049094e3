"""Plate search latency (exact, wildcard, fuzzy by edit distance) on synthetic plate reads.

    .venv/bin/python bench/plate_search.py [--sizes 100000 1000000] [--days 7]
        [--cameras 500] [--fleet-ratio 0.2] [--repeats 30] [--db-dir DIR]

SYNTHETIC data (logic, not vision): per size, a SQLite store (``make_engine``: WAL, the
store's pragmas, schema by the migrations) is filled through ``write_reads`` (as the
``plates`` consumer writes: reads and ``plate_seen``; batches of 20 000): a fleet of
``size * fleet-ratio`` distinct Kazakh 2012-format private plates (``123ABC02``: three
digits, three letters, region 01-20), each read on random cameras at
random times over ``--days``. Each query kind runs ``--repeats`` times with a different
plate of the fleet through ``kuzet.platedata.reads.search`` (one page of 50, as the API),
and prints p50 / p95 wall milliseconds: exact; a two-character prefix on one camera over
24 h; wildcard with a literal prefix (``123*02``) and without one (``*AB?02``: from the
distinct plates of ``plate_seen``); fuzzy at distance 1 and 2, and at distance 1 over the
last 24 h. The database file is in the OS page cache after the fill.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from kuzet.platedata.reads import Filters, search, write_reads
from kuzet.platedata.text import Query, parse_query
from kuzet.schema import upgrade
from kuzet.store.engine import make_engine

T0 = datetime(2026, 11, 29, tzinfo=UTC)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BATCH = 20_000
console = Console(width=120)


def fleet(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct synthetic KZ private plates."""
    out: set[str] = set()
    while len(out) < n:
        digits = f"{rng.randrange(1000):03d}"
        letters = "".join(rng.choice(LETTERS) for _ in range(3))
        out.add(f"{digits}{letters}{rng.randrange(1, 21):02d}")
    return sorted(out)


def fill(engine: sa.Engine, rng: random.Random, plates: list[str], n: int, days: int,
         cameras: int) -> None:  # fmt: skip
    """Through ``write_reads``, as the consumer writes them (rows and ``plate_seen``)."""
    span = days * 86_400
    for s in range(0, n, BATCH):
        rows = []
        for i in range(s, min(n, s + BATCH)):
            plate = rng.choice(plates)
            rows.append({
                "event_id": f"ev-{i:09d}", "plate": plate, "plate_display": plate,
                "plate_format": "kz_2012_private", "plate_country": "KZ",
                "confidence": 0.9, "camera_id": f"cam-{rng.randrange(cameras):04d}",
                "track_id": i, "ts": T0 + timedelta(seconds=rng.randrange(span)),
                "vehicle_class": "car", "snapshot": None, "plate_crop": None,
            })  # fmt: skip
        write_reads(engine, rows)


def timed(fn: Callable[[], int], repeats: int) -> tuple[float, float, float]:
    ms, hits = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        hits.append(fn())
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return statistics.median(ms), p95, statistics.mean(hits)


def run(size: int, args: argparse.Namespace, db_dir: Path) -> list[tuple[str, float, float, float]]:
    rng = random.Random(size)
    plates = fleet(rng, max(10, int(size * args.fleet_ratio)))
    path = db_dir / f"plates-{size}.db"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    t = time.perf_counter()
    fill(engine, rng, plates, size, args.days, args.cameras)
    console.print(
        f"{size:,} reads of {len(plates):,} plates filled in {time.perf_counter() - t:.1f} s"
    )
    probe = random.Random(7)
    day = Filters(since=T0 + timedelta(days=args.days - 1), until=T0 + timedelta(days=args.days))

    def kind(make: Callable[[str], Query], f: Callable[[], Filters] = Filters) -> Callable[[], int]:
        def go() -> int:
            hits, _ = search(engine, make(probe.choice(plates)), f(), limit=50)
            return len(hits)

        return go

    def one_camera() -> Filters:
        return Filters(
            frozenset({f"cam-{probe.randrange(args.cameras):04d}"}), day.since, day.until
        )

    cases: list[tuple[str, Callable[[], int]]] = [
        ("exact", kind(lambda p: parse_query(p))),
        (
            "wildcard 12* (prefix), 1 camera, 24 h",
            kind(lambda p: parse_query(p[:2] + "*"), one_camera),
        ),
        ("wildcard 123*02 (prefix)", kind(lambda p: parse_query(p[:3] + "*" + p[-2:]))),
        ("wildcard *AB?02 (no prefix)", kind(lambda p: parse_query("*" + p[3:5] + "?" + p[-2:]))),
        ("fuzzy d=1", kind(lambda p: parse_query(p, "fuzzy", 1))),
        ("fuzzy d=2", kind(lambda p: parse_query(p, "fuzzy", 2))),
        ("fuzzy d=1, 24 h", kind(lambda p: parse_query(p, "fuzzy", 1), lambda: day)),
    ]
    out = []
    for name, fn in cases:
        fn()  # warm: statement cache, pages
        p50, p95, hits = timed(fn, args.repeats)
        out.append((name, p50, p95, hits))
    engine.dispose()
    path.unlink(missing_ok=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--cameras", type=int, default=500)
    ap.add_argument("--fleet-ratio", type=float, default=0.2, help="distinct plates per read")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--db-dir", type=Path, default=None)
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.repeats = [10_000], 3
    with tempfile.TemporaryDirectory() as tmp:
        db_dir = args.db_dir or Path(tmp)
        table = Table(title="plate search on SYNTHETIC reads (SQLite, one page of 50)")
        for col in ("reads", "query", "p50 ms", "p95 ms", "rows/page"):
            table.add_column(col, justify="right" if col != "query" else "left")
        for size in args.sizes:
            for name, p50, p95, hits in run(size, args, db_dir):
                table.add_row(f"{size:,}", name, f"{p50:.1f}", f"{p95:.1f}", f"{hits:.1f}")
        console.print(table)


if __name__ == "__main__":
    main()
