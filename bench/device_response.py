"""How fast the operations centre answers devices.

    .venv/bin/python bench/device_response.py [--presses 20] [--commands 50]

1. **SOS press -> incident with its cameras' pictures**: a device event (as the gateway
   publishes it) on the in-process bus -> incident engine (routing, SQLite) -> correlator:
   the two linked cameras' pictures taken from the real frame tap (fed a real photograph,
   bus.jpg, at 5 frames/s per camera, as the detector thread feeds it; nobody watching, so
   the tap starts encoding when the correlator asks), stored, evidence holds placed,
   timeline entry written. Timed from publish to the entry being committed. The issue asks
   for <= 2 s. Presses are one every 0.5 s, each on its own button (synthetic registry:
   the buttons, their places and links are made up here; the pictures are real).
2. **Command round trip**: confirm -> MQTT QoS 1 publish -> a fake device (a paho client
   here, answering at once) -> its ack on the ack topic -> the command ``acknowledged``,
   through a real mosquitto (Debian package) on loopback.

Prints one line per figure (median, p95, max in ms).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@dataclass(frozen=True)
class Device:
    id: str
    kind: str
    name: str | None
    lat: float | None
    lon: float | None
    agency: str
    category: str | None = "public_safety"
    district: str | None = "Medeu"
    linked_cameras: tuple[str, ...] = ()
    command_topic: str | None = None
    ack_topic: str | None = None


class Registry:
    def __init__(self, devices: list[Device]) -> None:
        self.d = {d.id: d for d in devices}

    def get(self, device_id: str) -> Device | None:
        return self.d.get(device_id)

    def list(self) -> list[Device]:
        return list(self.d.values())


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def line(what: str, ms: list[float]) -> None:
    print(f"{what}: n={len(ms)} median {statistics.median(ms):.0f} ms, "
          f"p95 {pct(ms, 0.95):.0f} ms, max {max(ms):.0f} ms")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--presses", type=int, default=20)
    ap.add_argument("--commands", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    args = ap.parse_args()
    if args.quick:
        args.presses, args.commands = 3, 5

    import paho.mqtt.client as mqtt
    from tests.support.mqtt import Mosquitto, mosquitto_missing

    from kuzet.access.model import Principal, Role, Scope
    from kuzet.access.service import AccessService
    from kuzet.assets import ensure
    from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
    from kuzet.config.ops import OpsConfig
    from kuzet.core.detections import Detections
    from kuzet.core.event import Event, event_id
    from kuzet.core.frame import Frame
    from kuzet.core.records import CameraInfo
    from kuzet.devices.commands import CommandIn
    from kuzet.devices.mqtt_link import MqttLink
    from kuzet.devices.respond import DeviceResponse
    from kuzet.events import MemoryBus
    from kuzet.incidents.book import IncidentBook
    from kuzet.incidents.engine import OpsEngine
    from kuzet.pipeline.tap import FrameTap
    from kuzet.record import EvidenceHolds
    from kuzet.schema import open_store
    from kuzet.store import LocalBlobStore

    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{datetime.now(UTC):%Y-%m-%d}, python {platform.python_version()}")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-devbench-"))
    n = args.presses
    cams = [CameraInfo(id=f"cam-{i}", name=f"cam {i}", latitude=43.2 + i * 1e-3,
                       longitude=76.9, main_url="file:x") for i in range(2 * n)]  # fmt: skip
    devices = [
        Device(
            f"sos-{i}",
            "sos_button",
            f"SOS {i}",
            43.2 + i * 1e-3,
            76.9,
            "city-police",
            linked_cameras=(f"cam-{2 * i}", f"cam-{2 * i + 1}"),
        )
        for i in range(n)
    ]
    devices.append(
        Device(
            "siren-1",
            "siren",
            "Siren",
            43.2,
            76.9,
            "city-police",
            command_topic="bench/siren-1/cmd",
            ack_topic="bench/siren-1/ack",
        )
    )
    store = open_store(f"sqlite:///{tmp / 'k.db'}")
    access = AccessConfig(passwords=PasswordPolicy(argon2=Argon2Config(
        time_cost=1, memory_kib=8, parallelism=1)), secure_cookies=False)  # fmt: skip
    svc = AccessService(store.engine, access)
    svc.seed_agencies()
    for c in cams:
        store.upsert_camera(c)
    bus = MemoryBus()
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
    tap = FrameTap(4.0)
    why = mosquitto_missing()
    broker = None if why else Mosquitto(tmp / "mqtt").start()
    link = MqttLink(broker.host, broker.port).start() if broker else None
    resp = DeviceResponse(ops=engine, bus=bus, registry=Registry(devices), store=store,
                          blobs=LocalBlobStore(tmp / "blobs"), frames=tap,
                          holds=EvidenceHolds(store.engine, svc.audit), link=link)  # fmt: skip
    engine.start()
    resp.start()
    image = np.ascontiguousarray(cv2.imread(str(ensure("bus.jpg", quiet=True))))
    stop = threading.Event()

    def feed() -> None:
        i = 0
        while not stop.wait(0.2):
            i += 1
            for c in cams:
                tap.offer(Frame(c.id, i, i * 0.2, time.time(), image), Detections.empty(), (), [])

    threading.Thread(target=feed, daemon=True).start()
    time.sleep(1.0)
    lat: list[float] = []
    for i, dev in enumerate(devices[:n]):
        before = resp.correlator.done
        ev = Event(
            id=event_id(dev.id, "sos", f"b{i}"),
            type="sos",
            camera_id=dev.id,
            ts=datetime.now(UTC),
            attributes={"device": True, "device_id": dev.id},
        )
        t0 = time.perf_counter()
        bus.publish(ev)
        while resp.correlator.done == before:
            time.sleep(0.002)
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.5)
    line("SOS press -> incident with 2 linked cameras' pictures, holds, timeline", lat)

    if broker is None or link is None:
        print(f"command round trip: not run ({why})")
    else:
        dev = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-siren")
        ready = threading.Event()
        dev.on_connect = lambda c, *_: c.subscribe("bench/siren-1/cmd", qos=1)
        dev.on_subscribe = lambda *_: ready.set()
        dev.on_message = lambda c, _u, m: c.publish(
            "bench/siren-1/ack", json.dumps({"command_id": json.loads(m.payload)["command_id"]}),
            qos=1)  # fmt: skip
        dev.connect(broker.host, broker.port)
        dev.loop_start()
        ready.wait(10)
        # the operator as the API hands them to the desk (the permission is the route's)
        op = Principal(user_id="bench", username="bench-op", agency_id="city-police",
                       role=Role.OPERATOR, permissions=frozenset(), scope=Scope(),
                       clearances=frozenset())  # fmt: skip
        rt: list[float] = []
        for _ in range(args.commands):
            asked = resp.commands.request(op, "siren-1", CommandIn(
                action="siren_on", duration_s=10, reason="benchmark"))  # fmt: skip
            t0 = time.perf_counter()
            resp.commands.confirm(op, asked.command.id, asked.confirm_token)
            while resp.commands.get(op, asked.command.id).state == "sent":
                time.sleep(0.001)
            rt.append((time.perf_counter() - t0) * 1000)
        line("command confirm -> MQTT -> device ack -> acknowledged", rt)
        dev.loop_stop()
        dev.disconnect()
    stop.set()
    resp.stop()
    engine.stop()
    tap.close()
    if link:
        link.stop()
    if broker:
        broker.stop()
    bus.close()
    store.close()


if __name__ == "__main__":
    main()
