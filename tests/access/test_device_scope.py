"""Device events are scoped like camera events: by the device's category, district and the
camera group (devices share the cameras' id space); out of scope reads as not found."""

from __future__ import annotations

import json

from kuzet.access.model import Role, Scope
from kuzet.config.devices import (
    DeviceConfig,
    DeviceGatewayConfig,
    DeviceKind,
    PayloadMapping,
)
from kuzet.core.event import Event
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.registry import DeviceRegistry

from .conftest import City

MAPPING = PayloadMapping(topic="devices/+/events")


def _press(city: City) -> dict[str, Event]:
    """One SOS press at a school's button and one at a street button, through the gateway."""
    registry = DeviceRegistry(city.store)
    registry.sync([
        DeviceConfig(id="sos-school", kind=DeviceKind.SOS_BUTTON, category="school",
                     district="Bostandyk", linked_cameras=["school-1"]),
        DeviceConfig(id="sos-street", kind=DeviceKind.SOS_BUTTON, category="public_safety",
                     district="Medeu", linked_cameras=["street-1"]),
    ])  # fmt: skip
    gw = DeviceGateway(registry, lambda ev: city.store.insert_events([ev]), DeviceGatewayConfig())
    out = {}
    for dev in ("sos-school", "sos-street"):
        body = json.dumps({"device_id": dev, "event": "sos", "message_id": "p1"}).encode()
        (ev,) = gw.accept("mqtt", f"devices/{dev}/events", body, MAPPING)
        out[dev] = ev
    return out


def _get(city: City, who: str, path: str, **params: str) -> object:
    r = city.client.get(path, params=params, headers=city.h(who))
    return r.json() if r.status_code == 200 else r.status_code


def test_another_agency_does_not_see_a_devices_events(city: City) -> None:
    evs = _press(city)
    city.user("edu", "education", Role.OPERATOR)  # schools and kindergartens
    city.user("tpol", "traffic-police", Role.OPERATOR)  # traffic and public safety
    city.user("medeu", "city-police", Role.OPERATOR, scope=Scope(districts=frozenset({"Medeu"})))
    city.user("chief", "situation-centre", Role.OPERATOR)
    for who, device in (("edu", "sos-school"), ("tpol", "sos-street"), ("medeu", "sos-street")):
        other = "sos-street" if device == "sos-school" else "sos-school"
        found = _get(city, who, "/api/events", type="sos")
        assert isinstance(found, dict)
        assert [e["id"] for e in found["items"]] == [evs[device].id], who
        assert _get(city, who, f"/api/events/{evs[other].id}") == 404, who  # not 403
        assert [d["id"] for d in _get(city, who, "/api/devices")] == [device]  # type: ignore[union-attr]
        assert _get(city, who, f"/api/devices/{other}") == 404
    seen = _get(city, "chief", "/api/events", type="sos")
    assert isinstance(seen, dict) and len(seen["items"]) == 2
    dev = _get(city, "chief", "/api/devices/sos-school")
    assert isinstance(dev, dict)
    assert dev["kind"] == "sos_button" and dev["linked_cameras"] == ["school-1"]
