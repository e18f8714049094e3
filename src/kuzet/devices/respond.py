"""The operations centre's side of devices, assembled: alarms correlated with cameras,
outputs (commands) with their acknowledgements, and each device's state for the map.

One object for the service to build, start and hand to ``create_app(devices=...)``.
Device states come from the device events on the bus (a non-durable group: a restart
shows ``unknown`` until each device speaks again; the gateway's heartbeats keep that short).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from kuzet.core.event import Event
from kuzet.devices.commands import CommandDesk, Publisher
from kuzet.devices.correlate import Blobs, Correlator, Frames, Grabber, Holds
from kuzet.devices.ports import DeviceDirectory
from kuzet.devices.settings import ResponseSettings
from kuzet.events.base import Bus, Subscription
from kuzet.events.batches import batches
from kuzet.incidents.engine import OpsEngine
from kuzet.store.ports import StoreReader

log = logging.getLogger(__name__)
GROUP = "devices-respond"
ALARMS = frozenset(
    {"sos", "fire_alarm", "smoke", "door_forced", "door_held_open", "intercom_call",
     "sensor_alarm"}
)  # fmt: skip
STATE_OF = {"device_offline": "offline", "device_tamper": "tamper",
            "device_battery_low": "battery_low", "device_online": "ok"}  # fmt: skip


@dataclass
class DeviceState:
    state: str = "unknown"  # ok, alarm, offline, tamper, battery_low, unknown
    last_type: str | None = None
    last_at: float | None = None  # epoch seconds of the device's last event
    alarm_at: float | None = None
    battery: float | None = None


class DeviceStates:
    """Latest state per device, from its events."""

    def __init__(self, alarm_shown_s: float) -> None:
        self._alarm_s = alarm_shown_s
        self._st: dict[str, DeviceState] = {}
        self._lock = threading.Lock()

    def feed(self, ev: Event) -> None:
        a = ev.attributes
        if not a.get("device"):
            return
        at = ev.ts.timestamp()
        with self._lock:
            st = self._st.setdefault(ev.camera_id, DeviceState())
            if st.last_at is not None and at < st.last_at:
                return  # older news
            st.last_type, st.last_at = ev.type, at
            if isinstance(a.get("battery"), int | float):
                st.battery = float(a["battery"])
            if ev.type in ALARMS:
                st.state, st.alarm_at = "alarm", at
            elif ev.type in STATE_OF:
                st.state = STATE_OF[ev.type]
            elif st.state in ("unknown", "offline"):
                st.state = "ok"  # any message means it is alive

    def get(self, device_id: str, now: float | None = None) -> DeviceState:
        now = time.time() if now is None else now
        with self._lock:
            st = self._st.get(device_id)
            if st is None:
                return DeviceState()
            out = DeviceState(st.state, st.last_type, st.last_at, st.alarm_at, st.battery)
        if out.state == "alarm" and out.alarm_at is not None and now - out.alarm_at > self._alarm_s:
            out.state = "ok"
        return out


class DeviceResponse:
    def __init__(
        self,
        *,
        ops: OpsEngine,
        bus: Bus,
        registry: DeviceDirectory,
        store: StoreReader,
        blobs: Blobs,
        frames: Frames | None = None,
        holds: Holds | None = None,
        link: Publisher | None = None,
        settings: ResponseSettings | None = None,
    ) -> None:
        self.s = settings or ResponseSettings()
        self.ops, self.bus, self.registry, self.link = ops, bus, registry, link
        self.states = DeviceStates(self.s.alarm_shown_s)
        self.correlator = Correlator(
            ops, registry, store, blobs, Grabber(frames, store, blobs, self.s), self.s, holds
        )
        self.commands = CommandDesk(ops.book.engine, ops.book.audit, registry, link, self.s)
        self.blobs = blobs
        self._sub: Subscription | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.correlator.start()
        self.commands.start()
        on_message = getattr(self.link, "on_message", None)
        if on_message is not None:
            on_message(self.commands.on_ack_message)
            self.link.subscribe(d.ack_topic for d in self.registry.list() if d.ack_topic)  # type: ignore[union-attr]
        self._sub = self.bus.subscribe(GROUP, durable=False)
        self._thread = threading.Thread(target=self._events, name="device-states", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
        if self._sub is not None:
            self._sub.close()
        self.commands.stop()
        self.correlator.stop()

    def _events(self) -> None:
        assert self._sub is not None
        for got in batches(self._sub, self._stop, "devices"):
            for d in got:
                self._one(d.event)
            self._sub.ack(got)

    def _one(self, ev: Event) -> None:
        self.states.feed(ev)
        if ev.type == "device_ack":
            a: dict[str, Any] = ev.attributes
            raw = a.get("raw") if isinstance(a.get("raw"), dict) else {}
            cid = a.get("command_id") or (raw or {}).get("command_id")
            if cid:
                ok = (a.get("ok", (raw or {}).get("ok", True))) is not False
                self.commands.on_ack(str(cid), ok, source="bus", device_id=ev.camera_id)
