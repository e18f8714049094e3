"""What ``kuzet serve`` runs for devices: registry sync, gateway, MQTT input, webhook, and
the operations centre's response (an alarm's cameras; commands to outputs).

Nothing runs unless the site file configures it: devices are synced to the store when
listed; the gateway starts only with ``device_gateway.mqtt`` or ``.webhook``; commands go
out only over ``device_gateway.mqtt`` (on a connection of their own).
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry

from kuzet.config.models import SiteConfig
from kuzet.core.event import Event
from kuzet.devices.correlate import Blobs, Frames, Holds
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.metrics import DeviceMetrics
from kuzet.devices.mqtt_input import MqttInput, PutSignal
from kuzet.devices.mqtt_link import MqttLink
from kuzet.devices.registry import DeviceRegistry
from kuzet.devices.respond import DeviceResponse
from kuzet.devices.webhook import DeviceWebhook
from kuzet.events import Bus
from kuzet.incidents.engine import OpsEngine
from kuzet.store import Store


class DeviceServices:
    def __init__(
        self,
        site: SiteConfig,
        store: Store,
        publish: Callable[[Event], None],
        *,
        registry: CollectorRegistry | None = None,
        put_signal: PutSignal | None = None,
    ) -> None:
        cfg = site.device_gateway
        self.registry = DeviceRegistry(store)
        self.registry.sync(site.devices)
        self.gateway = DeviceGateway(self.registry, publish, cfg, metrics=DeviceMetrics(registry))
        self.mqtt = MqttInput(self.gateway, cfg.mqtt, put_signal=put_signal) if cfg.mqtt else None
        self.webhook = DeviceWebhook(self.gateway, cfg.webhook) if cfg.webhook else None
        self._site, self._store = site, store
        self.link: MqttLink | None = None
        self.response: DeviceResponse | None = None

    @classmethod
    def build(
        cls,
        site: SiteConfig,
        store: Store,
        publish: Callable[[Event], None],
        *,
        registry: CollectorRegistry | None = None,
        put_signal: PutSignal | None = None,
    ) -> DeviceServices | None:
        """None when the site has neither devices nor a gateway (a store left as it was)."""
        if not site.devices and not site.device_gateway.enabled:
            store_has = bool(store.list_devices())
            if not store_has:
                return None
        return cls(site, store, publish, registry=registry, put_signal=put_signal)

    def respond(
        self, ops: OpsEngine, bus: Bus, blobs: Blobs, frames: Frames | None, holds: Holds | None
    ) -> DeviceResponse:
        """The operations centre's side, once the engine, the frame tap and the recording
        exist (docs/devices-response.md)."""
        cfg = self._site.device_gateway
        if cfg.mqtt is not None:
            mq = cfg.mqtt
            password = None if mq.password is None else mq.password.get_secret_value()
            self.link = MqttLink(mq.host, mq.port, client_id=f"{mq.client_id}-out",
                                 username=mq.username, password=password)  # fmt: skip
        self.response = DeviceResponse(
            ops=ops, bus=bus, registry=self.registry, store=self._store, blobs=blobs,
            frames=frames, holds=holds, link=self.link, settings=cfg.response,
        )  # fmt: skip
        return self.response

    @property
    def running_gateway(self) -> bool:
        return self.mqtt is not None or self.webhook is not None

    def start(self) -> DeviceServices:
        if self.running_gateway:
            self.gateway.start()
        if self.mqtt is not None:
            self.mqtt.start()
        if self.link is not None:
            self.link.start()
        if self.response is not None:
            self.response.start()
        return self

    def stop(self) -> None:
        """MQTT first (no more input), then the health thread (its last write)."""
        if self.response is not None:
            self.response.stop()
        if self.link is not None:
            self.link.stop()
        if self.mqtt is not None:
            self.mqtt.stop()
        if self.running_gateway:
            self.gateway.stop()
