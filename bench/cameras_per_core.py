"""Cameras per core: N streams of real footage (640x360 H.264 25 fps) analysed at 5 fps on ONE core.

Prints, from one run: the decode-only ceiling, the detector-only ceiling, the largest N
for which the full pipeline holds its rate with p95 frame-to-result latency under 1 s,
and the CPU cost of an idle (no motion) camera.

    .venv/bin/python bench/cameras_per_core.py [--seconds 20] [--max-n 12]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from footage import still_360p, vtest_360p
from kuzet.config.models import (
    AnalysisConfig,
    CameraConfig,
    MotionConfig,
    NanoDetConfig,
    SiteConfig,
)
from kuzet.config.rules import IntrusionRuleConfig, SceneRuleSetConfig
from kuzet.pipeline.node import Node
from kuzet.pipeline.probe import Probe
from kuzet.vision import create_detector

FPS_IN, FPS_ANALYSIS = 25, 5.0


def decode_ceiling(path: Path, seconds: float) -> float:
    """Frames/s one core decodes, 1 in 5 converted to BGR as the pipeline does; cameras = fps/25."""
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            for i, f in enumerate(c.decode(s)):
                if i % 5 == 0:
                    f.to_ndarray(format="bgr24")
                n += 1
                if time.perf_counter() - t0 >= seconds:
                    break
    return n / (time.perf_counter() - t0)


def detector_ceiling(det, frames: list[np.ndarray], batch: int, seconds: float) -> float:  # type: ignore[no-untyped-def]
    n, t0, i = 0, time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        imgs = [frames[(i + k) % len(frames)] for k in range(batch)]
        det.detect(imgs)
        n += batch
        i += batch
    return n / (time.perf_counter() - t0)


class Collect(Probe):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.frames: dict[str, int] = {}
        self.dropped_n = 0
        self.latency: list[float] = []

    def frame(self, camera_id: str, detect: bool) -> None:
        with self.lock:
            self.frames[camera_id] = self.frames.get(camera_id, 0) + 1

    def dropped(self, camera_id: str) -> None:
        with self.lock:
            self.dropped_n += 1

    def analysed(self, camera_id: str, latency_s: float) -> None:
        with self.lock:
            self.latency.append(latency_s)


def site_for(urls: list[str], motion: MotionConfig, batch: int) -> SiteConfig:
    rule = SceneRuleSetConfig(rules=[IntrusionRuleConfig(name="p", classes=["person"])])
    return SiteConfig(
        detector=NanoDetConfig(threads=1, max_batch=batch),
        analysis=AnalysisConfig(fps=FPS_ANALYSIS, motion=motion),
        cameras=[
            CameraConfig(id=f"c{i}", main_url=u, loop=True, rules=[rule])
            for i, u in enumerate(urls)
        ],
    )


def run_pipeline(  # type: ignore[no-untyped-def]
    det, urls: list[str], seconds: float, motion: MotionConfig, batch: int, warmup: float = 3.0
) -> dict[str, float]:
    probe = Collect()
    node = Node(site_for(urls, motion, batch), det, lambda e: None, probe=probe, realtime=True)
    node.start()
    time.sleep(warmup)  # open streams, first detections (idle case: until idle)
    with probe.lock:
        probe.frames.clear()
        probe.latency.clear()
        probe.dropped_n = 0
    cpu0, t0 = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    with probe.lock:
        rates = [probe.frames.get(f"c{i}", 0) / wall for i in range(len(urls))]
        lat = np.array(probe.latency) if probe.latency else np.array([np.inf])
        dropped = probe.dropped_n / wall
    node.stop()
    return {
        "min_rate": float(min(rates)),
        "p95_latency": float(np.percentile(lat, 95)),
        "dropped_per_s": dropped,
        "cpu_share": cpu / wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--max-n", type=int, default=16)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.max_n = 5.0, 6
    logging.basicConfig(level=logging.ERROR)
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core for everything
    cv2.setNumThreads(1)
    path = vtest_360p()
    det = create_detector(NanoDetConfig(threads=1, max_batch=args.batch))
    with av.open(str(path)) as c:
        frames = [
            f.to_ndarray(format="bgr24")
            for i, f in zip(range(200), c.decode(video=0), strict=False)
            if i % 5 == 0
        ]
    det.detect(frames[:1])

    dec = decode_ceiling(path, min(args.seconds, 10))
    print(
        f"decode-only ceiling : {dec:7.1f} frames/s -> {dec / FPS_IN:5.1f} cameras at {FPS_IN} fps"
    )
    d1 = detector_ceiling(det, frames, 1, min(args.seconds, 10))
    db = detector_ceiling(det, frames, args.batch, min(args.seconds, 10))
    dmax = max(d1, db)
    print(
        f"detector-only       : {d1:7.1f} img/s (batch 1), {db:.1f} img/s (batch {args.batch})"
        f" -> {dmax / FPS_ANALYSIS:5.1f} cameras at {FPS_ANALYSIS:g} fps"
    )

    best = 0
    for motion_on in (False, True):
        motion = MotionConfig(enabled=motion_on)
        label = "motion gate on " if motion_on else "every frame    "
        n_ok = 0
        for n in range(1, args.max_n + 1):
            r = run_pipeline(det, [str(path)] * n, args.seconds, motion, args.batch)
            ok = r["min_rate"] >= 0.95 * FPS_ANALYSIS and r["p95_latency"] < 1.0
            print(
                f"  pipeline {label} N={n:2d}: min rate {r['min_rate']:.2f} fps, p95 latency "
                f"{r['p95_latency'] * 1000:6.0f} ms, shed {r['dropped_per_s']:.2f}/s, "
                f"CPU {r['cpu_share'] * 100:5.1f}% of a core  {'ok' if ok else 'FAILS'}"
            )
            if not ok:
                break
            n_ok = n
        print(
            f"full pipeline ({label.strip()}): {n_ok} cameras/core "
            f"= {100 * n_ok / (dmax / FPS_ANALYSIS):.0f}% of the detector-only ceiling"
        )
        best = max(best, n_ok)

    still = str(still_360p())
    idle = MotionConfig(enabled=True, idle_after_s=3.0, refresh_s=30.0)
    r = run_pipeline(det, [still], args.seconds, idle, args.batch, warmup=6.0)
    print(
        f"idle camera (still scene, keyframes only): {100 * r['cpu_share']:.2f}% of a core "
        "(whole process, so an upper bound)"
    )


if __name__ == "__main__":
    main()
