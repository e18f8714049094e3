"""The gateway's mapping, ids, health and site checks without a broker (logic only)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from kuzet.config.devices import DeviceConfig, DeviceGatewayConfig, DeviceKind, PayloadMapping
from kuzet.config.models import SiteConfig
from kuzet.core.event import Event, event_id
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.mapping import Rejected
from kuzet.devices.registry import DeviceRegistry
from kuzet.schema import open_store

M = PayloadMapping(topic="d/+", device_id="dev", event="what", message_id="mid",
                   timestamp="at", battery="bat", events={"beat": "heartbeat",
                                                          "lid": "device_tamper"})  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.t = 1_796_000_000.0

    def __call__(self) -> float:
        return self.t


Gw = tuple[DeviceGateway, list[Event], Clock]


@pytest.fixture
def gw(tmp_path: Path) -> Gw:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    reg = DeviceRegistry(store)
    reg.sync([DeviceConfig(id="sens-1", kind=DeviceKind.SENSOR, heartbeat_s=60, battery_low=20)])
    out: list[Event] = []
    clock = Clock()
    return DeviceGateway(reg, out.append, DeviceGatewayConfig(), clock=clock), out, clock


def _send(gw: DeviceGateway, **body: object) -> list[Event]:
    return gw.accept("mqtt", "d/x", json.dumps(body).encode(), M)


def test_ids_follow_the_contract_and_redelivery_is_not_published_twice(gw: Gw) -> None:
    g, out, _ = gw
    (a,) = _send(g, dev="sens-1", what="sensor_alarm", mid="42")
    assert a.id == event_id("sens-1", "sensor_alarm", "42")
    assert _send(g, dev="sens-1", what="sensor_alarm", mid="42") == []  # redelivered
    body = {"dev": "sens-1", "what": "sensor_alarm", "at": 1_796_000_100}
    payload = json.dumps(body).encode()
    (b,) = g.accept("mqtt", "d/x", payload, M)
    digest = hashlib.sha256(payload).hexdigest()
    device_time = datetime.fromtimestamp(1_796_000_100, UTC).isoformat()
    assert b.id == event_id("sens-1", "sensor_alarm", digest, device_time)
    assert [e.id for e in out] == [a.id, b.id]
    assert g.metrics.value("device_duplicates", source="mqtt") == 1


def test_a_device_clock_far_ahead_gives_arrival_time(gw: Gw) -> None:
    g, _, clock = gw
    (late,) = _send(g, dev="sens-1", what="sensor_alarm", mid="a", at=clock.t - 7200)
    assert late.ts.timestamp() == clock.t - 7200  # queued two hours: its own time is true
    (ahead,) = _send(g, dev="sens-1", what="sensor_alarm", mid="b", at=clock.t + 86400)
    assert ahead.ts.timestamp() == clock.t
    assert ahead.attributes["device_ts"] == datetime.fromtimestamp(clock.t + 86400, UTC).isoformat()


def test_battery_low_once_until_recharged_and_tamper(gw: Gw) -> None:
    g, _, _ = gw
    assert _send(g, dev="sens-1", what="beat", bat=50, mid="1") == []
    (low,) = _send(g, dev="sens-1", what="beat", bat=18, mid="2")
    assert low.type == "device_battery_low" and low.attributes["battery"] == 18
    assert _send(g, dev="sens-1", what="beat", bat=15, mid="3") == []  # still low: no repeat
    assert _send(g, dev="sens-1", what="beat", bat=90, mid="4") == []  # battery changed
    (again,) = _send(g, dev="sens-1", what="beat", bat=19, mid="5")
    assert again.type == "device_battery_low" and again.id != low.id
    (tamper,) = _send(g, dev="sens-1", what="lid", mid="6")
    assert tamper.type == "device_tamper" and tamper.attributes["device_kind"] == "sensor"


def test_offline_after_its_interval_by_the_clock(gw: Gw) -> None:
    g, _, clock = gw
    _send(g, dev="sens-1", what="beat")
    clock.t += 59
    assert g.check() == []
    clock.t += 2
    (off,) = g.check()
    assert off.type == "device_offline" and g.check() == []
    clock.t += 100
    (on,) = _send(g, dev="sens-1", what="beat")
    assert on.type == "device_online"


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"\xff\xfe", "not_json"), (b'"text"', "not_object"), (b'{"what": "beat"}', "no_device_id"),
     (b'{"dev": true, "what": "beat"}', "no_device_id"),
     (b'{"dev": "sens-1", "what": "beat", "mid": ""}', "bad_message_id"),
     (b'{"dev": "sens-1", "what": "beat", "bat": 101}', "bad_battery"),
     (b'{"dev": "sens-1", "what": "beat", "at": 1e300}', "bad_timestamp")],
)  # fmt: skip
def test_malformed_fields_name_their_reason(gw: Gw, body: bytes, reason: str) -> None:
    g, out, _ = gw
    with pytest.raises(Rejected) as e:
        g.accept("mqtt", "d/x", body, M)
    assert e.value.reason == reason
    assert g.metrics.value("device_rejected", source="mqtt", reason=reason) == 1 and out == []


def test_site_refuses_device_ids_that_are_camera_ids_and_unknown_links() -> None:
    cam = {"id": "cam-1", "main_url": "a.mp4"}
    with pytest.raises(ValidationError, match="is a camera id"):
        SiteConfig(cameras=[cam], devices=[{"id": "cam-1", "kind": "siren"}])
    with pytest.raises(ValidationError, match="linked_cameras: no camera with id 'cam-9'"):
        SiteConfig(cameras=[cam], devices=[{"id": "s", "kind": "siren",
                                            "linked_cameras": ["cam-9"]}])  # fmt: skip
    with pytest.raises(ValidationError, match="category: unknown 'mall'"):
        SiteConfig(devices=[{"id": "s", "kind": "siren", "category": "mall"}])
    with pytest.raises(ValidationError, match="not a device event type"):
        PayloadMapping(topic="t", events={"boom": "explosion"})
    with pytest.raises(ValidationError, match="at least 16"):
        DeviceGatewayConfig.model_validate({"webhook": {"keys": [{"id": "k", "secret": "short"}]}})
    site = SiteConfig(cameras=[cam], devices=[{"id": "s", "kind": "siren",
                                               "linked_cameras": ["cam-1"]}])  # fmt: skip
    assert not site.device_gateway.enabled
