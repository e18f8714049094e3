"""Recording cost: CPU per camera (remux only, never decode) and bytes per hour.

Usage: .venv/bin/python bench/record_cpu.py [--media-s 600] [--rtsp-cameras 8] [--rtsp-s 40]

Clips: the real vtest.avi footage scaled to 1920x1080 and 1280x720, H.264 (libx264) at
camera-like settings (25 fps, 2 s GOP, no B-frames, 4 and 2 Mbit/s), made once under
~/.cache/kuzet/bench. Two measurements each:

* file: one recorder remuxes the clip in a loop as fast as it reads (10 s segments, fsync,
  index rows in SQLite); process CPU seconds per recorded media second -> cameras per core;
* rtsp: N recorders on the GStreamer RTSP test camera in real time; this process's CPU
  (the server's is not counted) per camera.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.video.stream

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "support"))

from kuzet.assets import ensure
from kuzet.config.record import CameraRecordSettings
from kuzet.record import SegmentIndex
from kuzet.record.camera import CameraRecorder
from kuzet.schema import open_store
from kuzet.storage import LocalVolume

CACHE = Path.home() / ".cache" / "kuzet" / "bench"
PROFILES = {"1080p": (1920, 1080, 4_000_000), "720p": (1280, 720, 2_000_000)}
SETTINGS = CameraRecordSettings(
    mode="continuous", segment_s=10, pre_s=0, post_s=0, days=None, volume="bench"
)


def make_clip(name: str, width: int, height: int, bitrate: int, seconds: int = 30) -> Path:
    """``seconds`` of vtest.avi (looped) as H.264 in MPEG-TS at a camera's settings."""
    out = CACHE / f"vtest-{name}-{bitrate // 1000}k.ts"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with av.open(str(ensure("vtest.avi"))) as src:
        frames = [f.reformat(width=width, height=height, format="yuv420p")
                  for f in src.decode(video=0)]  # fmt: skip
    with av.open(str(tmp), "w", format="mpegts") as dst:
        st = dst.add_stream("libx264", rate=25)
        assert isinstance(st, av.video.stream.VideoStream)
        st.width, st.height, st.pix_fmt, st.bit_rate = width, height, "yuv420p", bitrate
        kbit = bitrate // 1000
        vbv = f"vbv-maxrate={kbit}:vbv-bufsize={kbit}"
        st.options = {"preset": "veryfast", "g": "50", "bf": "0", "x264-params": vbv}
        for i in range(seconds * 25):
            f = frames[i % len(frames)]
            f.pts, f.time_base = i, Fraction(1, 25)
            for p in st.encode(f):
                dst.mux(p)
        for p in st.encode(None):
            dst.mux(p)
    tmp.rename(out)
    return out


def file_remux(clip: Path, media_s: float) -> tuple[float, float, int]:
    """(CPU s per media s, bytes per media s, segments) for one recorder on a looped file."""
    with tempfile.TemporaryDirectory() as d:
        store = open_store(f"sqlite:///{d}/k.db")
        index = SegmentIndex(store.engine)
        rec = CameraRecorder("bench", str(clip), SETTINGS, LocalVolume("bench", Path(d) / "v"),
                             index, loop=True, realtime=False, clock=lambda: 1.8e9)  # fmt: skip
        c0 = time.process_time()
        rec.start()
        while True:
            end = rec.status.last_end
            if end is not None and end.timestamp() - 1.8e9 >= media_s:
                break
            time.sleep(0.05)
        rec.stop()
        cpu = time.process_time() - c0
        media = (rec.status.last_end.timestamp() - 1.8e9) if rec.status.last_end else 0.0
        store.close()
        return cpu / media, rec.status.bytes / media, rec.status.segments


def rtsp_live(clip: Path, cameras: int, seconds: float) -> tuple[float, float, int]:
    """(CPU s per camera per s, bytes per camera per s, segments) on a live RTSP camera."""
    from rtsp import RtspServer, gstreamer_missing

    why = gstreamer_missing()
    if why:
        raise SystemExit(f"rtsp: {why}")
    servers = [RtspServer(clip).start() for _ in range(cameras)]  # one camera each
    try:
        return _rtsp_measure(servers, seconds)
    finally:
        for server in servers:
            server.stop()


def _rtsp_measure(servers: list[Any], seconds: float) -> tuple[float, float, int]:
    cameras = len(servers)
    with tempfile.TemporaryDirectory() as d:
        store = open_store(f"sqlite:///{d}/k.db")
        index = SegmentIndex(store.engine)
        vol = LocalVolume("bench", Path(d) / "v")
        recs = [CameraRecorder(f"cam-{i}", s.url, SETTINGS, vol, index)
                for i, s in enumerate(servers)]  # fmt: skip
        for r in recs:
            r.start()
        deadline = time.monotonic() + 30
        while any(r.status.segments == 0 for r in recs) and time.monotonic() < deadline:
            time.sleep(0.1)
        c0, t0 = time.process_time(), time.monotonic()
        b0 = sum(r.status.bytes for r in recs)
        g0 = sum(r.status.gaps for r in recs)
        time.sleep(seconds)
        if sum(r.status.gaps for r in recs) != g0:
            print("warning: a camera dropped during the measurement", flush=True)
        cpu, wall = time.process_time() - c0, time.monotonic() - t0
        for r in recs:
            r.stop()
        size = sum(r.status.bytes for r in recs) - b0
        segs = sum(r.status.segments for r in recs)
        store.close()
        return cpu / wall / cameras, size / wall / cameras, segs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--media-s", type=float, default=600.0)
    ap.add_argument("--rtsp-cameras", type=int, default=8)
    ap.add_argument("--rtsp-s", type=float, default=40.0)
    ap.add_argument("--quick", action="store_true", help="60 s of media, 2 live cameras for 10 s")
    args = ap.parse_args()
    if args.quick:
        args.media_s, args.rtsp_cameras, args.rtsp_s = 60.0, 2, 10.0
    for name, (w, h, rate) in PROFILES.items():
        clip = make_clip(name, w, h, rate)
        cpu, bps, segs = file_remux(clip, args.media_s)
        print(
            f"{name} H.264 {rate / 1e6:g} Mbit/s, file remux {args.media_s:g} s of video: "
            f"{cpu * 1e3:.2f} ms CPU per second of video -> {1 / cpu:.0f} cameras per core; "
            f"{bps * 3600 / 1e9:.2f} GB per camera-hour ({segs} segments)",
            flush=True,
        )
        if args.rtsp_cameras:
            cpu, bps, segs = rtsp_live(clip, args.rtsp_cameras, args.rtsp_s)
            print(f"{name} RTSP live, {args.rtsp_cameras} cameras x {args.rtsp_s:g} s: "
                  f"{cpu * 100:.2f}% of a core per camera -> {1 / cpu:.0f} cameras per core; "
                  f"{bps * 3600 / 1e9:.2f} GB per camera-hour", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
