"""An operations centre over a real SQLite store, the in-process bus and the real app,
with people of several agencies who log in with password + TOTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kuzet.access.model import DataClass, Role, Scope
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
from kuzet.config.ops import OpsConfig, Sla
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.events import MemoryBus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore, Store

PASSWORD = "Correct-Horse-Battery-9"
CAMERAS = [
    CameraInfo(id="school-1", name="School 25", category="school", district="Bostandyk",
               latitude=43.2205, longitude=76.9089, main_url="file:a.mp4"),
    CameraInfo(id="traffic-1", name="Al-Farabi", category="traffic", district="Medeu",
               latitude=43.2183, longitude=76.9172, main_url="file:b.mp4"),
]  # fmt: skip


def cheap_access() -> AccessConfig:
    """Real argon2id at a tiny cost; plain-HTTP cookies for the loopback browser."""
    return AccessConfig(
        passwords=PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1)),
        secure_cookies=False,
    )


def enrol(
    svc: AccessService,
    name: str,
    agency: str,
    role: Role = Role.OPERATOR,
    *,
    scope: Scope | None = None,
    clearances: frozenset[DataClass] | None = None,
) -> tuple[str, str]:
    """A person with TOTP set up; returns (access token, TOTP secret)."""
    _, otp = svc.accounts.create_user(None, name, agency, role, scope=scope, clearances=clearances)
    assert otp is not None
    p = svc.authenticate(svc.sessions.login(name, otp).access_token)
    assert p is not None
    secret = svc.accounts.enrol_totp(p).secret
    now = time.time()
    svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(now), PASSWORD)
    full = svc.sessions.login(name, PASSWORD, totp_code=pyotp.TOTP(secret).at(now + 30))
    return full.access_token, secret


def wait_for(pred: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


_n = 0


def ev(camera: str, type: str = "zone_presence", phase: str = "start", **kw: Any) -> Event:
    global _n
    _n += 1
    return Event(id=f"ev-{_n}-{time.monotonic_ns()}", type=type, camera_id=camera,
                 ts=datetime.now(UTC), phase=phase, rule="people", score=0.8, **kw)  # fmt: skip


@dataclass
class Ops:
    svc: AccessService
    store: Store
    bus: MemoryBus
    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def user(
        self,
        name: str,
        agency: str,
        role: Role = Role.OPERATOR,
        *,
        scope: Scope | None = None,
        clearances: frozenset[DataClass] | None = None,
    ) -> dict[str, str]:
        self.tokens[name], _ = enrol(
            self.svc, name, agency, role, scope=scope, clearances=clearances
        )
        return self.h(name)

    def h(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def open_incidents(self, who: str) -> list[dict[str, Any]]:
        r = self.client.get("/api/ops/incidents", headers=self.h(who))
        assert r.status_code == 200, r.text
        out: list[dict[str, Any]] = r.json()
        return out


def make_ops(
    tmp_path: Path, cfg: OpsConfig, cameras: list[CameraInfo]
) -> tuple[Store, AccessService, MemoryBus, FastAPI]:
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_access())
    svc.seed_agencies()
    for cam in cameras:
        store.upsert_camera(cam)
    bus = MemoryBus()
    # as the service does: the engine is started by its owner and handed to the app;
    # callers stop it with stop_ops(app)
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, cfg), bus, store)
    engine.start()
    app = create_app(store=store, blobs=LocalBlobStore(tmp_path / "blobs"), bus=bus, access=svc,
                     faces=None, incidents=engine)  # fmt: skip
    return store, svc, bus, app


def stop_ops(app: FastAPI) -> None:
    """Stops the incident engine :func:`make_ops` started."""
    app.state.kuzet.incidents.stop()


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[Ops]:
    cfg = OpsConfig(sla={1: Sla(ack_s=60, resolve_s=900), 2: Sla(ack_s=60, resolve_s=900),
                         3: Sla(ack_s=60, resolve_s=900)}, sla_check_s=0.1)  # fmt: skip
    store, svc, bus, app = make_ops(tmp_path, cfg, CAMERAS)
    with TestClient(app, base_url="http://testserver") as client:
        yield Ops(svc, store, bus, app, client)
    stop_ops(app)
    bus.close()
    store.close()
