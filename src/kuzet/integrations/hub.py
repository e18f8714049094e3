"""Wires the integrations to the platform: bus events and incident changes go to the
webhook targets and MQTT topics their filters in the site file choose.

Events come from a durable bus group (``integrations``) acked once queued for delivery;
incident changes from the incident engine's listeners (the same feed as /api/ws/ops).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
from prometheus_client import CollectorRegistry, Counter

from kuzet.config.integrations import IntegrationsConfig
from kuzet.core import Event, event_id
from kuzet.events.base import Bus, Subscription
from kuzet.events.batches import batches
from kuzet.incidents.model import Change
from kuzet.integrations import cap
from kuzet.integrations.deadletters import DeadLetters
from kuzet.integrations.mqtt_out import MqttPublisher
from kuzet.integrations.onvif import OnvifCameras
from kuzet.integrations.payloads import event_body, event_matches, incident_body, incident_matches
from kuzet.integrations.webhooks import Delivery, Dispatcher

if TYPE_CHECKING:
    from kuzet.incidents.engine import OpsEngine

log = logging.getLogger(__name__)
GROUP = "integrations"


class Integrations:
    """Owned by the service: started after the bus and incident engine, stopped before."""

    def __init__(
        self,
        cfg: IntegrationsConfig,
        dead: DeadLetters,
        *,
        bus: Bus | None = None,
        incidents: OpsEngine | None = None,
        client: httpx.Client | None = None,
        registry: CollectorRegistry | None = None,
        read_blob: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.cfg = cfg
        self.dead = dead
        on_result = None
        if registry is not None:  # the process's /metrics (kuzet.obs.metrics owns it)
            tries = Counter(
                "kuzet_webhook_deliveries", "webhook tries by target and outcome "
                "(delivered, retry, dead)", ["target", "outcome"], registry=registry,
            )  # fmt: skip
            on_result = lambda target, outcome: tries.labels(target, outcome).inc()  # noqa: E731
        self.webhooks = Dispatcher(cfg.webhooks, dead, client=client, on_result=on_result)
        self.mqtt = MqttPublisher(cfg.mqtt, read_blob) if cfg.mqtt.enabled else None
        self.onvif = OnvifCameras(cfg.onvif)
        self._bus = bus
        self._incidents = incidents
        self._sub: Subscription | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.webhooks.start()
        if self.mqtt is not None:
            self.mqtt.start()
        if self._incidents is not None:
            self._incidents.listen(self.on_changes)
        if self._bus is not None and self.wants_events(self.cfg):
            self._sub = self._bus.subscribe(GROUP, durable=True)
            self._thread = threading.Thread(
                target=self._loop, name="kuzet-integrations", daemon=True
            )
            self._thread.start()

    @staticmethod
    def wants_events(cfg: IntegrationsConfig) -> bool:
        """Whether bus events go anywhere (then the durable group ``integrations`` exists)."""
        return cfg.mqtt.enabled or any(t.events is not None for t in cfg.webhooks)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._sub is not None:
            self._sub.close()
        if self._incidents is not None:
            self._incidents.unlisten(self.on_changes)
        if self.mqtt is not None:
            self.mqtt.stop()
        self.webhooks.stop()
        self.onvif.close()

    def _loop(self) -> None:
        assert self._sub is not None
        for batch in batches(self._sub, self._stop, "integrations", max_n=100):
            for d in batch:
                try:
                    self.on_event(d.event)
                except Exception:
                    log.exception("integrations: event %s not forwarded", d.event.id)
            self._sub.ack(batch)

    def on_event(self, e: Event) -> None:
        for t in self.cfg.webhooks:
            if t.events is not None and event_matches(t.events, e):
                body = event_body(e, t.events.sensitive)
                self.webhooks.submit(
                    Delivery(event_id(t.name, "event", e.id), t.name, "event", e.id, body)
                )
        if self.mqtt is not None:
            self.mqtt.on_event(e)

    def on_changes(self, changes: list[Change]) -> None:
        for ch in changes:
            inc = ch.incident
            for t in self.cfg.webhooks:
                if t.incidents is None or not incident_matches(t.incidents, inc):
                    continue
                did = event_id(t.name, "incident", inc.id, inc.version)
                try:
                    if t.cap:
                        # the Alert for the change that opened it, Updates after: known
                        # from the change itself, so any process sends the right one
                        body = cap.build(inc, self.cfg.cap, first=ch.created)
                        kind, ctype = "cap", cap.CONTENT_TYPE
                    else:
                        body, kind, ctype = incident_body(ch), "incident", "application/json"
                    self.webhooks.submit(Delivery(did, t.name, kind, inc.id, body, ctype))
                except Exception:  # one target's failure never stops the others
                    log.exception("integrations: incident %s not queued for %s", inc.id, t.name)
            if self.mqtt is not None:
                try:
                    self.mqtt.on_incident(ch)
                except Exception:
                    log.exception("integrations: incident %s not published", inc.id)
