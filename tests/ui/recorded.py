"""An operations centre whose cameras are recorded: real footage (vtest.avi as H.264,
640x360, 25 fps) remuxed by the real recorder into 3 s fMP4 segments at a chosen wall
time, with playback, exports and bookmarks (kuzet.evidence) and optionally a track index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from tests.evidence.conftest import Rec, record
from tests.incidents.conftest import cheap_access

from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.archive import TrackIndex
from kuzet.config.evidence import EvidenceConfig
from kuzet.config.ops import OpsConfig
from kuzet.core.records import CameraInfo
from kuzet.crypto.signing import Signer
from kuzet.events import MemoryBus
from kuzet.evidence.service import Evidence
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.schema import open_store
from kuzet.storage import LocalVolume
from kuzet.store import LocalBlobStore, Store


@dataclass
class Recorded:
    store: Store
    svc: AccessService
    bus: MemoryBus
    app: FastAPI
    evidence: Evidence
    signer: Signer

    def close(self) -> None:
        self.app.state.kuzet.incidents.stop()
        self.evidence.close()
        self.bus.close()
        self.store.close()


def recorded_city(
    tmp_path: Path,
    clip: Path,
    t0: float,
    cameras: list[CameraInfo],
    *,
    archive: TrackIndex | None = None,
    faces: Callable[[], Any] | None = None,
) -> Recorded:
    """Every camera records ``clip`` from wall time ``t0``; its main stream is the clip
    (what the full-rate live view reads). ``faces`` makes the face finder that blurs video
    for callers without biometric clearance (none: they are refused video)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_access())
    svc.seed_agencies()
    index = SegmentIndex(store.engine)
    vol = LocalVolume("default", tmp_path / "recordings")
    for cam in cameras:
        store.upsert_camera(cam.model_copy(update={"main_url": str(clip)}))
        record(clip, index, vol, camera=cam.id, t0=t0)
    rec = Rec(index, EvidenceHolds(store.engine, svc.audit), {"default": vol})
    signer = Signer(Ed25519PrivateKey.generate(), "test")
    ev = Evidence(
        rec, store.engine, svc.audit, signer, EvidenceConfig(), tmp_path / "data", faces=faces
    )
    bus = MemoryBus()
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
    engine.start()
    app = create_app(store=store, blobs=LocalBlobStore(tmp_path / "blobs"), bus=bus, access=svc,
                     faces=faces, incidents=engine, evidence=ev, archive_index=archive)  # fmt: skip
    return Recorded(store, svc, bus, app, ev, signer)
