"""A SeaweedFS S3 server for the whole session (started here, stopped at the end)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rtsp import make_h264_clip
from seaweed import SeaweedS3, seaweed_missing
from services import require_service


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    why = seaweed_missing()
    if why is not None:
        require_service("seaweedfs", why)
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 s of vtest.avi as 640x360 25 fps H.264 in MPEG-TS, a keyframe every second."""
    return make_h264_clip(tmp_path_factory.mktemp("s3-clip") / "cam.ts", seconds=12)
