"""Plate reading speed: reads per second per core, and the cost added per vehicle track.

One read = PP-OCR detection on the lower part of the vehicle box + recognition of up to
six candidates + grammar (the SYNTHETIC KZ plate on bus.jpg's bus, 770x537 px box, and
the SUV of detect_test2.jpg, 183x72 px: a small far car). One onnxruntime thread, so
reads/s is per core. A track costs ``reads`` reads: ``early_votes`` when they agree at
once (the default 3), at most ``max_reads`` (8) — both figures are printed.

    .venv/bin/python bench/plate_read.py [--n 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from _plate_settings import add_arguments, settings
from kuzet.assets import ensure
from kuzet.plates.grammar import FORMATS
from kuzet.plates.plugin import build_reader
from kuzet.plates.synth import paste, plate_quad, render_plate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20, help="reads per case")
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    add_arguments(ap)
    a = ap.parse_args()
    if a.quick:
        a.n = 2
    cfg = settings(a)
    t = time.perf_counter()
    reader = build_reader(cfg)
    print(f"model load {time.perf_counter() - t:.2f} s (PP-OCRv6 small det + rec, 1 thread)")
    bus = cv2.imread(str(ensure("bus.jpg", quiet=True)))
    box = (20.0, 214.0, 790.0, 751.0)
    plate = render_plate("777KZA02", FORMATS[0])
    q = plate_quad(box, width_frac=0.22, aspect=plate.shape[1] / plate.shape[0],
                   centre=(0.68, 0.86))  # fmt: skip
    street = cv2.imread(str(ensure("detect_test2.jpg", quiet=True)))
    cases = {
        "bus.jpg bus + SYNTHETIC plate (770x537 box)": (paste(bus, plate, q), box),
        "detect_test2.jpg SUV, real (183x72 box)": (street, (925.0, 222.0, 1108.0, 294.0)),
    }
    for name, (img, b) in cases.items():
        reader.read(img, np.array(b))  # warm-up
        times = []
        for _ in range(a.n):
            t = time.perf_counter()
            r = reader.read(img, np.array(b))
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        print(f"{name}: median {med * 1000:.0f} ms/read, {1 / med:.1f} reads/s/core "
              f"(read {r.text or r.reason}); per track: {cfg.early_votes} reads "
              f"{cfg.early_votes * med:.2f} s (settled early), at most {cfg.max_reads} "
              f"{cfg.max_reads * med:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
