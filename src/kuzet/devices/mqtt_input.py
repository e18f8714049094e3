"""The gateway's MQTT input: the site file's topic mappings, and traffic-signal feeds.

A signal feed puts a junction controller's states into the signal board the red-light
rules read (``kuzet.rules.signals.SignalBoard.put``), handed in as ``put_signal`` so this
package does not depend on the rules.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import cast

from kuzet.config.devices import MqttInputConfig, SignalFeedConfig
from kuzet.config.traffic import SIGNAL_STATES, SignalState
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.mapping import Rejected, field_value, parse_payload, parse_time
from kuzet.devices.mqtt import MqttClient, matches

log = logging.getLogger(__name__)
PutSignal = Callable[[str, str, SignalState, float], object]


class MqttInput:
    def __init__(
        self,
        gateway: DeviceGateway,
        cfg: MqttInputConfig,
        *,
        put_signal: PutSignal | None = None,
    ) -> None:
        self.gateway, self.cfg = gateway, cfg
        self._put_signal = put_signal
        password = cfg.password.get_secret_value() if cfg.password else None
        self.client = MqttClient(
            cfg.host, cfg.port, cfg.client_id, persistent=True, username=cfg.username,
            password=password, keepalive_s=cfg.keepalive_s, on_message=self._on_message,
        )  # fmt: skip
        for m in cfg.mappings:
            self.client.subscribe(m.topic)
        if put_signal is not None:
            for s in cfg.signals:
                self.client.subscribe(s.topic)

    def _on_message(self, topic: str, payload: bytes) -> None:
        """Called on paho's thread; returns (so the message is acked) unless the bus fails."""
        handled = False
        for m in self.cfg.mappings:
            if matches(m.topic, topic):
                self.gateway.handle("mqtt", topic, payload, m)
                handled = True
                break
        for s in self.cfg.signals:
            if self._put_signal is not None and matches(s.topic, topic):
                self._signal(s, topic, payload)
                handled = True
        if not handled:  # cannot happen with our own subscriptions; counted if it does
            self.gateway.metrics.rejected.labels("mqtt", "no_mapping").inc()

    def _signal(self, s: SignalFeedConfig, topic: str, payload: bytes) -> None:
        assert self._put_signal is not None
        try:
            obj = parse_payload(payload, self.gateway.cfg.max_payload_bytes)
            state = field_value(obj, s.state, topic)
            if state not in SIGNAL_STATES:
                raise Rejected("bad_signal_state", f"{s.state!r} is not one of {SIGNAL_STATES}")
            raw_ts = field_value(obj, s.timestamp, topic) if s.timestamp else None
            try:
                at = time.time() if raw_ts is None else parse_time(raw_ts).timestamp()
            except (ValueError, OverflowError, OSError) as e:
                raise Rejected("bad_timestamp", str(e)) from None
        except Rejected as e:
            self.gateway.metrics.rejected.labels("mqtt_signal", e.reason).inc()
            log.warning(
                "signal message rejected",
                extra={"topic": topic, "reason": e.reason, "detail": e.detail},
            )
            return
        self._put_signal(s.camera_id, s.signal, cast(SignalState, state), at)

    def start(self, wait_s: float | None = None) -> MqttInput:
        self.client.start(wait_s)
        return self

    def stop(self) -> None:
        self.client.stop()
