"""Attribute searches (``attr=upper_colour:red``) on 1M events, SQLite, before and after
migration 0005_attr_index, and the insert rate without and with its indexes.

    .venv/bin/python bench/attr_search.py [--events 1000000]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kuzet.core import Event, event_id
from kuzet.schema import open_store
from kuzet.store import Store

T0 = datetime(2026, 11, 26, tzinfo=UTC)

COLOURS = ("black", "white", "grey", "blue", "red", "green", "brown", "yellow")
ATTR_QUERIES = {
    "upper_colour:red, newest 50": {"attributes": {"upper_colour": ["red"]}},
    "upper_colour:red, oldest hour": {
        "attributes": {"upper_colour": ["red"]},
        "since": T0,
        "until": T0 + timedelta(hours=1),
    },
    "upper_colour:purple (1 in 100k)": {"attributes": {"upper_colour": ["purple"]}},
    "upper_colour:pink (none)": {"attributes": {"upper_colour": ["pink"]}},
}


def attr_events(n: int, chunk: int = 10_000) -> Iterator[list[Event]]:
    """One event in 10 a person with attributes (colours in turn, one in 100,000 purple),
    the rest zone events; 0.1 s apart (1M events: 28 hours), 100 cameras."""
    for start in range(0, n, chunk):
        out = []
        for i in range(start, min(n, start + chunk)):
            person = i % 10 == 0
            colour = "purple" if i % 100_000 == 0 else COLOURS[(i // 10) % len(COLOURS)]
            out.append(
                Event(
                    id=event_id("attr", i),
                    type="person_attributes" if person else "zone_presence",
                    camera_id=f"cam-{i % 100}",
                    ts=T0 + timedelta(seconds=0.1 * i),
                    phase="start",
                    rule="entrance",
                    track_id=i,
                    class_name="person",
                    score=0.73,
                    attributes={
                        "upper_colour": colour,
                        "lower_colour": COLOURS[(i // 80) % len(COLOURS)],
                        "carried_bag": "backpack" if i % 30 == 0 else "none",
                        "gender": "female" if i % 20 == 0 else "male",
                        "age_band": "18-30",
                    }
                    if person
                    else {"zone": "entrance"},
                )
            )
        yield out


def attr_search(url: str, n: int, repeat: int = 5) -> None:
    """Attribute searches on ``n`` events before and after migration 0005_attr_index."""
    from kuzet.core import EventQuery
    from kuzet.schema import upgrade
    from kuzet.store.engine import make_engine

    def load(store: Store) -> float:
        t = time.perf_counter()
        for chunk in attr_events(n):
            store.insert_events(chunk)
        dt = time.perf_counter() - t
        with store.engine.begin() as c:
            c.exec_driver_sql("ANALYZE")
        return n / dt

    def timings(store: Store) -> dict[str, float]:
        out = {}
        for name, q in ATTR_QUERIES.items():
            query = EventQuery(limit=50, **q)  # type: ignore[arg-type]
            got = []
            for _ in range(repeat):
                t = time.perf_counter()
                store.query_events(query)
                got.append(time.perf_counter() - t)
            out[name] = statistics.median(got)
        return out

    engine = make_engine(url)
    upgrade(engine, "0004_ops")
    engine.dispose()
    with Store(url) as store:
        rate_without = load(store)
        without = timings(store)
        t = time.perf_counter()
        upgrade(store.engine)
        build_s = time.perf_counter() - t
        with_index = timings(store)
    print(f"  {n:,} events, {n // 10:,} with person attributes; median of {repeat}, page of 50")
    for name in ATTR_QUERIES:
        print(
            f"  {name:<34} {without[name] * 1e3:>9,.1f} ms without index"
            f" -> {with_index[name] * 1e3:>7,.1f} ms with"
        )
    print(f"  building the 5 indexes on {n:,} events: {build_s:.1f} s")
    print(f"  insert rate before the indexes: {rate_without:,.0f} events/s")


def attr_insert_rate(url: str, n: int) -> float:
    """Insert rate of the same events into a database with the indexes (at head)."""
    with open_store(url) as store:
        t = time.perf_counter()
        for chunk in attr_events(n):
            store.insert_events(chunk)
        return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    args = ap.parse_args()
    if args.quick:
        args.events = 100_000
    logging.basicConfig(level=logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-bench-"))
    try:
        print(f"attribute search, SQLite ({args.events:,} events):")
        attr_search(f"sqlite:///{tmp / 'attr.db'}", args.events)
        rate = attr_insert_rate(f"sqlite:///{tmp / 'attr-head.db'}", args.events)
        print(f"  insert rate with the indexes:   {rate:,.0f} events/s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
