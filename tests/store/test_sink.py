"""Store sink: at-least-once from the bus becomes stored-exactly-once, through store failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from store_helpers import make_event

from kuzet.core import Event
from kuzet.events import MemoryBus
from kuzet.store import EventSink, Store


def _wait(pred: object, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not pred():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_sink_stores_everything_in_batches(store: Store) -> None:
    bus = MemoryBus(max_pending=500)
    sink = EventSink.for_bus(bus, store, batch_size=100, batch_wait_ms=10).start()
    for i in range(1000):
        bus.publish(make_event(i))
    _wait(lambda: sink.stats.stored == 1000)
    assert sink.stop(drain=True)
    assert store.count_events() == 1000
    assert sink.stats.duplicates == 0 and sink.stats.errors == 0
    assert 10 <= sink.stats.batches <= 1000
    assert bus.stats()["kuzet-store"]["pending"] == 0
    bus.close()


class FlakyStore:
    """Commits half of a batch, then fails, ``failures`` times; then behaves."""

    def __init__(self, store: Store, failures: int) -> None:
        self.store = store
        self.failures = failures
        self.calls = 0

    def insert_events(self, events: Sequence[Event]) -> int:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            self.store.insert_events(events[: len(events) // 2])
            raise ConnectionError("database went away mid-batch")
        return self.store.insert_events(events)


def test_store_failure_mid_batch_loses_and_duplicates_nothing(store: Store) -> None:
    bus = MemoryBus(ack_wait=60)
    flaky = FlakyStore(store, failures=3)
    sink = EventSink.for_bus(
        bus, flaky, batch_size=64, batch_wait_ms=5, retry_initial_s=0.01, retry_max_s=0.05
    ).start()
    events = [make_event(i) for i in range(500)]
    for e in events:
        bus.publish(e)
    _wait(lambda: sink.stats.stored + sink.stats.duplicates == 500)
    assert sink.stop()
    assert sink.stats.errors == 3
    assert sink.stats.duplicates > 0  # the half-committed rows came again and were ignored
    assert store.count_events() == 500
    assert all(store.get_event(e.id) == e for e in events)
    bus.close()


def test_nothing_is_acked_before_commit(store: Store) -> None:
    """Stopping while the store is down leaves the batch on the bus for the next sink."""
    bus = MemoryBus(ack_wait=60)
    down = FlakyStore(store, failures=10**9)
    sink = EventSink.for_bus(bus, down, batch_size=10, batch_wait_ms=5, retry_initial_s=0.01)
    sink.start()
    for i in range(10):
        bus.publish(make_event(i))
    _wait(lambda: sink.stats.errors >= 2)
    assert sink.stop(drain=False)
    assert bus.stats()["kuzet-store"]["pending"] == 10  # un-acked, released to the group

    again = EventSink.for_bus(bus, store, batch_size=10, batch_wait_ms=5).start()
    _wait(lambda: again.stats.stored + again.stats.duplicates == 10)
    assert again.stop()
    assert store.count_events() == 10
    bus.close()


def test_stop_with_drain_stores_what_is_queued(store: Store) -> None:
    bus = MemoryBus()
    sub = bus.subscribe("kuzet-store")
    for i in range(300):
        bus.publish(make_event(i))
    sink = EventSink(sub, store, batch_size=50, batch_wait_ms=1000)
    sink.start()
    assert sink.stop(drain=True, timeout=10)
    assert store.count_events() == 300
    bus.close()


def test_concurrent_publishers(store: Store) -> None:
    bus = MemoryBus(max_pending=200)  # small: publishers must block, not drop
    sink = EventSink.for_bus(bus, store, batch_size=100, batch_wait_ms=5).start()

    def produce(k: int) -> None:
        for i in range(500):
            bus.publish(make_event(k * 10_000 + i))

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _wait(lambda: sink.stats.stored == 2000)
    assert sink.stop()
    assert store.count_events() == 2000
    bus.close()
