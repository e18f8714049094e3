from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kuzet.api.live import LiveFilter, LiveHub
from kuzet.obs.metrics import Metrics

from .conftest import RoleAuth, authed, make_event
from .fakes import FakeBus


def test_ws_receives_published_event(client: TestClient, bus: Any) -> None:
    ev = make_event(1, attributes={"zone": "gate"})
    with client.websocket_connect("/api/ws/events") as ws:
        bus.publish(ev)
        got = ws.receive_json()
    assert got["id"] == ev.id and got["attributes"] == {"zone": "gate"}


def test_ws_filters(client: TestClient, bus: Any) -> None:
    with (
        client.websocket_connect("/api/ws/events?camera_id=cam2&type=zone_presence") as only,
        client.websocket_connect("/api/ws/events?camera_id=cam1,cam2") as both,
    ):
        bus.publish(make_event(1, "cam1", "zone_presence"))
        bus.publish(make_event(2, "cam2", "line_crossing"))
        bus.publish(make_event(3, "cam2", "zone_presence"))
        assert only.receive_json()["id"] == "ev-0003"  # 1 and 2 were filtered out
        assert [both.receive_json()["id"] for _ in range(3)] == ["ev-0001", "ev-0002", "ev-0003"]


def test_ws_clients_gauge_and_clean_shutdown(
    app: FastAPI, bus: Any, metrics: Metrics, auth: RoleAuth
) -> None:
    with authed(app, auth) as client:
        with client.websocket_connect("/api/ws/events"):
            assert metrics.ws_clients._value.get() == 1
        for _ in range(100):  # the server notices the close asynchronously
            if metrics.ws_clients._value.get() == 0:
                break
            asyncio.run(asyncio.sleep(0.01))
        assert metrics.ws_clients._value.get() == 0
        hub = app.state.kuzet.hub
        assert hub.alive
    assert not hub.alive  # lifespan stopped the pump
    if isinstance(bus, FakeBus):
        assert bus.subscriptions and all(s.closed for s in bus.subscriptions)


def test_slow_client_does_not_block_fast_one() -> None:
    """The pump drops the slow client's oldest events and keeps feeding the fast one."""

    async def scenario() -> None:
        metrics = Metrics()
        bus = FakeBus()
        hub = LiveHub(bus, metrics=metrics, queue_size=32, batch=8, fetch_timeout=0.05)
        await hub.start()
        fast = hub.connect(LiveFilter())
        slow = hub.connect(LiveFilter())  # never reads
        got: list[str] = []

        async def read_fast() -> None:
            while len(got) < 200:
                text = await fast.next()
                assert text is not None
                got.append(text)

        reader = asyncio.create_task(read_fast())
        for i in range(200):
            bus.publish(make_event(i))
            if i % 8 == 7:
                await asyncio.sleep(0.002)  # bursts of 8, like a busy site
        await asyncio.wait_for(reader, 5)
        assert len(got) == 200 and '"ev-0199"' in got[-1]
        assert slow.pending() == 32
        assert slow.dropped == 168
        assert metrics.ws_dropped_total._value.get() == 168
        # what the slow one kept is the newest
        kept = [await slow.next() for _ in range(32)]
        want = [f'"ev-{i:04d}"' for i in range(168, 200)]
        assert all(w in (t or "") for w, t in zip(want, kept, strict=True))
        await hub.stop()

    asyncio.run(scenario())


def test_bus_down_is_retried() -> None:
    async def scenario() -> None:
        bus = FakeBus()
        bus.broken = True
        hub = LiveHub(bus, metrics=Metrics(), fetch_timeout=0.05, retry_s=0.05)
        await hub.start()
        assert not hub.alive and hub.error and "bus down" in hub.error
        bus.broken = False
        for _ in range(100):
            await asyncio.sleep(0.02)
            if hub.alive:
                break
        assert hub.alive
        await hub.stop()

    asyncio.run(scenario())
