"""Device gateway throughput: device events/s through gateway -> bus -> incident, and MQTT
fan-in of many simulated devices into one gateway over a real mosquitto.

    .venv/bin/python bench/device_gateway.py [--events 20000] [--devices 10000]
        [--connections 10000] [--per-device 3] [--runs pipeline,fanin] [--quick]

``pipeline``: ``--events`` SOS presses of 1,000 buttons (JSON payloads built before the
clock starts) handed to the gateway as its MQTT input would (mapping, registry lookup,
health, idempotent id), published on the in-process bus, read by the incident engine
(durable ``ops`` group) and the store sink, as ``kuzet serve`` runs them. Prints the
gateway's own rate and the end-to-end rate (every event linked to an incident and stored).

``fanin``: ``--devices`` simulated devices, each its own MQTT client (own connection and
client id) when ``--connections`` equals ``--devices``, else sharing that many connections;
each sends ``--per-device`` QoS 1 messages (a heartbeat with battery, a sensor alarm, a
heartbeat). What is simulated: the devices (paho clients in this process, driven without
threads by a few driver threads over epoll); what is real: mosquitto, the gateway's persistent
session, mapping, registry, health and the bus. Prints connect time, messages/s through
the broker into the gateway, and that none was rejected or lost.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import platform
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from kuzet.config.devices import (
    DeviceConfig,
    DeviceGatewayConfig,
    DeviceKind,
    MqttInputConfig,
    PayloadMapping,
)
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.mqtt_input import MqttInput
from kuzet.devices.registry import DeviceRegistry
from kuzet.events import MemoryBus
from kuzet.schema import open_store
from kuzet.store import EventSink

MAPPING = PayloadMapping(topic="city/devices/+/events", device_id="topic:2", event="type",
                         message_id="id", timestamp="ts", battery="battery",
                         events={"ping": "heartbeat", "alarm": "sensor_alarm",
                                 "press": "sos"})  # fmt: skip


def pipeline(tmp: Path, n: int) -> None:
    from sqlalchemy import func, select

    from kuzet.access.service import AccessService
    from kuzet.config.ops import OpsConfig
    from kuzet.incidents.book import IncidentBook
    from kuzet.incidents.engine import GROUP, OpsEngine
    from kuzet.incidents.tables import IncidentEventRow, IncidentRow

    store = open_store(f"sqlite:///{tmp / 'pipeline.db'}")
    access = AccessService(store.engine)
    access.seed_agencies()
    registry = DeviceRegistry(store)
    buttons = 1000
    registry.sync(
        DeviceConfig(id=f"sos-{i}", kind=DeviceKind.SOS_BUTTON, latitude=43.2, longitude=76.9)
        for i in range(buttons)
    )
    bus = MemoryBus(max_pending=max(100_000, n), durable_groups=["store", GROUP])
    engine = OpsEngine(IncidentBook(store.engine, access.audit, OpsConfig()), bus, store)
    gw = DeviceGateway(registry, bus.publish, DeviceGatewayConfig())
    msgs = [
        (f"city/devices/sos-{i % buttons}/events",
         json.dumps({"type": "press", "id": f"p{i}", "ts": 1_796_000_000 + i}).encode())
        for i in range(n)
    ]  # fmt: skip
    sink = EventSink(bus.subscribe("store"), store, batch_wait_ms=50)
    engine.start()
    sink.start()
    t = time.perf_counter()
    for topic, body in msgs:
        gw.handle("mqtt", topic, body, MAPPING)
    t_gw = time.perf_counter() - t
    while bus.stats()[GROUP]["acked"] < n or sink.stats.stored < n:
        time.sleep(0.002)
    dt = time.perf_counter() - t
    sink.stop()
    engine.stop()
    bus.close()
    with store.engine.connect() as c:
        incidents = c.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
        linked = c.execute(select(func.count()).select_from(IncidentEventRow)).scalar_one()
    assert linked == n and store.count_events() == n, (linked, store.count_events())
    store.close()
    print(f"pipeline  {n} SOS presses of {buttons} buttons: gateway (map+publish) "
          f"{n / t_gw:,.0f} ev/s; gateway -> bus -> incident + store {n / dt:,.0f} ev/s "
          f"({dt:.2f} s, {incidents} incidents, {linked} events linked)")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mosquitto(root: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = _free_port()
    conf = root / "mosquitto.conf"
    conf.write_text(f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous true\n"
                    "max_queued_messages 1000000\nmax_inflight_messages 0\n"
                    f"log_dest file {root}/mosquitto.log\n")  # fmt: skip
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL)
    for _ in range(200):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc, port
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("mosquitto did not start")


class Driver(threading.Thread):
    """The network side of many clients in one thread, through epoll (paho's own loop
    uses select(), which stops at 1,024 sockets, and a socket pair per client)."""

    def __init__(self, clients: list[mqtt.Client]) -> None:
        super().__init__(daemon=True)
        self.clients = clients
        self.stop = threading.Event()
        self.sel = selectors.DefaultSelector()
        for c in clients:
            self.sel.register(c.socket(), selectors.EVENT_READ, c)

    def run(self) -> None:
        last_misc = time.monotonic()
        while not self.stop.is_set():
            for key, _ in self.sel.select(0.05):
                key.data.loop_read()
            for c in self.clients:
                if c.want_write():
                    c.loop_write()
            if time.monotonic() - last_misc > 1.0:
                for c in self.clients:
                    c.loop_misc()
                last_misc = time.monotonic()


def fanin(tmp: Path, devices: int, connections: int, per_device: int, drivers: int) -> None:
    proc, port = _mosquitto(tmp)
    store = open_store(f"sqlite:///{tmp / 'fanin.db'}")
    try:
        registry = DeviceRegistry(store)
        registry.sync(
            DeviceConfig(id=f"dev-{i}", kind=DeviceKind.SENSOR, heartbeat_s=3600)
            for i in range(devices)
        )
        bus = MemoryBus(max_pending=1_000_000, durable_groups=["store"])
        sink = EventSink(bus.subscribe("store"), store, batch_wait_ms=50).start()
        cfg = DeviceGatewayConfig(mqtt=MqttInputConfig(port=port, client_id="bench-gw",
                                                       mappings=[MAPPING]))  # fmt: skip
        gw = DeviceGateway(registry, bus.publish, cfg).start()
        assert cfg.mqtt is not None
        inp = MqttInput(gw, cfg.mqtt).start()
        assert inp.client.wait_ready(10)

        t = time.perf_counter()
        clients = []
        for k in range(connections):
            c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sim-{k}")
            c.connect("127.0.0.1", port, keepalive=600)
            clients.append(c)
        threads = [Driver(clients[i::drivers]) for i in range(drivers)]
        for th in threads:
            th.start()
        while not all(c.is_connected() for c in clients):  # every CONNACK read
            time.sleep(0.01)
        t_conn = time.perf_counter() - t
        total = devices * per_device
        words = ["ping", "alarm", "ping"]
        t = time.perf_counter()
        infos = []
        for r in range(per_device):
            for i in range(devices):
                body = {"type": words[r % 3], "id": f"{i}-{r}", "battery": 90,
                        "ts": 1_796_000_000 + r}  # fmt: skip
                c = clients[i % connections]
                infos.append(c.publish(f"city/devices/dev-{i}/events", json.dumps(body), qos=1))
        t_pub = time.perf_counter() - t
        m = gw.metrics
        while m.value("device_messages", source="mqtt") < total:
            time.sleep(0.01)
            if time.perf_counter() - t > 600:
                break
        dt = time.perf_counter() - t
        got = m.value("device_messages", source="mqtt")
        alarms = devices * sum(1 for r in range(per_device) if words[r % 3] == "alarm")
        while sink.stats.stored < alarms and time.perf_counter() - t < dt + 30:
            time.sleep(0.01)
        while not all(i.is_published() for i in infos) and time.perf_counter() - t < dt + 30:
            time.sleep(0.05)  # the PUBACKs the drivers are still reading
        for th in threads:
            th.stop.set()
            th.join()
        acked = sum(1 for i in infos if i.is_published())
        inp.stop()
        gw.stop()
        sink.stop()
        bus.close()
        rejected = sum(
            s.value for mt in m.rejected.collect() for s in mt.samples if s.name.endswith("_total")
        )
        print(f"fanin     {devices} devices over {connections} MQTT connections "
              f"({drivers} driver threads), {per_device} QoS 1 msgs each: connect {t_conn:.1f} s; "
              f"{got:.0f}/{total} into the gateway in {dt:.2f} s = {got / dt:,.0f} msg/s "
              f"(publish loop {t_pub:.2f} s, {acked} PUBACKed); {sink.stats.stored} alarms "
              f"stored of {alarms}; rejected {rejected:.0f}")  # fmt: skip
        for c in clients:
            c.disconnect()
    finally:
        proc.terminate()
        proc.wait(10)
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--per-device", type=int, default=3)
    ap.add_argument("--drivers", type=int, default=4, help="threads driving the device clients")
    ap.add_argument("--runs", default="pipeline,fanin")
    ap.add_argument("--quick", action="store_true", help="2,000 events, 1,000 devices")
    args = ap.parse_args()
    if args.quick:
        args.events, args.devices, args.connections = 2000, 1000, 1000
    runs = set(args.runs.split(","))
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, python {platform.python_version()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "pipeline" in runs:
            pipeline(tmp, args.events)
        if "fanin" in runs:
            fanin(tmp, args.devices, min(args.connections, args.devices), args.per_device,
                  args.drivers)  # fmt: skip


if __name__ == "__main__":
    main()
