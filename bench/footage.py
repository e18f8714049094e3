"""Benchmark footage made from real CCTV: vtest.avi as 640x360 H.264 at 25 fps (cached)."""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from kuzet.assets import cache_dir, ensure


def _encode(path: Path, frames: list[np.ndarray], fps: int, gop: int) -> None:
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = 640, 360, "yuv420p"
        st.options = {
            "preset": "veryfast",
            "g": str(gop),
            "keyint_min": str(gop),
            "sc_threshold": "0",
        }
        st.time_base = Fraction(1, fps)
        for i, img in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(img, format="bgr24")
            vf.pts = i
            out.mux(st.encode(vf))
        out.mux(st.encode(None))
    tmp.replace(path)


def vtest_360p(fps: int = 25, gop: int = 50) -> Path:
    """vtest.avi (10 fps) resampled to ``fps`` by repeating frames; real motion, real scene."""
    path = cache_dir() / "bench" / f"vtest-640x360-{fps}fps-g{gop}.mp4"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    src: list[np.ndarray] = []
    with av.open(str(ensure("vtest.avi"))) as c:
        for f in c.decode(video=0):
            src.append(
                cv2.resize(f.to_ndarray(format="bgr24"), (640, 360), interpolation=cv2.INTER_AREA)
            )
    n_out = len(src) * fps // 10
    _encode(path, [src[i * 10 // fps] for i in range(n_out)], fps, gop)
    return path


def still_360p(fps: int = 25, gop: int = 50, seconds: int = 60) -> Path:
    """One real frame held still: a camera watching an empty scene (the idle-cost case)."""
    path = cache_dir() / "bench" / f"still-640x360-{fps}fps-g{gop}-{seconds}s.mp4"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(ensure("vtest.avi"))) as c:
        first = next(iter(c.decode(video=0))).to_ndarray(format="bgr24")
    img = cv2.resize(first, (640, 360), interpolation=cv2.INTER_AREA)
    _encode(path, [img] * (fps * seconds), fps, gop)
    return path


def main() -> None:
    """Make (or reuse) the footage and say what it is: the other benchmarks read it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="accepted for `make bench QUICK=1`")
    ap.parse_args()
    for path in (vtest_360p(), still_360p()):
        with av.open(str(path)) as c:
            st = c.streams.video[0]
            print(f"{path}: {st.width}x{st.height} {st.average_rate} fps, "
                  f"{st.frames} frames, {path.stat().st_size / 1e6:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
