"""Short H.264 MP4s from frames and back: event clips, blurred copies of them."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

MS = Fraction(1, 1000)


def encode_mp4(frames: Iterable[tuple[float, np.ndarray]], crf: int = 28) -> bytes:
    """BGR frames with their times (seconds) -> an H.264 MP4 that Chromium and Firefox play."""
    # +faststart rewrites the file to put the index first: it needs a real file, not memory
    with tempfile.TemporaryDirectory(prefix="kuzet-clip-") as tmp:
        path = Path(tmp) / "clip.mp4"
        _encode(path, frames, crf)
        return path.read_bytes()


def _encode(path: Path, frames: Iterable[tuple[float, np.ndarray]], crf: int) -> None:
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        st = None
        t0 = 0.0
        last_pts = -1
        for t, img in frames:
            if st is None:
                h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
                st = out.add_stream("libx264", rate=10, options={"preset": "veryfast",
                                                                  "crf": str(crf)})  # fmt: skip
                st.width, st.height, st.pix_fmt = w, h, "yuv420p"
                st.codec_context.thread_count = 1  # one core: never starve the detector
                st.codec_context.time_base = MS
                t0 = t
            if img.shape[0] != st.height or img.shape[1] != st.width:
                img = cv2.resize(img, (st.width, st.height))
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
            vf.pts = max(last_pts + 1, round((t - t0) * 1000))
            vf.time_base = MS
            last_pts = vf.pts
            out.mux(st.encode(vf))
        if st is None:
            raise ValueError("a clip needs at least one frame")
        out.mux(st.encode(None))


def mp4_frames(data: bytes) -> Iterator[tuple[float, np.ndarray]]:
    """The clip's frames (BGR) with their times in seconds: to re-encode or check it."""
    with av.open(io.BytesIO(data), "r") as src:
        for f in src.decode(video=0):
            yield float((f.pts or 0) * (f.time_base or MS)), f.to_ndarray(format="bgr24")
