"""In-process bus: fan-out per group, redelivery, backpressure, live drops."""

from __future__ import annotations

import threading
import time

import pytest
from bus_helpers import ev

from kuzet.config.models import MemoryBusConfig
from kuzet.events import BUSES, Bus, BusClosed, MemoryBus, Subscription, create_bus


def test_factory_and_protocols() -> None:
    bus = create_bus(MemoryBusConfig(max_pending=7))
    assert isinstance(bus, MemoryBus) and bus.max_pending == 7
    assert isinstance(bus, Bus)
    assert isinstance(bus.subscribe("g"), Subscription)
    assert {"memory", "nats"} <= set(BUSES.types())
    bus.close()


def test_every_group_gets_every_event_and_members_share() -> None:
    bus = MemoryBus()
    store_a, store_b = bus.subscribe("store"), bus.subscribe("store")
    other = bus.subscribe("audit")
    for i in range(10):
        bus.publish(ev(i))
    got_a = store_a.fetch(6, timeout=0.1)
    got_b = store_b.fetch(10, timeout=0.1)
    assert len(got_a) == 6 and len(got_b) == 4  # competing consumers split the group
    assert {d.event.id for d in got_a + got_b} == {ev(i).id for i in range(10)}
    assert [d.event for d in other.fetch(100, timeout=0.1)] == [ev(i) for i in range(10)]
    bus.close()


def test_unacked_is_redelivered_after_ack_wait() -> None:
    bus = MemoryBus(ack_wait=0.2)
    sub = bus.subscribe("store")
    bus.publish(ev(1))
    bus.publish(ev(2))
    first = sub.fetch(10, timeout=0.1)
    first[0].ack()  # ack only event 1
    assert sub.fetch(10, timeout=0.05) == []  # 2 is in flight, not yet due
    again = sub.fetch(10, timeout=1.0)
    assert [d.event for d in again] == [ev(2)] and again[0].redelivered
    sub.ack(again)
    assert sub.fetch(10, timeout=0.3) == []
    assert bus.stats()["store"] == {"published": 2, "acked": 2, "pending": 0, "redeliveries": 1}
    bus.close()


def test_closing_a_consumer_releases_its_unacked_at_once() -> None:
    bus = MemoryBus(ack_wait=60)
    crashed = bus.subscribe("store")
    for i in range(5):
        bus.publish(ev(i))
    assert len(crashed.fetch(5, timeout=0.1)) == 5
    crashed.close()
    with pytest.raises(BusClosed):
        crashed.fetch(1, timeout=0)
    successor = bus.subscribe("store")
    got = successor.fetch(10, timeout=0.1)
    assert [d.event for d in got] == [ev(i) for i in range(5)]
    assert all(d.redelivered for d in got)
    bus.close()


def test_fetch_waits_to_fill_a_batch_but_not_longer_than_timeout() -> None:
    """No upper bound on the clock (a busy machine is slow): a fetch that waited past its
    timeout, or for a full batch that is already there, hangs until pytest's timeout."""
    bus = MemoryBus()
    sub = bus.subscribe("store")
    bus.publish(ev(0))
    t = time.monotonic()
    assert len(sub.fetch(100, timeout=0.2)) == 1  # returns with what there is ...
    assert time.monotonic() - t >= 0.15  # ... after waiting for more
    for i in range(1, 101):
        bus.publish(ev(i))
    assert len(sub.fetch(100, timeout=3600)) == 100  # a full batch: no wait
    bus.close()


def test_publish_blocks_when_a_durable_group_is_full() -> None:
    bus = MemoryBus(max_pending=3)
    sub = bus.subscribe("store")
    for i in range(3):
        bus.publish(ev(i))
    done = threading.Event()

    def publish_fourth() -> None:
        bus.publish(ev(3))
        done.set()

    threading.Thread(target=publish_fourth, daemon=True).start()
    assert not done.wait(0.3)  # backpressure, not a drop
    sub.ack(sub.fetch(2, timeout=0.1))
    assert done.wait(2.0)
    rest = sub.fetch(10, timeout=0.1)
    assert [d.event for d in rest] == [ev(2), ev(3)]
    bus.close()


def test_live_subscription_drops_oldest_and_counts() -> None:
    bus = MemoryBus(max_pending=4)
    live = bus.subscribe("ws", durable=False)
    other = bus.subscribe("ws", durable=False)
    for i in range(10):
        bus.publish(ev(i))  # never blocks on live viewers
    got = live.fetch(100, timeout=0.1)
    assert [d.event for d in got] == [ev(i) for i in range(6, 10)]
    assert live.dropped == 6  # type: ignore[attr-defined]
    assert len(other.fetch(100, timeout=0)) == 4  # each live viewer sees every event
    live.close()
    bus.publish(ev(11))
    assert [s for s in bus.stats() if "live" in s] == ["ws#live0"]
    bus.close()


def test_many_publisher_threads_deliver_exactly_once_when_acked() -> None:
    bus = MemoryBus(max_pending=100)
    sub = bus.subscribe("store")
    seen: list[str] = []

    def consume() -> None:
        while len(seen) < 4000:
            batch = sub.fetch(50, timeout=0.05)
            seen.extend(d.event.id for d in batch)
            sub.ack(batch)

    consumer = threading.Thread(target=consume)
    consumer.start()
    producers = [
        threading.Thread(target=lambda k=k: [bus.publish(ev(i, f"c{k}")) for i in range(1000)])
        for k in range(4)
    ]
    for t in producers:
        t.start()
    for t in producers:
        t.join(10)
    consumer.join(10)
    assert len(seen) == len(set(seen)) == 4000
    bus.close()


def test_closed_bus_refuses() -> None:
    bus = MemoryBus()
    bus.close()
    with pytest.raises(BusClosed):
        bus.publish(ev(0))
    with pytest.raises(BusClosed):
        bus.subscribe("x")
