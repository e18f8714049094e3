"""Retrospective face search ("where was this face between t1 and t2, on these cameras").

    .venv/bin/python bench/sighting_search.py [--sizes 100000 1000000] [--hours 24]
        [--cameras 1000] [--repeats 20] [--old-max 100000] [--db-dir DIR]

Per size: a SQLite store (``kuzet.store.engine.make_engine``: WAL, the store's pragmas)
is filled with bulk core inserts of sightings sealed exactly as ``Sightings.record``
seals them (AES-GCM, key id + row as associated data). Templates are synthetic unit
128-d vectors bunched like dlib's (median cosine between two people ~0.85, see
docs/faces.md), and one person is seen 40 times. Three searches, threshold 0.85,
limit 100: one hour on all cameras, 24 h on 10 cameras, 24 h on all cameras; each
cold (a new ``Sightings``: empty cache, loads hours or reads rows directly) and warm
(p50/p95 of ``--repeats`` searches with different probes). "old" is the per-row scan
this replaced (full ORM rows, one AES-GCM open per row), copied below; it runs on
sizes up to ``--old-max`` and its answers are checked against the new ones. The
database file is in the OS page cache after the fill, so "cold" is cache-cold, not
disk-cold.
"""

from __future__ import annotations

import os

# one BLAS thread: on a shared 2-core VM a two-thread sgemv waited on a busy core and
# a 15 ms search took up to 700 ms (docs/faces.md); set it to compare
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import sessionmaker

from kuzet.crypto import KeyRing
from kuzet.faces.sightings import Found, Sightings
from kuzet.faces.tables import SightingRow
from kuzet.schema import upgrade
from kuzet.store.engine import make_engine

T0 = datetime(2026, 11, 25, tzinfo=UTC)
BATCH = 10_000
console = Console(width=140)


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def crowd(n: int) -> tuple[np.random.Generator, np.ndarray, np.ndarray]:
    """The generator, the crowd's centre and the person seen 40 times (same for one n)."""
    rng = np.random.default_rng(n)
    centre = unit(rng.standard_normal(128))
    return rng, centre, unit(centre + 0.42 * rng.standard_normal(128) / np.sqrt(128))


def fill(engine: sa.Engine, keys: KeyRing, n: int, hours: int, cameras: int) -> None:
    """``n`` sealed sightings in time order over ``hours`` on ``cameras``."""
    rng, centre, person = crowd(n)
    seen = set(rng.choice(n, 40, replace=False).tolist())
    # in time order, as tracks end and are recorded (rows of an hour lie together)
    offsets = np.sort(rng.integers(0, hours * 3_600_000_000, n))
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"fill {n:,}", total=n)
        for s in range(0, n, BATCH):
            m = min(BATCH, n - s)
            vecs = unit(centre + 0.42 * rng.standard_normal((m, 128)) / np.sqrt(128))
            for j in range(m):
                if s + j in seen:  # another photo of the same person
                    vecs[j] = unit(person + 0.15 * rng.standard_normal(128) / np.sqrt(128))
            offs = offsets[s : s + m].tolist()
            cams = rng.integers(0, cameras, m).tolist()
            rows = []
            for j in range(m):
                sid = str(uuid.uuid4())
                sealed = keys.seal(vecs[j].tobytes(), f"sighting:{sid}")
                ts = T0 + timedelta(microseconds=offs[j])
                rows.append({"id": sid, "camera_id": f"cam-{cams[j]:05d}", "track_id": s + j,
                             "ts": ts, "box": [0.1, 0.1, 0.2, 0.3], "quality": 0.6,
                             "key_id": sealed.key_id, "template_enc": sealed.blob,
                             "crop_enc": None, "listed": False, "attributes": {}})  # fmt: skip
            with engine.begin() as c:
                c.execute(sa.insert(SightingRow), rows)
            bar.advance(task, m)


def old_search(
    engine: sa.Engine,
    keys: KeyRing,
    template: np.ndarray,
    *,
    start: datetime,
    end: datetime,
    cameras: list[str] | None,
    threshold: float = 0.85,
    limit: int = 100,
) -> list[Found]:
    """``Sightings.search`` before the hour cache (git f570344), unchanged."""
    q = sa.select(SightingRow).where(SightingRow.ts >= start, SightingRow.ts < end)
    if cameras:
        q = q.where(SightingRow.camera_id.in_(cameras))
    t = template.astype(np.float32) / max(float(np.linalg.norm(template)), 1e-9)
    out: list[Found] = []
    with sessionmaker(engine)() as db:
        for row in db.scalars(q.execution_options(yield_per=2000)):
            raw = keys.open(row.key_id, row.template_enc, f"sighting:{row.id}")
            score = float(np.frombuffer(raw, np.float32) @ t)
            if score >= threshold:
                out.append(Found(row.id, row.camera_id, row.track_id, row.ts, score, row.box))
    out.sort(key=lambda f: -f.score)
    return out[:limit]


Search = Callable[[np.ndarray], list[Found]]


def searcher(s: Sightings, start: datetime, end: datetime, cams: list[str] | None) -> Search:
    def search(p: np.ndarray) -> list[Found]:
        return s.search(p, start, end, cams, threshold=0.85, limit=100)

    return search


