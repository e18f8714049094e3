"""Reusable RTSP test camera: make an H.264 clip, start/kill/restart a loopback server.

Used by the source tests and meant for API-level tests too::

    clip = make_h264_clip(tmp_path / "cam.ts")
    with RtspServer(clip) as server:
        reader = CameraReader("cam", server.url, fps=5)

``gstreamer_missing()`` returns why a server cannot run (or ``None``); skip on that only.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")
SYSTEM_PYTHON = "/usr/bin/python3"
APT_PACKAGES = (
    "gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base "
    "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly "
    "gstreamer1.0-libav"
)

_PROBE = (
    "import gi; gi.require_version('Gst','1.0'); gi.require_version('GstRtspServer','1.0');"
    "from gi.repository import Gst, GstRtspServer; Gst.init(None);"
    "import sys; sys.exit(0 if all(Gst.ElementFactory.find(n) for n in "
    "('multifilesrc','h264parse','rtph264pay')) else 3)"
)


def gstreamer_missing() -> str | None:
    """Why the RTSP server cannot start here, or None when it can."""
    if not os.path.exists(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} not found"
    proc = subprocess.run([SYSTEM_PYTHON, "-c", _PROBE], capture_output=True, timeout=30)
    if proc.returncode != 0:
        return f"GStreamer RTSP server not installed (apt-get install -y {APT_PACKAGES})"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_h264_clip(
    dst: Path, *, seconds: float = 8.0, width: int = 640, height: int = 360, fps: int = 25
) -> Path:
    """H.264 in MPEG-TS (``dst`` should end in ``.ts``) from the real vtest.avi footage.

    PyAV's libx264 (or any H.264 encoder it has); 1 s GOP and no B-frames, so a
    reconnecting reader gets a keyframe within a second.
    """
    from fractions import Fraction

    import av
    import av.video.stream

    from kuzet.assets import ensure

    codec = next((c for c in ("libx264", "h264", "libopenh264") if c in av.codecs_available), None)
    if codec is None:
        raise RuntimeError("PyAV's FFmpeg has no H.264 encoder")
    with av.open(str(ensure("vtest.avi"))) as src, av.open(str(dst), "w", format="mpegts") as out:
        stream = out.add_stream(codec, rate=fps)
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "g": str(fps), "bf": "0"}
        for n, frame in enumerate(src.decode(video=0)):
            if n >= seconds * fps:
                break
            img = frame.reformat(width=width, height=height, format="yuv420p")
            img.pts = n
            img.time_base = Fraction(1, fps)
            for packet in stream.encode(img):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dst


class RtspServer:
    """One loopback RTSP server process; ``stop()`` kills it, ``start()`` brings it back
    on the same port (what a camera reboot looks like to a reader)."""

    def __init__(
        self,
        clip: Path,
        *,
        port: int | None = None,
        path: str = "/cam",
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self.clip = Path(clip)
        self.port = port or free_port()
        self.path = path
        self.user, self.password = user, password  # basic auth: others get 401
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        cred = f"{self.user}:{self.password}@" if self.user else ""
        return f"rtsp://{cred}127.0.0.1:{self.port}{self.path}"

    def start(self, timeout: float = 15.0) -> RtspServer:
        if self.proc is not None and self.proc.poll() is None:
            return self
        cmd = [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port),
               "--file", str(self.clip), "--path", self.path]  # fmt: skip
        if self.user:
            cmd += ["--user", self.user, "--password", self.password or ""]
        deadline = time.monotonic() + timeout
        while True:  # the port may linger a moment after a kill
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            assert self.proc.stdout is not None
            line = self.proc.stdout.readline()
            if line.startswith("READY"):
                break
            err = self.proc.stderr.read() if self.proc.stderr else ""
            self.proc.wait()
            if time.monotonic() > deadline:
                raise RuntimeError(f"RTSP server did not start: {line} {err}")
            time.sleep(0.2)
        self._wait_listening(deadline)
        return self

    def _wait_listening(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("RTSP server not accepting connections")

    def stop(self, hard: bool = True) -> None:
        """Kill the server (SIGKILL by default: a camera losing power says no goodbye)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a paused server must still die on SIGTERM
            self.proc.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            self.proc.wait(timeout=10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        self.proc = None

    def pause(self) -> None:
        """SIGSTOP: the connection stays open and nothing more arrives (a hung camera)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def __enter__(self) -> RtspServer:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class SilentServer:
    """A port that accepts connections and never answers (a camera hung at boot)."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self._sock.getsockname()[1]}/cam"

    def _accept(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self._held.append(conn)  # keep it open, say nothing

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._held:
            conn.close()
        self._sock.close()


def have_ffmpeg_cli() -> bool:
    return shutil.which("ffmpeg") is not None
