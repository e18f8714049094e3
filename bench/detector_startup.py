"""Start-up of `kuzet detect`: one warm call (model converted and cached, files in the OS
cache), end to end, and where its time goes.

    .venv/bin/python bench/detector_startup.py [--runs 10] [--image bus.jpg]

Each run is a fresh interpreter, as a user's call is. "wall" is the call's elapsed time;
"CPU" its user + system time (less sensitive to other jobs on a shared machine). The
phase table comes from one extra interpreter timing each step in CPU time, and
says which heavy modules were imported (``onnx`` and the converter must not be).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kuzet.assets import ensure
from kuzet.vision.models import pull

KUZET = Path(sys.executable).with_name("kuzet")

PHASES = """
import json, sys, time
t = [time.process_time()]
import cv2, numpy
t.append(time.process_time())
from kuzet.cli import app
t.append(time.process_time())
from kuzet.config import SiteConfig
cfg = SiteConfig().detector
t.append(time.process_time())
from kuzet.vision import create_detector
t.append(time.process_time())
det = create_detector(cfg)
t.append(time.process_time())
img = cv2.imread(sys.argv[1])
det.detect([img])
t.append(time.process_time())
det.detect([img])
t.append(time.process_time())
heavy = [m for m in ("onnx", "kuzet.vision.tfjs.convert", "alembic", "sqlalchemy")
         if m in sys.modules]
print(json.dumps({"ms": [(b - a) * 1000 for a, b in zip(t, t[1:])], "heavy": heavy}))
"""
PHASE_NAMES = (
    "import cv2 + numpy",
    "import kuzet.cli (every command registered)",
    "site config (pydantic models)",
    "import kuzet.vision",
    "create the detector (manifest check + ONNX Runtime session)",
    "first detect() (bus.jpg)",
    "second detect() (for comparison)",
)


def one_call(image: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(KUZET), "detect", str(image)], check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--image", default="bus.jpg", help="an asset name")
    ap.add_argument("--quick", action="store_true", help="3 runs")
    args = ap.parse_args()
    if args.quick:
        args.runs = 3
    image = ensure(args.image)
    pull("nanodet", 416, quiet=True)  # converted once, before timing
    one_call(image)  # warm the OS file cache
    walls, cpus = zip(*(one_call(image) for _ in range(args.runs)), strict=True)
    console = Console(width=120)
    t = Table(
        title=f"`kuzet detect {args.image}`, warm, {args.runs} runs; {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    for col in ("", "p50 ms", "min ms", "max ms"):
        t.add_column(col, justify="right")
    for name, xs in (("wall", walls), ("CPU (user + sys)", cpus)):
        t.add_row(name, f"{np.median(xs):.0f}", f"{min(xs):.0f}", f"{max(xs):.0f}")
    console.print(t)
    out = subprocess.run(
        [sys.executable, "-c", PHASES, str(image)], check=True, capture_output=True, text=True
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    p = Table(title="where one call's CPU time goes (one run, ms of process time)")
    p.add_column("phase")
    p.add_column("ms", justify="right")
    for name, ms in zip(PHASE_NAMES, got["ms"], strict=True):
        p.add_row(name, f"{ms:.0f}")
    p.add_row("heavy modules imported", ", ".join(got["heavy"]) or "none")
    console.print(p)


if __name__ == "__main__":
    main()