def timed(fn: Search, probes: list[np.ndarray]) -> tuple[float, list[float], list[Found]]:
    """Seconds of the first call, milliseconds of the others, the first answer."""
    t = time.perf_counter()
    first = fn(probes[0])
    cold = time.perf_counter() - t
    warm = []
    for p in probes[1:]:
        t = time.perf_counter()
        fn(p)
        warm.append((time.perf_counter() - t) * 1000)
    return cold, warm, first


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def store(n: int, a: argparse.Namespace) -> tuple[sa.Engine, KeyRing, Path]:
    """A filled store of ``n`` sightings; with ``--keep`` one kept earlier is reused."""
    path = Path(a.db_dir) / f"sightings-{n}-{a.hours}h-{a.cameras}c.db"
    key = path.with_suffix(".key")  # a throw-away key of synthetic data, kept with --keep
    if a.keep and path.exists() and key.exists():
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as c:
            if c.scalar(sa.select(sa.func.count()).select_from(SightingRow)) == n:
                console.print(f"{n:,} sightings: reusing {path}")
                return engine, KeyRing.parse(key.read_text()), path
        engine.dispose()
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    key.write_text(KeyRing.generate("k1"))
    keys = KeyRing.parse(key.read_text())
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    t = time.perf_counter()
    fill(engine, keys, n, a.hours, a.cameras)
    fill_s = time.perf_counter() - t
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    console.print(f"{n:,} sightings: fill {fill_s:.1f} s ({n / fill_s:,.0f}/s), "
                  f"database {size / 2**20:.0f} MiB ({size / n:.0f} B/sighting)")  # fmt: skip
    return engine, keys, path


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(n: int, a: argparse.Namespace, table: Table) -> None:
    engine, keys, path = store(n, a)
    console.print(f"{n:,}: searching, load average {load_avg()}")
    _, centre, person = crowd(n)
    rng = np.random.default_rng(1)
    probes = [unit(person + 0.15 * rng.standard_normal(128) / np.sqrt(128))]
    # then other people: about half of the rows score >= 0.85 against each (dlib-like)
    probes += [unit(centre + 0.42 * rng.standard_normal(128) / np.sqrt(128))
               for _ in range(a.repeats)]  # fmt: skip
    end = T0 + timedelta(hours=a.hours)
    mid = T0 + timedelta(hours=a.hours // 2)
    ten = [f"cam-{i:05d}" for i in range(0, a.cameras, a.cameras // 10)][:10]
    cases = [
        ("1 h, all cameras", mid, mid + timedelta(hours=1), None),
        (f"{a.hours} h, 10 cameras", T0, end, ten),
        (f"{a.hours} h, all cameras", T0, end, None),
    ]
    for name, start, stop, cams in cases:
        fresh = Sightings(engine, keys)
        cold, warm, got = timed(searcher(fresh, start, stop, cams), probes)
        held = len(fresh.cache)
        per = fresh.cache.bytes / held if held else 0.0
        table.add_row(f"{n:,}", name, "new", f"{cold:.3f}", f"{pct(warm, 50):.1f}",
                      f"{pct(warm, 95):.1f}", f"{held:,}", f"{per:.0f}",
                      str(sum(f.score > 0.95 for f in got)))  # fmt: skip
        if n <= a.old_max:
            old = partial(old_search, engine, keys, start=start, end=stop, cameras=cams)
            o_cold, o_warm, o_got = timed(old, probes[: 1 + min(3, a.repeats)])
            same = [f.sighting_id for f in o_got] == [f.sighting_id for f in got]
            table.add_row(f"{n:,}", name, "old (per row)", f"{o_cold:.3f}",
                          f"{pct(o_warm, 50):.1f}", f"{pct(o_warm, 95):.1f}", "", "",
                          "same answer" if same else "DIFFERENT")  # fmt: skip
    # one long-lived Sightings holding the whole day, as the API's would
    shared = Sightings(engine, keys)
    shared.search(probes[0], T0, end, threshold=0.85, limit=100)
    for name, start, stop, cams in [*cases[1:], (f"{cases[2][0]}, re-check", T0, end, None)]:
        if name.endswith("re-check"):
            shared.refresh_s = 0.0  # compare each hour's row count with the database
        _, warm, _ = timed(searcher(shared, start, stop, cams), probes)
        table.add_row(f"{n:,}", name, "new, day held", "-", f"{pct(warm, 50):.1f}",
                      f"{pct(warm, 95):.1f}", "", "", "")  # fmt: skip
    console.print(f"{n:,}: done, load average {load_avg()}")
    engine.dispose()
    if not a.keep:
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), path.with_suffix(".key")):
            p.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--cameras", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--old-max", type=int, default=100_000)
    ap.add_argument("--db-dir", default=tempfile.gettempdir())
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the databases")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.repeats = [20_000], 5
    console.print(f"load average before: {load_avg()}, "
                  f"{os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS="
                  f"{os.environ['OPENBLAS_NUM_THREADS']}")  # fmt: skip
    table = Table("sightings", "search", "method", "cold s", "warm p50 ms", "warm p95 ms",
                  "held", "B/held", "> 0.95")  # fmt: skip
    for n in a.sizes:
        run(n, a, table)
    console.print(table)
    console.print(f"load average after: {load_avg()}")


if __name__ == "__main__":
    main()
