"""NATS JetStream bus against a real nats-server: dedup, durable redelivery, live fan-out."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from bus_helpers import ev
from services import import_service

from kuzet.config.models import NatsBusConfig
from kuzet.events import Bus, create_bus
from kuzet.events.base import StreamConfigError
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


def _stream(url: str, stream: str) -> Any:
    """The stream's info as the server reports it (config and state)."""
    import nats

    async def get() -> Any:
        nc = await nats.connect([url])
        try:
            return await nc.jetstream().stream_info(stream)
        finally:
            await nc.close()

    return asyncio.run(get())


def test_stream_limits_from_the_site_file_are_applied_then_updated(
    nats_url: str, names: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from nats.js.api import DiscardPolicy

    site = {"servers": [nats_url], "stream": names[0], "subject_prefix": names[1]}
    cfg = NatsBusConfig.model_validate(
        {**site, "max_age_s": 3600, "max_bytes": "4KiB", "duplicate_window_s": 30}
    )
    bus = create_bus(cfg)
    assert isinstance(bus, NatsBus)
    for i in range(60):  # ~150 bytes each: more than 4 KiB, the oldest are dropped
        bus.publish(ev(i))
    assert bus.flush(10)
    bus.close()
    info = _stream(nats_url, names[0])
    c = info.config
    assert (c.max_age, c.max_bytes, c.duplicate_window) == (3600, 4096, 30)
    assert (c.num_replicas, c.discard) == (1, DiscardPolicy.OLD)
    assert 0 < info.state.bytes <= 4096 and info.state.first_seq > 1

    # the site file changes: the running stream is updated, and the change is logged
    changed = NatsBusConfig.model_validate({**site, "max_age_s": 7200, "discard": "new"})
    with caplog.at_level(logging.WARNING, logger="kuzet.events.stream_limits"):
        create_bus(changed).close()
    c = _stream(nats_url, names[0]).config
    assert (c.max_age, c.max_bytes, c.duplicate_window) == (7200, -1, 120)
    assert c.discard == DiscardPolicy.NEW
    assert "max_age 3600.0 -> 7200.0" in caplog.text and "max_bytes 4096 -> -1" in caplog.text

    # a bus built without limits (a tool reading the stream) leaves them as they are
    _bus(nats_url, names).close()
    assert _stream(nats_url, names[0]).config.max_age == 7200


def test_a_duplicate_window_longer_than_the_stream_keeps_events_is_refused() -> None:
    with pytest.raises(ValueError, match="duplicate_window_s"):
        NatsBusConfig(max_age_s=60, duplicate_window_s=120)


def test_limits_the_server_refuses_are_named(nats_url: str, names: tuple[str, str]) -> None:
    cfg = NatsBusConfig(servers=[nats_url], stream=names[0], subject_prefix=names[1], replicas=3)
    with pytest.raises(
        StreamConfigError, match=rf"JetStream refused stream {names[0]}.*replicas=3"
    ):
        create_bus(cfg)


def test_serve_names_refused_limits_and_exits_without_a_traceback(
    nats_url: str, names: tuple[str, str], tmp_path: Path
) -> None:
    import subprocess
    import sys

    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'k.db'}'}}\n"
        "access: {embedded_keys: true}\n"
        f"bus: {{type: nats, servers: ['{nats_url}'], stream: {names[0]}, "
        f"subject_prefix: {names[1]}, replicas: 3}}\n"
    )
    kuzet = Path(sys.executable).with_name("kuzet")
    r = subprocess.run(
        [str(kuzet), "serve", "--site", str(site)], capture_output=True, text=True, timeout=120
    )
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out, out[-2000:]
    assert "bus:" in out and "replicas=3" in out, out[-2000:]
