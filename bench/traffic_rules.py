"""Cost of the traffic-violation parts: signal head read, speed uncertainty, section control.

* signal: one ``read_lamp`` of a 30x84 px head box on a real vtest.avi frame (per analysed
  frame and signal);
* uncertainty: one speeding event's uncertainty (256 homography re-fits), per event;
* section: plate reads fed to ``SectionControl`` (synthetic reads: half at the start
  camera, half 40 s later at the end camera), reads per second, one core.
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/traffic_rules.py [--reads 20000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np

from kuzet.assets import ensure
from kuzet.config.rules import CalibrationConfig, SignalConfig
from kuzet.config.section import SectionConfig
from kuzet.core import Event
from kuzet.rules.section import SectionControl
from kuzet.rules.signals import read_lamp
from kuzet.rules.speed_error import calibration_relative_error


def per_call(fn: object, n: int) -> float:
    """Median of 3 runs of ``n`` calls, seconds per call."""
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            fn()  # type: ignore[operator]
        runs.append((time.perf_counter() - t) / n)
    return float(np.median(runs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=20_000)
    ap.add_argument("--quick", action="store_true", help="2,000 reads, fewer repeats")
    args = ap.parse_args()
    if args.quick:
        args.reads = min(args.reads, 2_000)

    cap = cv2.VideoCapture(str(ensure("vtest.avi", quiet=True)))
    ok, img = cap.read()
    cap.release()
    assert ok
    sig = SignalConfig(name="main", box=(700, 20, 730, 104))
    print(f"signal head read: {per_call(lambda: read_lamp(img, sig), 2000) * 1e6:.0f} us/frame")

    cal = CalibrationConfig(
        image_points=[(100, 700), (700, 700), (600, 300), (200, 300)],
        world_points=[(0, 0), (12, 0), (12, 25), (0, 25)],
    )
    foot, vel = np.array([400.0, 500.0]), np.array([0.0, -100.0])
    u = per_call(lambda: calibration_relative_error(cal, foot, vel), 20)
    print(f"speed uncertainty: {u * 1e3:.1f} ms/event")

    sc = SectionControl(
        [SectionConfig(name="s", from_camera="a", to_camera="b", distance_m=1000, limit_kmh=60)]
    )
    t0 = datetime(2026, 12, 6, tzinfo=UTC)
    reads = [
        Event(
            id=str(i),
            type="plate_read",
            camera_id="a" if i % 2 == 0 else "b",
            ts=t0 + timedelta(seconds=(i // 2) * 0.5 + (40 if i % 2 else 0)),
            attributes={"plate": f"{i // 2:06d}"},
        )
        for i in range(args.reads)
    ]
    t = time.perf_counter()
    out = sum(len(sc.feed(e)) for e in reads)
    dt = time.perf_counter() - t
    print(f"section control: {len(reads) / dt:,.0f} reads/s ({out} violations, "
          f"{sc.pending} reads still waiting)")  # fmt: skip


if __name__ == "__main__":
    main()
