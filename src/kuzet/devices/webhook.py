"""The devices' HTTP webhook: an API key, an HMAC-SHA256 signature, a replay window.

A device (or its vendor's cloud) sends ``POST /api/devices/webhook`` with

* ``X-Kuzet-Key``: the key id from ``device_gateway.webhook.keys``;
* ``X-Kuzet-Timestamp``: Unix seconds when it signed;
* ``X-Kuzet-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.<body>`` with
  the key's secret.

A timestamp outside ``window_s`` is refused (a captured request cannot be replayed
later), and within the window a signature or a message id already accepted is refused
as a replay (409), so a captured request cannot be replayed sooner either. The body
is mapped like an MQTT payload (``webhook.mapping``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kuzet.config.devices import WebhookConfig, WebhookKeyConfig
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.mapping import Rejected, field_value, parse_payload

KEY_HEADER = "X-Kuzet-Key"
TS_HEADER = "X-Kuzet-Timestamp"
SIG_HEADER = "X-Kuzet-Signature"


class WebhookRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Kuzet-Signature`` value a sender computes (and the receiver checks)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _Seen:
    """Keys remembered for a while (the replay window), bounded by expiry."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl = ttl_s
        self._at: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, key: str, now: float) -> bool:
        """True when new; False when already seen within the window."""
        with self._lock:
            if len(self._at) > 10_000:
                self._at = {k: t for k, t in self._at.items() if now - t <= self._ttl}
            t = self._at.get(key)
            if t is not None and now - t <= self._ttl:
                return False
            self._at[key] = now
            return True

    def discard(self, key: str) -> None:
        with self._lock:
            self._at.pop(key, None)


class DeviceWebhook:
    def __init__(
        self, gateway: DeviceGateway, cfg: WebhookConfig, clock: Callable[[], float] = time.time
    ) -> None:
        self.gateway, self.cfg, self._clock = gateway, cfg, clock
        self._keys = {k.id: k for k in cfg.keys}
        # twice the window: a timestamp may be window_s in the future or in the past
        self._signatures = _Seen(2 * cfg.window_s)
        self._messages = _Seen(2 * cfg.window_s)

    def _refuse(self, status: int, code: str, message: str) -> WebhookRefused:
        self.gateway.metrics.rejected.labels("webhook", code).inc()
        return WebhookRefused(status, code, message)

    def verify(self, headers: Mapping[str, str], body: bytes) -> WebhookKeyConfig:
        key = self._keys.get(headers.get(KEY_HEADER, ""))
        if key is None:
            raise self._refuse(401, "unknown_key", f"{KEY_HEADER}: no such key")
        stamp = headers.get(TS_HEADER, "")
        try:
            ts = float(stamp)
        except ValueError:
            raise self._refuse(401, "bad_timestamp", f"{TS_HEADER}: Unix seconds") from None
        given = headers.get(SIG_HEADER, "")
        want = sign(key.secret.get_secret_value(), stamp, body)
        if not hmac.compare_digest(given.encode(), want.encode()):
            raise self._refuse(401, "bad_signature", f"{SIG_HEADER} does not match the body")
        now = self._clock()
        if abs(now - ts) > self.cfg.window_s:
            raise self._refuse(
                401, "stale", f"{TS_HEADER} is {now - ts:.0f} s off; window {self.cfg.window_s} s"
            )
        if not self._signatures.add(f"{key.id}|{given}", now):
            raise self._refuse(409, "replay", "this signed request was already received")
        return key

    def receive(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """Verify, dedupe, map and publish; :class:`WebhookRefused` says why not."""
        key = self.verify(headers, body)
        now = self._clock()
        mapping = self.cfg.mapping
        try:
            obj = self.message_id(body)
        except Rejected:
            obj = None  # malformed: the gateway rejects it below, with the reason
        if obj is not None and not self._messages.add(f"{key.id}|{obj}", now):
            raise self._refuse(409, "replay", f"message id {obj!r} was already received")
        allowed = None if key.devices is None else set(key.devices)
        try:
            events = self.gateway.accept("webhook", "webhook", body, mapping, allowed=allowed)
        except Rejected as e:
            if obj is not None:  # a corrected message may reuse its id
                self._messages.discard(f"{key.id}|{obj}")
            raise WebhookRefused(422, e.reason, e.detail) from None
        return {"accepted": True, "events": [ev.id for ev in events]}

    def message_id(self, body: bytes) -> str | None:
        """The message id the body carries, if the mapping names one."""
        field = self.cfg.mapping.message_id
        if field is None:
            return None
        value = field_value(
            parse_payload(body, self.gateway.cfg.max_payload_bytes), field, "webhook"
        )
        return None if value is None else str(value)
