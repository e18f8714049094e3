"""Publishes ``n`` deterministic events through a bus into a store; prints each acked id.

Run by ``test_crash.py``, which ``kill -9``s it mid-run and then runs it again.
``PUB i`` lines say that the events before ``i`` were published.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from kuzet.core import Event, event_id
from kuzet.events import MemoryBus
from kuzet.schema import open_store
from kuzet.store import EventSink

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def event(i: int) -> Event:
    """The i-th event: the test recomputes it to check what the store holds."""
    return Event(
        id=event_id("crash", i),
        type="zone_presence",
        camera_id=f"cam-{i % 4}",
        ts=T0 + timedelta(milliseconds=i),
        class_name="person",
    )


def main(url: str, n: int, per_ms: int) -> None:
    store = open_store(url)
    bus = MemoryBus(max_pending=2000, durable_groups=["kuzet-store"])
    lock = threading.Lock()

    def acked(events: Sequence[Event]) -> None:
        with lock:
            sys.stdout.write("".join(f"ACK {e.id}\n" for e in events))
            sys.stdout.flush()

    sink = EventSink.for_bus(bus, store, batch_size=200, batch_wait_ms=5, on_batch=acked)
    sink.start()
    for i in range(n):
        if i % 100 == 0:  # everything below i has been published
            with lock:  # one writer at a time: the sink thread prints ACK lines
                sys.stdout.write(f"PUB {i}\n")
                sys.stdout.flush()
        bus.publish(event(i))
        if per_ms and i % per_ms == 0:
            time.sleep(0.001)  # a camera-like trickle, so the kill lands mid-run
    sink.stop(drain=True, timeout=60)
    print(f"DONE stored={sink.stats.stored} duplicates={sink.stats.duplicates}", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
