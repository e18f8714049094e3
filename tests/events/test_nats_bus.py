"""NATS JetStream bus against a real nats-server: dedup, durable redelivery, live fan-out."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from bus_helpers import ev
from services import import_service

from kuzet.config.models import NatsBusConfig
from kuzet.events import Bus, create_bus
from kuzet.store import EventSink

import_service("nats", "nats", "nats-py missing: pip install kuzet[nats]")

from kuzet.events.jetstream import NatsBus  # noqa: E402
from kuzet.schema import open_store  # noqa: E402


@pytest.fixture
def names() -> tuple[str, str]:
    """A stream and subject prefix of the test's own, so tests never see each other."""
    tag = uuid.uuid4().hex[:8]
    return f"T{tag}", f"t{tag}.events"


def _bus(url: str, names: tuple[str, str], **kw: object) -> NatsBus:
    return NatsBus([url], stream=names[0], subject_prefix=names[1], **kw)  # type: ignore[arg-type]


def test_create_bus_from_config(nats_url: str, names: tuple[str, str]) -> None:
    bus = create_bus(NatsBusConfig(servers=[nats_url], stream=names[0], subject_prefix=names[1]))
    assert isinstance(bus, NatsBus) and isinstance(bus, Bus)
    bus.close()


def test_publish_fetch_ack_and_publish_side_dedup(nats_url: str, names: tuple[str, str]) -> None:
    bus = _bus(nats_url, names)
    for i in range(20):
        bus.publish(ev(i, f"cam-{i % 2}"))
    for i in range(5):
        bus.publish(ev(i, f"cam-{i % 2}"))  # same ids again: the server drops them
    assert bus.flush(10)
    sub = bus.subscribe("store")
    got = []
    for _ in range(20):
        batch = sub.fetch(100, timeout=0.5)
        sub.ack(batch)
        got += batch
        if len(got) >= 20:
            break
    assert sorted(d.event.id for d in got) == sorted(ev(i, f"cam-{i % 2}").id for i in range(20))
    assert sub.fetch(100, timeout=0.3) == []  # nothing beyond the 20 distinct ids
    sub.close()
    bus.close()


def test_consumer_killed_before_ack_is_redelivered_and_stored_once(
    nats_url: str, names: tuple[str, str], tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    events = [ev(i) for i in range(50)]
    producer = _bus(nats_url, names)
    for e in events:
        producer.publish(e)
    assert producer.flush(10)
    producer.close()

    # A consumer takes everything, stores a part, then dies without acking.
    doomed = _bus(nats_url, names, ack_wait=1.0)
    sub = doomed.subscribe("kuzet-store")
    taken = []
    while len(taken) < 50:
        taken += sub.fetch(50, timeout=1.0)
    store.insert_events([d.event for d in taken[:20]])
    doomed.close()  # connection gone, nothing acked

    survivor = _bus(nats_url, names, ack_wait=1.0)
    sink = EventSink.for_bus(survivor, store, batch_size=25, batch_wait_ms=50).start()
    deadline = time.monotonic() + 15
    while sink.stats.stored + sink.stats.duplicates < 50:
        assert time.monotonic() < deadline, sink.stats
        time.sleep(0.05)
    assert sink.stop()
    assert sink.stats.duplicates == 20 and sink.stats.stored == 30
    assert store.count_events() == 50
    assert all(store.get_event(e.id) == e for e in events)

    again = survivor.subscribe("kuzet-store")  # all acked: nothing comes back
    assert again.fetch(10, timeout=1.5) == []
    again.close()
    survivor.close()
    store.close()


def test_live_subscription_sees_new_events(nats_url: str, names: tuple[str, str]) -> None:
    bus = _bus(nats_url, names)
    live = bus.subscribe("ws", durable=False)
    time.sleep(0.1)
    for i in range(5):
        bus.publish(ev(i))
    got = []
    deadline = time.monotonic() + 5
    while len(got) < 5 and time.monotonic() < deadline:
        got += live.fetch(10, timeout=0.2)
    assert [d.event for d in got] == [ev(i) for i in range(5)]
    live.close()
    bus.close()
