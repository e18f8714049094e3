"""Decode + motion-gate figures on the real vtest.avi footage.

Usage: .venv/bin/python bench/decode_motion.py  (prints one line per figure)
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import av

from kuzet.assets import ensure
from kuzet.motion import MotionGate
from kuzet.sources import CameraReader


def reader_rate(keyframes_only: bool) -> tuple[int, int, float]:
    reader = CameraReader("bench", str(ensure("vtest.avi")), fps=5)
    reader.set_keyframes_only(keyframes_only)
    t0 = time.perf_counter()
    n = sum(1 for _ in reader.frames(threading.Event()))
    return n, reader.decoded_frames, time.perf_counter() - t0


def gate_cost(width: int) -> float:
    with av.open(str(ensure("vtest.avi"))) as c:
        frames = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)][::2]
    gate = MotionGate(width=width)
    times = []
    for f in frames:
        t0 = time.perf_counter()
        gate.update(f)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="accepted for `make bench QUICK=1`: "
                    "this benchmark is short already")  # fmt: skip
    ap.parse_args()
    for key in (False, True):
        n, decoded, secs = reader_rate(key)
        print(
            f"reader vtest.avi 768x576 @5fps keyframes_only={key}: {n} frames out, "
            f"{decoded} decoded in {secs:.2f} s = {decoded / secs:.0f} decoded/s, "
            f"{n / secs:.0f} analysed frames/s"
        )
    for width in (160, 320):
        ms = gate_cost(width)
        print(f"motion gate {width} px wide on 768x576 BGR: {ms:.2f} ms/frame (median)")


if __name__ == "__main__":
    main()
