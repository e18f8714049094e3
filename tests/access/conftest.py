"""A small city: agencies, cameras in several categories and districts, events of each
data class, one account per role, all over a real SQLite store and the in-process bus."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyotp
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hash_embedder import HashPhotoEmbedder

from kuzet.access.model import DataClass, Role, Scope
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.archive.query import TrackIndex
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy, ThrottleConfig
from kuzet.config.evidence import EvidenceConfig
from kuzet.config.faces import FacesConfig
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.crypto import KeyRing
from kuzet.crypto.signing import Signer
from kuzet.events import MemoryBus
from kuzet.evidence.service import Evidence
from kuzet.faces.services import FaceServices
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.platedata.services import PlateData
from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.schema import open_store
from kuzet.storage import LocalVolume, Volume
from kuzet.store import LocalBlobStore, Store

PASSWORD = "Correct-Horse-Battery-9"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
JPEG = b"\xff\xd8\xff\xe0not-really-a-jpeg\xff\xd9"

CAMERAS = [
    CameraInfo(id="school-1", category="school", district="Bostandyk", main_url="file:a.mp4"),
    CameraInfo(id="kg-1", category="kindergarten", district="Almaly", main_url="file:b.mp4"),
    CameraInfo(id="traffic-1", category="traffic", district="Medeu", main_url="file:c.mp4"),
    CameraInfo(id="traffic-2", category="traffic", district="Auezov", main_url="file:d.mp4"),
    CameraInfo(id="street-1", category="public_safety", district="Medeu", main_url="file:e.mp4"),
]


def cheap_config(**kw: Any) -> AccessConfig:
    """Real argon2id, tiny cost: tests stay fast, the code path is the production one."""
    return AccessConfig(
        passwords=PasswordPolicy(
            argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1),
            max_concurrent_hashes=16,  # cheap hashes: never 'busy' unless a test makes it so
        ),
        throttle=ThrottleConfig(max_user_failures=5, max_ip_failures=20),
        secure_cookies=True,
        **kw,
    )


def event(n: int, camera: str, type: str = "zone_presence", **kw: Any) -> Event:
    return Event(id=f"ev-{camera}-{n}", type=type, camera_id=camera,
                 ts=T0 + timedelta(seconds=n), **kw)  # fmt: skip


class FakeFaces:
    """Stands in for the detector in tests that are not about blurring: one box."""

    calls = 0

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        FakeFaces.calls += 1
        return np.array([[0, 0, 4, 4]], np.float32)


@dataclass
class City:
    svc: AccessService
    store: Store
    blobs: LocalBlobStore
    bus: MemoryBus
    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    faces: FaceServices | None = None  # watchlists over the same store, synthetic templates

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def user(
        self, name: str, agency: str, role: Role, *, scope: Scope | None = None,
        clearances: frozenset[DataClass] | None = None,
    ) -> str:  # fmt: skip
        """A person with TOTP set up and a full session; returns the access token."""
        _, otp = self.svc.accounts.create_user(None, name, agency, role, scope=scope,
                                               clearances=clearances)  # fmt: skip
        assert otp is not None
        enrol = self.svc.sessions.login(name, otp)
        p = self.svc.authenticate(enrol.access_token)
        assert p is not None and p.stage == "enrol"
        secret = self.svc.accounts.enrol_totp(p).secret
        now = time.time()
        self.svc.accounts.confirm_totp(p, pyotp.TOTP(secret).at(now), PASSWORD)
        full = self.svc.sessions.login(name, PASSWORD, totp_code=pyotp.TOTP(secret).at(now + 30))
        self.tokens[name], self.secrets[name] = full.access_token, secret
        return full.access_token

    def api_key(self, name: str, agency: str, perms: list[str]) -> str:
        view, _ = self.svc.accounts.create_user(None, name, agency, Role.INTEGRATION)
        _, key = self.svc.keys.create(None, view["id"], perms)
        self.tokens[name] = key
        return key


@dataclass
class _Recording:
    """What evidence needs of ``kuzet.record.Recording``: the index, holds and volumes."""

    index: SegmentIndex
    holds: EvidenceHolds
    volumes: dict[str, Volume] = field(default_factory=dict)


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_config())
    svc.seed_agencies()
    blobs = LocalBlobStore(tmp_path / "blobs")
    bus = MemoryBus()
    for cam in CAMERAS:
        store.upsert_camera(cam)
    evs = []
    for i, cam in enumerate(CAMERAS):
        key = f"snapshots/2025/01/01/{cam.id}/ev.jpg"
        blobs.put(key, JPEG)
        evs.append(event(i, cam.id, snapshot=key))
    evs.append(event(10, "traffic-1", "plate_read", attributes={"plate": "123ABC02"}))
    evs.append(event(11, "street-1", "face_match", attributes={"watchlist": "w-17"}))
    evs.append(
        event(12, "traffic-1", "zone_presence", attributes={"plate": "777KZ02", "zone": "x"})
    )
    store.insert_events(evs)
    faces = FaceServices.build(
        store.engine, FacesConfig(enabled=True), keys=KeyRing.parse(KeyRing.generate()),
        embedder=HashPhotoEmbedder(),
    )  # fmt: skip
    incidents = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
    incidents.start()
    # an empty archive and recording: the routes answer as they would on a site
    recording = _Recording(
        SegmentIndex(store.engine), EvidenceHolds(store.engine, svc.audit),
        {"default": LocalVolume("default", tmp_path / "recordings")},
    )  # fmt: skip
    evidence = Evidence(
        recording, store.engine, svc.audit, Signer(Ed25519PrivateKey.generate(), "test"),
        EvidenceConfig(), tmp_path / "data", faces=lambda: FakeFaces(),
    )  # fmt: skip
    app = create_app(store=store, blobs=blobs, bus=bus, access=svc, faces=lambda: FakeFaces(),
                     face_services=faces, incidents=incidents, evidence=evidence,
                     archive_index=TrackIndex(tmp_path / "archive"),
                     plates=PlateData(store.engine, bus))  # fmt: skip
    with TestClient(app, base_url="https://testserver") as client:
        c = City(svc, store, blobs, bus, app, client, faces=faces)
        yield c
    incidents.stop()
    bus.close()
    store.close()
