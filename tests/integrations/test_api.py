"""The integrations' HTTP routes through the real policy gate: PTZ needs ``ptz.control``
and the camera in scope, and is audited with what was asked; ONVIF discovery and
profiles; camera import from CSV with a dry run; the dead-letter list and its retry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import City, cheap_config

from kuzet.access.model import Role, Scope
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.integrations import IntegrationsConfig
from kuzet.config.ops import OpsConfig
from kuzet.core import Event
from kuzet.core.records import CameraInfo
from kuzet.events import MemoryBus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.integrations import cap
from kuzet.integrations.deadletters import DeadLetters
from kuzet.integrations.hub import Integrations
from kuzet.integrations.webhooks import Delivery
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore

from .onvif_sim import OnvifSimulator
from .receiver import Receiver
from .test_camera_csv import BAD, GOOD

SECRET = "api-test-secret-0123456789"


@pytest.fixture
def sim() -> Iterator[OnvifSimulator]:
    s = OnvifSimulator().start()
    yield s
    s.stop()


@pytest.fixture
def rx() -> Iterator[Receiver]:
    r = Receiver(SECRET.encode())
    yield r
    r.close()


@pytest.fixture
def city(tmp_path: Path, sim: OnvifSimulator, rx: Receiver) -> Iterator[City]:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    svc = AccessService(store.engine, cheap_config())
    svc.seed_agencies()
    store.upsert_camera(CameraInfo(id="ptz-1", category="public_safety", district="Medeu",
                                   main_url="rtsp://10.0.0.9/main"))  # fmt: skip
    store.upsert_camera(CameraInfo(id="school-1", category="school", main_url="file:a.mp4"))
    cfg = IntegrationsConfig.model_validate({
        "webhooks": [{"name": "dispatch", "url": rx.url, "secret": SECRET,
                      "events": {}, "max_attempts": 1}],
        "cap": {"sender": "kuzet@almaty.example"},
        "onvif": {"cameras": [{"camera_id": "ptz-1", "url": sim.url, "username": sim.username,
                               "password": sim.password}],
                  "discovery": [f"127.0.0.1:{sim.udp_port}"], "discovery_timeout_s": 0.5},
    })  # fmt: skip
    hub = Integrations(cfg, DeadLetters(store.engine))
    hub.start()
    bus, blobs = MemoryBus(), LocalBlobStore(tmp_path / "blobs")
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
    engine.start()
    app = create_app(store=store, blobs=blobs, bus=bus, access=svc, integrations=hub,
                     incidents=engine)  # fmt: skip
    with TestClient(app, base_url="https://testserver") as client:
        c = City(svc, store, blobs, bus, app, client)
        c.user("op1", "city-police", Role.OPERATOR)
        c.user("op-schools", "city-police", Role.OPERATOR,
               scope=Scope(categories=frozenset({"school"})))  # fmt: skip
        c.user("analyst", "city-police", Role.ANALYST)
        c.user("admin", "situation-centre", Role.ADMINISTRATOR)
        yield c
    hub.stop()
    engine.stop()
    bus.close()
    store.close()


def audit(c: City, action: str) -> list[dict]:  # type: ignore[type-arg]
    return c.svc.audit.rows(action=action)


def test_ptz_needs_the_permission_and_the_camera_in_scope(city: City, sim: OnvifSimulator) -> None:
    move = {"pan": 0.4, "tilt": 0.1, "zoom": 0, "timeout_s": 2}
    r = city.client.post("/api/cameras/ptz-1/ptz/move", json=move, headers=city.h("analyst"))
    assert r.status_code == 403 and r.json()["error"] == "permission_denied"
    r = city.client.post("/api/cameras/ptz-1/ptz/move", json=move, headers=city.h("op-schools"))
    assert r.status_code == 404  # out of scope reads as unknown
    assert sim.velocity == (0.0, 0.0, 0.0) and not any(n == "ContinuousMove" for n, _ in sim.calls)
    r = city.client.post("/api/cameras/ptz-1/ptz/move", json=move, headers=city.h("op1"))
    assert r.status_code == 204, r.text
    assert sim.velocity == (0.4, 0.1, 0.0)
    r = city.client.post("/api/cameras/ptz-1/ptz/stop", headers=city.h("op1"))
    assert r.status_code == 204 and sim.velocity == (0.0, 0.0, 0.0)
    rows = audit(city, "ptz.move")
    assert [(a["actor"], a["outcome"]) for a in rows] == [
        ("analyst", "denied"), ("op-schools", "not_found"), ("op1", "ok"),
    ]  # fmt: skip
    assert rows[-1]["target"] == "/api/cameras/ptz-1/ptz/move"
    assert (rows[-1]["detail"]["pan"], rows[-1]["detail"]["tilt"]) == (0.4, 0.1)
    assert [a["actor"] for a in audit(city, "ptz.stop")] == ["op1"]
    # a camera with no ONVIF entry, and a speed out of range
    assert (
        city.client.post("/api/cameras/school-1/ptz/stop", headers=city.h("op1")).status_code == 404
    )
    r = city.client.post("/api/cameras/ptz-1/ptz/move", json={"pan": 3}, headers=city.h("op1"))
    assert r.status_code == 422


def test_presets_list_set_and_goto(city: City, sim: OnvifSimulator) -> None:
    h = city.h("op1")
    assert city.client.get("/api/cameras/ptz-1/ptz/presets", headers=h).json() == [
        {"token": "1", "name": "Gate"}
    ]
    r = city.client.post("/api/cameras/ptz-1/ptz/presets", json={"name": "Crossing"}, headers=h)
    assert r.status_code == 201 and r.json() == {"token": "2", "name": "Crossing"}
    r = city.client.post("/api/cameras/ptz-1/ptz/presets/1/goto", headers=h)
    assert r.status_code == 204 and sim.position == (0.5, -0.2, 0.0)
    r = city.client.post("/api/cameras/ptz-1/ptz/presets/77/goto", headers=h)
    assert r.status_code == 502 and "NoToken" in r.json()["message"]
    goto = audit(city, "ptz.preset.goto")
    assert [(a["target"], a["outcome"]) for a in goto] == [
        ("/api/cameras/ptz-1/ptz/presets/1/goto", "ok"),
        ("/api/cameras/ptz-1/ptz/presets/77/goto", "error"),
    ]
    assert audit(city, "ptz.preset.set")[0]["detail"]["name"] == "Crossing"


def test_onvif_discovery_and_profiles_for_administrators(city: City, sim: OnvifSimulator) -> None:
    r = city.client.post("/api/integrations/onvif/discover", headers=city.h("admin"))
    assert r.status_code == 200
    assert [(f["endpoint"], f["name"], f["xaddrs"]) for f in r.json()] == [
        (sim.endpoint, "Sim PTZ", [sim.url])
    ]
    r = city.client.get("/api/cameras/ptz-1/onvif/profiles", headers=city.h("admin"))
    assert [(p["token"], p["stream_uri"], p["ptz"]) for p in r.json()] == [
        ("main", "rtsp://127.0.0.1:8554/main", True), ("sub", "rtsp://127.0.0.1:8554/sub", False),
    ]  # fmt: skip
    assert (
        city.client.get("/api/cameras/ptz-1/onvif/profiles", headers=city.h("op1")).status_code
        == 403
    )


def test_csv_import_dry_run_errors_and_apply(city: City) -> None:
    h = city.h("admin") | {"Content-Type": "text/csv"}
    r = city.client.post("/api/cameras/import", content=BAD, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "import_invalid"
    fields = {f["field"] for f in r.json()["fields"]}
    assert {"row 4.latitude", "row 5.category", "row 8"} <= fields
    r = city.client.post("/api/cameras/import?dry_run=true", content=GOOD, headers=h)
    assert r.status_code == 200 and r.json()["create"] == 2 and not r.json()["applied"]
    assert city.store.get_camera("gate-1") is None
    r = city.client.post("/api/cameras/import", content=GOOD, headers=h)
    assert r.status_code == 200 and r.json()["applied"]
    assert city.store.get_camera("gate-1") is not None
    assert [(a["outcome"], a["detail"]["dry_run"]) for a in audit(city, "camera.import")] == [
        ("refused", False), ("ok", True), ("ok", False),
    ]  # fmt: skip
    r = city.client.post("/api/cameras/import", content=GOOD, headers=city.h("op1"))
    assert r.status_code == 403


def test_dead_letters_listed_and_retried(city: City, rx: Receiver) -> None:
    hub = city.app.state.kuzet.integrations
    rx.down = True
    hub.webhooks.submit(Delivery("dl-1", "dispatch", "event", "ev-1", b'{"plate":"777KZ02"}'))
    assert hub.webhooks.drain(10)
    h = city.h("admin")
    r = city.client.get("/api/integrations/dead-letters", headers=h)
    [row] = r.json()
    assert (row["id"], row["state"], row["attempts"], row["body_bytes"]) == ("dl-1", "dead", 1, 19)
    assert "body" not in row  # an administrator is not cleared for what events carry
    assert (
        city.client.get("/api/integrations/dead-letters", headers=city.h("op1")).status_code == 403
    )
    # an API node that sends nothing itself reads the same list from the store
    bare = create_app(store=city.store, blobs=city.blobs, bus=city.bus, access=city.svc)
    with TestClient(bare, base_url="https://testserver") as other:
        r = other.get("/api/integrations/dead-letters", headers=h)
        assert [d["id"] for d in r.json()] == ["dl-1"]
        r = other.post("/api/integrations/dead-letters/dl-1/retry", headers=h)
        assert r.status_code == 503 and r.json()["error"] == "integrations_unavailable"
    rx.down = False
    r = city.client.post("/api/integrations/dead-letters/dl-1/retry", headers=h)
    assert r.status_code == 200 and r.json()["state"] == "delivered"
    assert [g.delivery for g in rx.got] == ["dl-1"]
    r = city.client.post("/api/integrations/dead-letters/dl-1/retry", headers=h)
    assert r.status_code == 409
    assert city.client.post("/api/integrations/dead-letters/x/retry", headers=h).status_code == 404
    assert city.client.get("/api/integrations/dead-letters", headers=h).json() == []
    retries = audit(city, "webhook.retry")
    assert [(a["outcome"], a["detail"].get("delivered")) for a in retries] == [
        ("error", None), ("ok", True), ("refused", None), ("not_found", None),
    ]  # fmt: skip


def test_incident_as_cap_for_whoever_may_see_it(city: City) -> None:
    city.bus.publish(Event(id="e-fight", type="fight", camera_id="ptz-1", ts=datetime.now(UTC)))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        incs = city.client.get("/api/ops/incidents", headers=city.h("op1")).json()
        if incs:
            break
        time.sleep(0.05)
    [inc] = incs
    r = city.client.get(f"/api/ops/incidents/{inc['id']}/cap", headers=city.h("op1"))
    assert r.status_code == 200 and r.headers["content-type"].startswith(cap.CONTENT_TYPE)
    cap.validate(r.content)
    assert b"<sender>kuzet@almaty.example</sender>" in r.content
    assert f"<identifier>kuzet-{inc['id']}</identifier>".encode() in r.content
    # another category's operator of the same agency: unknown, as everywhere
    r = city.client.get(f"/api/ops/incidents/{inc['id']}/cap", headers=city.h("op-schools"))
    assert r.status_code == 404
    assert [a["actor"] for a in audit(city, "incident.cap")] == ["op1", "op-schools"]
