"""A real RTSP camera (GStreamer) that dies and comes back on the same port."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import pytest
from rtsp import RtspServer

from kuzet.core import CameraState, CameraStatus, Frame
from kuzet.sources import CameraReader, ReconnectPolicy

pytestmark = [pytest.mark.rtsp, pytest.mark.slow]


def _wait(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_reader_survives_a_server_restart(rtsp_server: RtspServer) -> None:
    statuses: list[CameraStatus] = []
    reader = CameraReader(
        "rtsp-cam",
        rtsp_server.url,
        fps=5,
        policy=ReconnectPolicy(initial=0.2, max=1.0, stall_s=3),
        open_timeout_s=5,
        read_timeout_s=3,
        on_status=statuses.append,
    )
    stop = threading.Event()
    frames: list[Frame] = []

    def run() -> None:
        for f in reader.frames(stop):
            frames.append(f)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    try:
        _wait(lambda: len(frames) >= 8, 15, "first frames")
        assert reader.status.state is CameraState.ONLINE
        assert frames[0].image.shape == (360, 640, 3)

        rtsp_server.stop()  # SIGKILL: the camera loses power
        _wait(lambda: reader.status.state is CameraState.RECONNECTING, 10, "reconnecting")
        assert reader.status.reason
        time.sleep(0.8)  # a few refused attempts
        n_before = len(frames)
        assert reader.status.reconnects == 0

        rtsp_server.start()
        _wait(lambda: len(frames) >= n_before + 8, 20, "frames after restart")
        st = reader.status
        assert st.state is CameraState.ONLINE and st.reconnects == 1
        pts = [f.pts for f in frames]
        assert all(b > a for a, b in itertools.pairwise(pts))  # ids stay unique
        reasons = [s.reason for s in statuses if s.state is CameraState.RECONNECTING]
        assert "connection refused" in reasons
    finally:
        stop.set()
        th.join(10)
    assert reader.status.state is CameraState.STOPPED
