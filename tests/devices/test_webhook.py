"""The devices' webhook over HTTP: HMAC verified, stale and replayed requests refused,
a key limited to its devices; accepted bodies become device events on the bus."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from kuzet.api import create_app
from kuzet.config.devices import (
    DeviceConfig,
    DeviceGatewayConfig,
    DeviceKind,
    WebhookConfig,
    WebhookKeyConfig,
)
from kuzet.core.event import Event
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.registry import DeviceRegistry
from kuzet.devices.webhook import DeviceWebhook, sign
from kuzet.events import MemoryBus
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore

SECRET = "s3cret-of-the-alarm-vendor"
URL = "/api/devices/webhook"


@dataclass
class Hook:
    client: TestClient
    gateway: DeviceGateway
    published: list[Event]

    def post(
        self, body: dict[str, Any] | bytes, *, key: str = "vendor", secret: str = SECRET,
        ts: float | None = None, signature: str | None = None,
    ) -> Any:  # fmt: skip
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        stamp = str(int(time.time() if ts is None else ts))
        headers = {
            "X-Kuzet-Key": key,
            "X-Kuzet-Timestamp": stamp,
            "X-Kuzet-Signature": signature or sign(secret, stamp, raw),
            "Content-Type": "application/json",
        }
        return self.client.post(URL, content=raw, headers=headers)

    def rejected(self, reason: str) -> float:
        return self.gateway.metrics.value("device_rejected", source="webhook", reason=reason)


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[Hook]:
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    registry = DeviceRegistry(store)
    registry.sync([
        DeviceConfig(id="fire-7", kind=DeviceKind.FIRE_PANEL, category="school"),
        DeviceConfig(id="door-2", kind=DeviceKind.DOOR),
    ])  # fmt: skip
    published: list[Event] = []
    webhook = WebhookConfig(
        keys=[WebhookKeyConfig(id="vendor", secret=SecretStr(SECRET)),
              WebhookKeyConfig(id="doors", secret=SecretStr("another-secret-123"),
                               devices=["door-2"])],
        window_s=60,
    )  # fmt: skip
    cfg = DeviceGatewayConfig(webhook=webhook)
    gateway = DeviceGateway(registry, published.append, cfg)
    bus = MemoryBus()
    app = create_app(store=store, blobs=LocalBlobStore(tmp_path / "blobs"), bus=bus,
                     device_webhook=DeviceWebhook(gateway, webhook))  # fmt: skip
    with TestClient(app) as client:
        yield Hook(client, gateway, published)
    bus.close()
    store.close()


ALARM = {"device_id": "fire-7", "event": "fire_alarm", "message_id": "a-1", "zone": 3}


def test_a_signed_request_is_accepted_as_a_device_event(hook: Hook) -> None:
    r = hook.post(ALARM)
    assert r.status_code == 200, r.text
    (ev,) = hook.published
    assert r.json() == {"accepted": True, "events": [ev.id]}
    assert (ev.type, ev.camera_id, ev.attributes["source"]) == ("fire_alarm", "fire-7", "webhook")
    assert ev.attributes["raw"]["zone"] == 3 and ev.attributes["message_id"] == "a-1"


def test_a_wrong_signature_or_key_is_refused(hook: Hook) -> None:
    r = hook.post(ALARM, secret="not-the-secret-at-all")
    assert (r.status_code, r.json()["error"]) == (401, "bad_signature")
    body = json.dumps(ALARM).encode()
    stamp = str(int(time.time()))
    tampered = json.dumps(ALARM | {"device_id": "door-2"}).encode()  # signed one, sent another
    r = hook.client.post(URL, content=tampered, headers={
        "X-Kuzet-Key": "vendor", "X-Kuzet-Timestamp": stamp,
        "X-Kuzet-Signature": sign(SECRET, stamp, body)})  # fmt: skip
    assert (r.status_code, r.json()["error"]) == (401, "bad_signature")
    r = hook.post(ALARM, key="nobody")
    assert (r.status_code, r.json()["error"]) == (401, "unknown_key")
    r = hook.client.post(URL, content=body)  # no headers at all
    assert r.status_code == 401
    assert hook.published == [] and hook.rejected("bad_signature") == 2


def test_replays_are_refused(hook: Hook) -> None:
    stamp = time.time()
    assert hook.post(ALARM, ts=stamp).status_code == 200
    # the same signed request again, within the window
    r = hook.post(ALARM, ts=stamp)
    assert (r.status_code, r.json()["error"]) == (409, "replay")
    # re-signed with a fresh timestamp: the message id was already received
    r = hook.post(ALARM, ts=stamp + 1)
    assert (r.status_code, r.json()["error"]) == (409, "replay")
    # a captured request replayed after the window (or a clock far off)
    r = hook.post(ALARM | {"message_id": "a-2"}, ts=stamp - 120)
    assert (r.status_code, r.json()["error"]) == (401, "stale")
    r = hook.post(ALARM | {"message_id": "a-3"}, ts=stamp + 120)
    assert (r.status_code, r.json()["error"]) == (401, "stale")
    assert len(hook.published) == 1 and hook.rejected("replay") == 2


def test_a_key_speaks_only_for_its_devices_and_bad_bodies_are_422(hook: Hook) -> None:
    ok = {"device_id": "door-2", "event": "door_forced", "message_id": "d-1"}
    assert hook.post(ok, key="doors", secret="another-secret-123").status_code == 200
    r = hook.post(ALARM, key="doors", secret="another-secret-123")
    assert (r.status_code, r.json()["error"]) == (422, "not_allowed")
    r = hook.post(b"{broken", key="vendor")
    assert (r.status_code, r.json()["error"]) == (422, "not_json")
    r = hook.post({"device_id": "fire-7", "event": "meltdown", "message_id": "z"})
    assert (r.status_code, r.json()["error"]) == (422, "unknown_event")
    # the corrected message may reuse the id of the one refused
    fixed = {"device_id": "fire-7", "event": "smoke", "message_id": "z"}
    assert hook.post(fixed).status_code == 200
    assert [e.type for e in hook.published] == ["door_forced", "smoke"]
