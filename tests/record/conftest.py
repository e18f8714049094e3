"""Fixtures of the recording tests: real footage as H.264, a migrated store, a volume."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rtsp import gstreamer_missing, make_h264_clip
from services import require_service

from kuzet.config.record import CameraRecordSettings, RecordMode
from kuzet.record import SegmentIndex
from kuzet.schema import open_store
from kuzet.storage import LocalVolume
from kuzet.store import Store


@pytest.fixture(scope="session")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 s of vtest.avi as 640x360 25 fps H.264 in MPEG-TS, a keyframe every second."""
    return make_h264_clip(tmp_path_factory.mktemp("rec-clip") / "cam.ts", seconds=12)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    yield s
    s.close()


@pytest.fixture
def index(store: Store) -> SegmentIndex:
    return SegmentIndex(store.engine)


@pytest.fixture
def volume(tmp_path: Path) -> LocalVolume:
    return LocalVolume("default", tmp_path / "recordings")


def settings(
    mode: RecordMode = RecordMode.CONTINUOUS, **kw: float | str | None
) -> CameraRecordSettings:
    base: dict[str, object] = {
        "mode": mode,
        "segment_s": 3.0,
        "pre_s": 2.0,
        "post_s": 2.0,
        "days": 7.0,
        "volume": "default",
    }
    base.update(kw)
    return CameraRecordSettings.model_validate(base)


@pytest.fixture(scope="session")
def gstreamer() -> None:
    why = gstreamer_missing()
    if why:
        require_service("gstreamer-rtsp", why)
