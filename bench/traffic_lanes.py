"""Cost of the traffic enricher's lane aggregation per analysed frame (CPU, one core).

DATA: SYNTHETIC tracks (vehicles driving down lanes at constant speeds; no vision): the
figure is the aggregation's own cost, added to every analysed frame of a camera with
traffic lanes, on top of detection and tracking.

    .venv/bin/python bench/traffic_lanes.py --lanes 4 --vehicles 30
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kuzet.config.traffic_analytics import TrafficConfig
from kuzet.rules.geometry import homography
from kuzet.traffic.lanes import Lane, LaneAggregator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--lanes", type=int, default=4)
    ap.add_argument("--vehicles", type=int, default=30, help="tracks in view per frame")
    ap.add_argument("--minutes", type=float, default=10.0, help="simulated time at 5 fps")
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    args = ap.parse_args()
    if args.quick:
        args.minutes = 1.0
    h = homography(
        np.array([(0, 0), (100, 0), (100, 100), (0, 100)], float),
        np.array([(0, 0), (10, 0), (10, 10), (0, 10)], float),
    )
    lanes = [
        Lane("a", f"l{i}", "s", np.array([(i * 200, 0), (i * 200 + 200, 0),
             (i * 200 + 200, 1000), (i * 200, 1000)], float), np.array([i * 20 + 10.0, 0.0]))
        for i in range(args.lanes)
    ]  # fmt: skip
    agg = LaneAggregator(lanes, TrafficConfig(), h)
    rng = np.random.default_rng(0)
    n, fps = args.vehicles, 5.0
    x = rng.uniform(0, args.lanes * 200, n)
    y = rng.uniform(0, 1000, n)
    v = rng.uniform(0, 150, n)  # px/s: some stand still (queues)
    tids = np.arange(n, dtype=np.int64)
    classes = ["car"] * n
    frames = int(args.minutes * 60 * fps)
    t0 = 1_800_000_000.0
    start = time.process_time()
    for k in range(frames):
        y = y + v / fps
        wrap = y > 1050
        y[wrap] = -50
        tids[wrap] += n  # a new vehicle each time one leaves
        agg.update(t0 + k / fps, tids, classes, np.column_stack([x, y]))
    cpu = time.process_time() - start
    print("DATA: SYNTHETIC tracks (no vision)")
    print(f"{args.lanes} lanes, {n} vehicles in view, {frames} frames at 5 fps: "
          f"{cpu / frames * 1000:.3f} ms CPU per frame "
          f"({frames / cpu:.0f} frames/s on one core)")  # fmt: skip


if __name__ == "__main__":
    main()
