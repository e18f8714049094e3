"""Fixtures of the source tests: real footage, broken files, an RTSP camera."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from rtsp import RtspServer, gstreamer_missing, make_h264_clip
from services import require_service

from kuzet.assets import ensure


@pytest.fixture(scope="session")
def vtest() -> Path:
    return Path(ensure("vtest.avi"))


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 s of vtest.avi as 640x360 25 fps H.264 in MPEG-TS (1 s GOP)."""
    return make_h264_clip(tmp_path_factory.mktemp("clip") / "cam.ts")


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264_clip(tmp_path_factory.mktemp("short") / "short.ts", seconds=2)


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory, vtest: Path) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    rand = d / "random.mp4"
    rand.write_bytes(np.random.default_rng(7).integers(0, 256, 200_000, np.uint8).tobytes())
    data = vtest.read_bytes()
    trunc = d / "truncated.avi"
    trunc.write_bytes(data[: int(len(data) * 0.3)])
    audio = d / "audio_only.wav"
    with av.open(str(audio), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 8000), np.int16), "s16", "mono")
        frame.sample_rate, frame.pts, frame.time_base = 8000, 0, Fraction(1, 8000)
        for packet in [*stream.encode(frame), *stream.encode(None)]:  # type: ignore[attr-defined]
            out.mux(packet)
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    return {
        "missing": d / "nope.mp4",
        "random": rand,
        "truncated": trunc,
        "audio_only": audio,
        "empty": empty,
        "directory": d,
    }


@pytest.fixture(scope="session")
def gstreamer() -> None:
    why = gstreamer_missing()
    if why:
        require_service("rtsp", why)


@pytest.fixture
def rtsp_server(gstreamer: None, clip: Path) -> Iterator[RtspServer]:
    """A running loopback RTSP camera looping ``clip``; killed at the end."""
    server = RtspServer(clip)
    server.start()
    try:
        yield server
    finally:
        server.stop()
