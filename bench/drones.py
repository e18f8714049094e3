"""Drone costs on one core: telemetry lookup + flat-ground projection per frame, and change
detection per frame pair.

* placement: ``Telemetry.pose_at`` + ``project`` of N foot points, per analysed frame (what
  a drone adds to a camera's per-frame cost; the detector is not included);
* change detection: one 640x480 pair (ORB registration, warp, difference, regions) on
  SYNTHETIC passes (tests/drones/scene.py: a real photo laid flat as the ground, rendered
  from two made-up poses, one with a dump added).

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/drones.py [--points 10 100] [--pairs 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.drones.scene

import numpy as np


def placement(points: int, frames: int = 2000) -> float:
    from kuzet.config.drones import DroneCameraConfig
    from kuzet.drones import View, project
    from kuzet.drones.telemetry import Series, Telemetry

    t = np.arange(0, 600, 0.25)
    pos = [(float(x), {"lat": 43.2389 + x * 1e-6, "lon": 76.8897, "alt": 30.0,
                       "alt_amsl": 830.0}) for x in t]  # fmt: skip
    att = [(float(x), {"yaw": 45.0, "pitch": 0.0, "roll": 0.0}) for x in t]
    gim = [(float(x), {"yaw": 0.0, "pitch": -45.0, "roll": 0.0}) for x in t]
    tel = Telemetry("bench", Series.build("position", pos), Series.build("attitude", att),
                    Series.build("gimbal", gim))  # fmt: skip
    cam = DroneCameraConfig(hfov_deg=60.0)
    rng = np.random.default_rng(0)
    uv = np.c_[rng.uniform(0, 1920, points), rng.uniform(600, 1080, points)]
    start = time.process_time()
    for i in range(frames):
        pose = tel.pose_at(1.0 + i * 0.2)
        project(View(pose, 1920, 1080, cam), uv)
    return (time.process_time() - start) / frames  # CPU time: the machine is shared


def change_pair(pairs: int) -> tuple[float, float, int]:
    from tests.drones import scene

    from kuzet.drones.change import Pass, detect_changes

    g = scene.ground()
    bv, av_ = scene.view(0.0, 0.0, 60.0, 0.0), scene.view(3.0, 2.0, 58.0, 8.0)
    before = Pass(scene.render(bv, g), bv)
    after_img = scene.relight(scene.render(av_, scene.add_dump(g, 5.0, -8.0, 5.0, 4.0)), 1.15, 8, 2)
    after = Pass(after_img, scene.view(3.0, 5.0, 59.0, 10.0))
    detect_changes(before, after)  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    found = 0
    for _ in range(pairs):
        found = len(detect_changes(before, after).changes)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return wall / pairs, used / pairs, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, nargs="+", default=[10, 100])
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    args = ap.parse_args()
    if args.quick:
        args.points, args.pairs = [10], 2
    for n in args.points:
        s = placement(n)
        print(f"placement, {n} foot points: {s * 1e6:.0f} us CPU per frame ({1 / s:.0f} frames/s)")
    wall, cpu, found = change_pair(args.pairs)
    print(f"change detection, 640x480 pair (synthetic): {wall * 1e3:.0f} ms wall, "
          f"{cpu * 1e3:.0f} ms CPU per pair, {found} change(s) found")  # fmt: skip


if __name__ == "__main__":
    main()
