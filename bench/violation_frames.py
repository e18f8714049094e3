"""Cost of the violation-frames hook on the detector thread: per analysed frame without a
violation (keeping a frame reference in the ring) and per violation (JPEG q92 of the
before and at pictures, plus the after picture one second later), on real footage
(vtest.avi, 768x576) and the same frames upscaled to 1920x1080 (as a main stream)."""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

import cv2
import numpy as np

from kuzet.assets import ensure
from kuzet.core import Event, Frame
from kuzet.pipeline.violation_frames import ViolationFrames


def _frames(n: int, size: tuple[int, int] | None) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(ensure("vtest.avi")))
    out = []
    while len(out) < n:
        ok, img = cap.read()
        if not ok:
            break
        out.append(img if size is None else cv2.resize(img, size))
    cap.release()
    return out


def run(images: list[np.ndarray], every: int) -> tuple[float, float, int]:
    """(µs per plain frame, ms per violation incl. its after picture, violations)."""
    sink: dict[str, bytes] = {}
    hook = ViolationFrames(sink.__setitem__)
    plain: list[float] = []
    captures: list[float] = []
    t0 = 1_800_000_000.0
    for i, img in enumerate(images):
        f = Frame("cam", i, i / 10, t0 + i / 10, img)
        evs = []
        if i % every == every // 2:
            ts = datetime.fromtimestamp(f.wall_time, UTC)
            evs = [Event(id=f"v{i}", type="speeding", camera_id="cam", ts=ts,
                         attributes={"violation": True})]  # fmt: skip
        keys = len(sink)
        s = time.perf_counter()
        hook.offer(f, evs)
        dt = time.perf_counter() - s
        if evs or len(sink) > keys:
            captures.append(dt)
        else:
            plain.append(dt)
    n = sum(1 for k in sink if k.endswith("/at.jpg"))
    return statistics.median(plain) * 1e6, sum(captures) / max(n, 1) * 1e3, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="120 frames instead of 795")
    args = ap.parse_args()
    n = 120 if args.quick else 795
    print("| frames | size | µs per plain frame (p50) | ms per violation (3 JPEGs) | violations |")
    print("|---|---|---|---|---|")
    for label, size in (("768x576", None), ("1920x1080", (1920, 1080))):
        imgs = _frames(n, size)
        plain_us, per_vio_ms, count = run(imgs, every=40)
        print(f"| {len(imgs)} | {label} | {plain_us:.1f} | {per_vio_ms:.1f} | {count} |")


if __name__ == "__main__":
    main()
