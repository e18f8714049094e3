"""A recorded camera for the evidence tests: 12 s of real footage (vtest.avi as H.264,
640x360, 25 fps, a keyframe every second) remuxed by the real recorder into 3 s fMP4
segments on a local volume, indexed in a migrated SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from rtsp import make_h264_clip

from kuzet.access.audit import AuditLog
from kuzet.access.model import DataClass, Perm, Principal, Role, Scope
from kuzet.config.evidence import EvidenceConfig
from kuzet.config.record import CameraRecordSettings, RecordMode
from kuzet.crypto.signing import Signer
from kuzet.evidence.service import Evidence
from kuzet.record import EvidenceHolds, SegmentIndex
from kuzet.record.camera import CameraRecorder
from kuzet.schema import open_store
from kuzet.storage import LocalVolume, Volume
from kuzet.store import Store

T0 = 1_800_000_000.0  # the recording's wall-clock start (2027-01-15T08:00:00Z)
START = datetime.fromtimestamp(T0, UTC)
CAMERA = "cam-1"


@pytest.fixture(scope="session")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264_clip(tmp_path_factory.mktemp("ev-clip") / "cam.ts", seconds=12)


@dataclass
class Rec:
    """What evidence needs of ``kuzet.record.Recording``: the index, holds and volumes."""

    index: SegmentIndex
    holds: EvidenceHolds
    volumes: dict[str, Volume] = field(default_factory=dict)


def record(
    clip: Path, index: SegmentIndex, volume: LocalVolume, camera: str = CAMERA, t0: float = T0
) -> None:
    st = CameraRecordSettings(
        mode=RecordMode.CONTINUOUS, segment_s=3.0, pre_s=0, post_s=0, days=None, volume=volume.name
    )
    rec = CameraRecorder(camera, str(clip), st, volume, index, realtime=False, clock=lambda: t0)
    rec.start()
    assert rec._thread is not None
    rec._thread.join(60)
    assert rec.status.segments >= 4, rec.status


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    yield s
    s.close()


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store.engine)


@pytest.fixture
def rec(h264_clip: Path, store: Store, audit: AuditLog, tmp_path: Path) -> Rec:
    index = SegmentIndex(store.engine)
    vol = LocalVolume("default", tmp_path / "recordings")
    record(h264_clip, index, vol)
    return Rec(index, EvidenceHolds(store.engine, audit), {"default": vol})


class OneFace:
    """A face finder that reports one box (the top-left quarter): a fixed, visible effect."""

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        h, w = bgr.shape[:2]
        return np.array([[0, 0, w / 4, h / 4]], np.float32)


@pytest.fixture
def signer() -> Signer:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Signer(Ed25519PrivateKey.generate(), "test")


@pytest.fixture
def evidence(
    rec: Rec, store: Store, audit: AuditLog, signer: Signer, tmp_path: Path
) -> Iterator[Evidence]:
    ev = Evidence(
        rec,
        store.engine,
        audit,
        signer,
        EvidenceConfig(export_max_s=600),
        tmp_path / "data",
        faces=OneFace,
    )
    yield ev
    ev.close()


def person(
    role: Role = Role.INVESTIGATOR, *, biometrics: bool = True, agency: str = "city-police"
) -> Principal:
    clear = {DataClass.VIDEO} | ({DataClass.BIOMETRICS} if biometrics else set())
    return Principal(
        user_id="u1",
        username=f"{role.value}-1",
        agency_id=agency,
        role=role,
        permissions=frozenset(Perm),
        scope=Scope(),
        clearances=frozenset(clear),
    )
