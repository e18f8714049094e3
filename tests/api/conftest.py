"""Fixtures: an app over in-memory fakes, and (when kuzet.store exists) the real Store.

Every route needs credentials now: ``client`` authenticates each request as the role
whose job it is (an administrator edits cameras and scrapes metrics, an investigator
with every clearance reads events), so these tests keep exercising the API itself.
Access control has its own tests in ``tests/access``.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from services import require_service

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
from kuzet.core.camera import CameraState, CameraStatus
from kuzet.core.event import Event
from kuzet.obs.metrics import Metrics
from kuzet.schema import open_store
from kuzet.vision.blazeface import default_detector

from .fakes import FakeBlobs, FakeBus, FakeStore

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def make_event(i: int, camera_id: str = "cam1", type: str = "zone_presence", **kw: Any) -> Event:
    kw.setdefault("class_name", "person")
    return Event(
        id=f"ev-{i:04d}", type=type, camera_id=camera_id, ts=T0 + timedelta(seconds=i), **kw
    )


def _real_backends_available() -> bool:
    return all(
        importlib.util.find_spec(m) is not None for m in ("kuzet.store", "kuzet.events")
    ) and hasattr(importlib.import_module("kuzet.store"), "Store")


@pytest.fixture(params=["fake", "real"])
def backend(request: pytest.FixtureRequest) -> str:
    """'fake': in-memory fakes; 'real': kuzet.store.Store on SQLite, LocalBlobStore,
    kuzet.events.MemoryBus."""
    if request.param == "real" and not _real_backends_available():
        require_service("kuzet.store", "kuzet.store / kuzet.events missing")
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Any]:
    if backend == "fake":
        yield FakeStore()
        return

    s = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    yield s
    s.close()


@pytest.fixture
def blobs(backend: str, tmp_path: Path) -> Any:
    if backend == "fake":
        return FakeBlobs()
    from kuzet.store import LocalBlobStore

    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def bus(backend: str) -> Iterator[Any]:
    if backend == "fake":
        yield FakeBus()
        return
    from kuzet.events import MemoryBus

    b = MemoryBus()
    yield b
    b.close()


@pytest.fixture
def statuses() -> list[CameraStatus]:
    return [
        CameraStatus("cam1", CameraState.ONLINE, fps=5.0, last_frame_at=T0.timestamp()),
        CameraStatus("cam2", CameraState.RECONNECTING, reason="connection refused", reconnects=3),
    ]


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


PASSWORD = "Api-Tests-Secret-Phrase-42"


def _person(svc: AccessService, name: str, role: Role) -> str:
    """A platform account with TOTP set up; returns its access token."""
    _, otp = svc.accounts.create_user(None, name, "situation-centre", role)
    enrol = svc.authenticate(svc.sessions.login(name, otp or "").access_token)
    assert enrol is not None
    secret = svc.accounts.enrol_totp(enrol).secret
    now = time.time()
    svc.accounts.confirm_totp(enrol, pyotp.TOTP(secret).at(now), PASSWORD)
    return svc.sessions.login(
        name, PASSWORD, totp_code=pyotp.TOTP(secret).at(now + 30)
    ).access_token


class RoleAuth(httpx.Auth):
    """Camera writes and metrics as the administrator, everything else as the investigator."""

    def __init__(self, admin: str, investigator: str) -> None:
        self.admin, self.investigator = admin, investigator

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        path = request.url.path
        admin = path == "/metrics" or (path.startswith("/api/cameras") and request.method != "GET")
        token = self.admin if admin else self.investigator
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


@pytest.fixture
def access(tmp_path: Path) -> AccessService:
    from kuzet.schema import upgrade
    from kuzet.store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'access.db'}")
    upgrade(engine)
    cheap = PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1))
    svc = AccessService(engine, AccessConfig(passwords=cheap))
    svc.seed_agencies()
    return svc


@pytest.fixture
def auth(access: AccessService) -> RoleAuth:
    return RoleAuth(_person(access, "api-admin", Role.ADMINISTRATOR),
                    _person(access, "api-investigator", Role.INVESTIGATOR))  # fmt: skip


def authed(app: FastAPI, auth: RoleAuth) -> TestClient:
    c = TestClient(app)
    c.auth = auth
    return c


@pytest.fixture
def app(
    store: Any,
    blobs: Any,
    bus: Any,
    statuses: list[CameraStatus],
    metrics: Metrics,
    access: AccessService,
) -> FastAPI:
    return create_app(
        store=store, blobs=blobs, bus=bus, status=lambda: list(statuses), metrics=metrics,
        access=access, faces=default_detector,
    )  # fmt: skip


@pytest.fixture
def client(app: FastAPI, auth: RoleAuth) -> Iterator[TestClient]:
    with authed(app, auth) as c:  # the context runs the lifespan (live pump)
        yield c
