"""A real RTSP camera (GStreamer) that dies and comes back on the same port."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rtsp import RtspServer, SilentServer

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


def _first_failure(url: str, **kw: float) -> tuple[CameraReader, list[CameraStatus]]:
    """Run a reader until its first reconnect (or failure); return it with its statuses."""
    statuses: list[CameraStatus] = []
    reader = CameraReader(
        "cam", url, fps=5, on_status=statuses.append,
        policy=ReconnectPolicy(initial=5.0, max=5.0, max_attempts=1),
        open_timeout_s=kw.get("open_timeout_s", 5.0), read_timeout_s=kw.get("read_timeout_s", 5.0),
    )  # fmt: skip
    stop = threading.Event()
    th = threading.Thread(target=lambda: list(reader.frames(stop)), daemon=True)
    th.start()
    try:
        _wait(lambda: any(s.state is CameraState.RECONNECTING for s in statuses), 30, "a retry")
    finally:
        stop.set()
        th.join(10)
    return reader, statuses


def _reason(statuses: list[CameraStatus]) -> str:
    return next(s.reason or "" for s in statuses if s.state is CameraState.RECONNECTING)


def test_wrong_or_missing_password_is_unauthorized(gstreamer: None, clip: Path) -> None:
    with RtspServer(clip, user="admin", password="s3cret") as server:
        for url in (server.url.replace("s3cret", "wrong"), server.url.replace("admin:s3cret@", "")):
            _, statuses = _first_failure(url)
            assert _reason(statuses) == "unauthorized"
            assert not any(s.state is CameraState.ONLINE for s in statuses)
            assert all("wrong" not in (s.reason or "") for s in statuses)
        good, statuses = _first_online(server.url)
        assert good


def _first_online(url: str) -> tuple[bool, list[CameraStatus]]:
    statuses: list[CameraStatus] = []
    reader = CameraReader("cam", url, fps=5, on_status=statuses.append)
    stop = threading.Event()
    frames: list[Frame] = []
    th = threading.Thread(target=lambda: frames.extend(reader.frames(stop)), daemon=True)
    th.start()
    try:
        _wait(lambda: reader.status.state is CameraState.ONLINE, 20, "online")
    finally:
        stop.set()
        th.join(10)
    return reader.status.frames > 0 or bool(frames), statuses


def test_unknown_path_is_not_found(rtsp_server: RtspServer) -> None:
    _, statuses = _first_failure(rtsp_server.url.replace("/cam", "/no-such-stream"))
    assert _reason(statuses) == "not found (404)"


def test_a_camera_that_never_answers_times_out() -> None:
    """TCP accepted, no RTSP reply: FFmpeg says "invalid data" after its timeout; the
    operator must read that the camera did not answer."""
    with SilentServer() as silent:
        _, statuses = _first_failure(silent.url, open_timeout_s=1.0, read_timeout_s=1.0)
    assert _reason(statuses).startswith("timed out"), statuses


def test_a_hung_camera_is_a_stall_and_the_reader_recovers(rtsp_server: RtspServer) -> None:
    """SIGSTOP: the connection stays open, nothing arrives. After ``stall_s`` without a
    frame the reader gives up the session (reason "stalled"), retries, and comes back
    once the camera does."""
    statuses: list[CameraStatus] = []
    reader = CameraReader(
        "hung", rtsp_server.url, fps=5, on_status=statuses.append,
        policy=ReconnectPolicy(initial=0.2, max=1.0, stall_s=1.5),
        open_timeout_s=5, read_timeout_s=30,  # the socket timeout alone would wait 30 s
    )  # fmt: skip
    stop = threading.Event()
    frames: list[Frame] = []
    th = threading.Thread(target=lambda: frames.extend(reader.frames(stop)), daemon=True)
    th.start()
    try:
        _wait(lambda: len(frames) >= 5, 15, "first frames")
        rtsp_server.pause()
        try:
            _wait(lambda: reader.status.state is CameraState.RECONNECTING, 20, "the stall")
        finally:
            rtsp_server.resume()
        assert reader.status.reason == "stalled: no frame for 1.5 s"
        n = len(frames)
        _wait(lambda: len(frames) >= n + 5, 30, "frames after the stall")
        assert reader.status.state is CameraState.ONLINE and reader.status.reconnects == 1
    finally:
        stop.set()
        th.join(10)
