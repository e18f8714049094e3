"""The device gateway: payloads in (MQTT, webhook), device events out onto the bus.

Every message is mapped (:mod:`kuzet.devices.mapping`), checked against the registry and
published with a deterministic id; a malformed one is logged with its reason, counted
(``kuzet_device_rejected_total{source,reason}``) and dropped, never raised to the caller's
loop. A thread checks silence every ``check_every_s`` and writes health to the store.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from datetime import UTC, datetime

from kuzet.config.devices import HEARTBEAT, DeviceGatewayConfig, PayloadMapping
from kuzet.core.event import Event
from kuzet.devices.events import device_event, message_event_id
from kuzet.devices.health import Health
from kuzet.devices.mapping import Rejected, map_message, parse_payload
from kuzet.devices.metrics import DeviceMetrics
from kuzet.devices.registry import DeviceRegistry

log = logging.getLogger(__name__)
RECENT_IDS = 100_000  # ids remembered to drop redeliveries before the bus (the store dedupes too)


class DeviceGateway:
    def __init__(
        self,
        registry: DeviceRegistry,
        publish: Callable[[Event], None],
        cfg: DeviceGatewayConfig,
        *,
        metrics: DeviceMetrics | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.cfg = cfg
        self.metrics = metrics or DeviceMetrics()
        self._publish = publish
        self._clock = clock
        self.health = Health(registry.list(), clock())
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ input
    def accept(
        self,
        source: str,
        topic: str,
        payload: bytes,
        mapping: PayloadMapping,
        *,
        allowed: Collection[str] | None = None,
    ) -> list[Event]:
        """Map and publish one message; the events published (redeliveries: none).

        Raises :class:`Rejected` (already counted and logged) for a message that cannot be
        an event; ``allowed`` limits the device ids (a webhook key's devices).
        """
        self.metrics.messages.labels(source).inc()
        try:
            obj = parse_payload(payload, self.cfg.max_payload_bytes)
            msg = map_message(obj, payload, mapping, topic)
            dev = self.registry.get(msg.device_id)
            if dev is None:
                raise Rejected("unknown_device", f"no device with id {msg.device_id[:128]!r}")
            if not dev.enabled:
                raise Rejected("device_disabled", f"device {dev.id!r} is disabled")
            if allowed is not None and dev.id not in allowed:
                raise Rejected("not_allowed", f"this key may not speak for {dev.id!r}")
        except Rejected as e:
            self.metrics.rejected.labels(source, e.reason).inc()
            log.warning(
                "device message rejected",
                extra={"source": source, "topic": topic, "reason": e.reason, "detail": e.detail},
            )
            raise
        now = self._clock()
        events = self.health.seen(dev, msg, now, source)
        if msg.kind != HEARTBEAT:
            ts, extra = msg.ts, None
            if ts is None or ts.timestamp() - now > self.cfg.max_future_s:
                # a clock far ahead would sort the alarm above everything: arrival time,
                # the device's own kept (a queued message's past time is kept: it is true)
                extra = None if ts is None else {"device_ts": ts.isoformat()}
                ts = datetime.fromtimestamp(now, UTC)
            ev_id = message_event_id(dev.id, msg.kind, msg)
            events.append(device_event(dev, msg.kind, ev_id=ev_id, ts=ts, source=source,
                                       msg=msg, extra=extra))  # fmt: skip
        return self._emit(events, source)

    def handle(self, source: str, topic: str, payload: bytes, mapping: PayloadMapping) -> None:
        """:meth:`accept` for a transport's loop: never raises on a bad message."""
        with contextlib.suppress(Rejected):  # counted and logged by accept
            self.accept(source, topic, payload, mapping)

    def _emit(self, events: list[Event], source: str) -> list[Event]:
        out = []
        for ev in events:
            with self._recent_lock:
                if ev.id in self._recent:
                    self._recent.move_to_end(ev.id)
                    self.metrics.duplicates.labels(source).inc()
                    continue
            self._publish(ev)  # blocks on a full bus; the message is acked only after
            with self._recent_lock:
                self._recent[ev.id] = None
                while len(self._recent) > RECENT_IDS:
                    self._recent.popitem(last=False)
            self.metrics.events.labels(ev.type).inc()
            out.append(ev)
        return out

    # ------------------------------------------------------------ health
    def check(self) -> list[Event]:
        """Offline alarms for the silent devices, health written to the store."""
        events = self._emit(self.health.check(self.registry.list(), self._clock()), "health")
        self.metrics.offline.set(self.health.offline_count())
        try:
            self.registry.record_health(self.health.take_changes())
        except Exception:  # the store away a moment: the next round writes again
            log.exception("device health not written; will retry")
        return events

    def _loop(self) -> None:
        while not self._stop.wait(self.cfg.check_every_s):
            try:
                self.check()
            except Exception:
                log.exception("device health check failed; will retry")

    def start(self) -> DeviceGateway:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="device-health", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.registry.record_health(self.health.take_changes())
