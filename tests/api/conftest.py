"""Fixtures: an app over in-memory fakes, and (when kuzet.store exists) the real Store."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kuzet.api import create_app
from kuzet.core.camera import CameraState, CameraStatus
from kuzet.core.event import Event
from kuzet.obs.metrics import Metrics

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
        pytest.skip("kuzet.store / kuzet.events not implemented yet")
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Any]:
    if backend == "fake":
        yield FakeStore()
        return
    from kuzet.store import Store

    s = Store(f"sqlite:///{tmp_path / 'kuzet.db'}")
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


@pytest.fixture
def app(
    store: Any, blobs: Any, bus: Any, statuses: list[CameraStatus], metrics: Metrics
) -> FastAPI:
    return create_app(
        store=store, blobs=blobs, bus=bus, status=lambda: list(statuses), metrics=metrics
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:  # the context runs the lifespan (live pump)
        yield c
