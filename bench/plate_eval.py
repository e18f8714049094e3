"""Plate reading quality: real photos, and SYNTHETIC plates on real vehicle photos.

Real set: every offline photo with a plate we found (``licenseplate_motion.jpg``, OpenCV
samples: a real plate motion-blurred past reading; ``detect_test2.jpg``: real cars whose
plates are a few pixels). Synthetic sets (labelled so everywhere): plates of each format
drawn with OpenCV's Hershey font and pasted with random size, tilt, skew, motion blur,
noise and JPEG onto a vehicle box of a real photo — the TUNING set on the bus of
``bus.jpg`` (the settings were chosen looking at it), the REPORTING set on the silver
SUV of ``detect_test2.jpg`` scaled x3 (as a closer camera would see it). Per frame and
per track (``--frames`` looks at one plate, each with its own degradation, voted by
:class:`kuzet.plates.vote.Ballot`):

- found: a plate-shaped candidate was recognised (reason not ``no_plate_found``/``too_small``)
- exact: the (voted) read equals the truth; wrong: a read that differs (a false read)
- CER: character error rate of the read (no read = every character missed) and of the
  raw recogniser text (cleaned), a diagnostic of the recogniser alone

    .venv/bin/python bench/plate_eval.py [--plates 4] [--frames 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import cv2
import numpy as np

from _plate_settings import add_arguments, settings
from kuzet.assets import ensure
from kuzet.plates.grammar import FORMATS, clean
from kuzet.plates.plugin import build_reader
from kuzet.plates.reader import FrameRead, PlateReader
from kuzet.plates.synth import degrade, paste, plate_quad, random_plate, render_plate
from kuzet.plates.vote import Ballot


def lev(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def scenes() -> dict[
    str, tuple[np.ndarray, tuple[float, float, float, float], tuple[float, float]]
]:
    bus = cv2.imread(str(ensure("bus.jpg", quiet=True)))
    street = cv2.imread(str(ensure("detect_test2.jpg", quiet=True)))
    suv = cv2.resize(street[180:320, 880:1150], None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    return {
        "tuning: bus.jpg bus": (bus, (20.0, 214.0, 790.0, 751.0), (0.68, 0.86)),
        "reporting: detect_test2.jpg SUV x3": (suv, (135.0, 126.0, 684.0, 342.0), (0.5, 0.8)),
    }


def look(
    reader: PlateReader, img: np.ndarray, box: tuple[float, ...], centre: tuple[float, float],
    text: str, fmt_i: int, rng: np.random.Generator,
) -> FrameRead:  # fmt: skip
    fmt = FORMATS[fmt_i]
    plate = render_plate(text, fmt)
    q = plate_quad(box, width_frac=float(rng.uniform(0.16, 0.3)),  # type: ignore[arg-type]
                   aspect=plate.shape[1] / plate.shape[0], centre=centre,
                   tilt_deg=float(rng.uniform(-6, 6)),
                   skew=float(rng.uniform(-0.15, 0.15)))  # fmt: skip
    scene = paste(img, plate, q)
    scene = degrade(scene, rng, blur=float(rng.choice([0, 0, 2, 4])),
                    noise=float(rng.uniform(0, 8)), jpeg=int(rng.integers(60, 95)))  # fmt: skip
    return reader.read(scene, np.array(box))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plates", type=int, default=4, help="plates per format and set")
    ap.add_argument("--frames", type=int, default=4, help="looks per plate (one track)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="a small run: checks that it runs")
    add_arguments(ap)
    a = ap.parse_args()
    if a.quick:
        a.plates, a.frames = 1, 2
    reader = build_reader(settings(a))

    print("REAL photos (no labelled legible plate ships offline):")
    motion = cv2.imread(str(ensure("licenseplate_motion.jpg", quiet=True)))
    r = reader.read(motion, np.array([0.0, 20.0, 600.0, 420.0]))
    print(f"  licenseplate_motion.jpg (blurred US plate): read={r.text} reason={r.reason} "
          f"raw={r.raw!r}")  # fmt: skip
    street = cv2.imread(str(ensure("detect_test2.jpg", quiet=True)))
    for box in ((925.0, 222.0, 1108.0, 294.0), (758.0, 235.0, 853.0, 278.0)):
        r = reader.read(street, np.array(box))
        print(f"  detect_test2.jpg car {box}: read={r.text} reason={r.reason}")

    for name, (img, box, centre) in scenes().items():
        rng = np.random.default_rng(a.seed)
        stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        t0, n_reads = time.perf_counter(), 0
        names = list(dict.fromkeys(f.name for f in FORMATS))
        for fi, fmt in enumerate(FORMATS):
            for _ in range(a.plates):
                text = random_plate(fmt, rng)
                ballot = Ballot()
                s = stats[fmt.name]
                for _ in range(a.frames):
                    fr = look(reader, img, box, centre, text, fi, rng)
                    n_reads += 1
                    ballot.add(fr)
                    s["frames"] += 1
                    s["found"] += fr.reason not in ("no_plate_found", "too_small")
                    s["exact"] += fr.text == text
                    s["wrong"] += fr.text is not None and fr.text != text
                    s["cer"] += lev(fr.text or "", text) / len(text)
                    s["cer_raw"] += min(1.0, lev(clean(fr.raw), text) / len(text))
                o = ballot.tally()
                s["tracks"] += 1
                s["t_exact"] += o.text == text
                s["t_wrong"] += o.text is not None and o.text != text
                s["t_cer"] += lev(o.text or "", text) / len(text)
        dt = time.perf_counter() - t0
        print(f"\nSYNTHETIC {name}: {a.plates} plates x {a.frames} frames per format, "
              f"{n_reads} reads, {dt / n_reads * 1000:.0f} ms/read")  # fmt: skip
        print("  format           | frames found exact wrong CER  rawCER | tracks exact wrong CER")
        tot: dict[str, float] = defaultdict(float)
        for fname in names:
            s = stats[fname]
            for k, v in s.items():
                tot[k] += v
            f, t = s["frames"], s["tracks"]
            print(f"  {fname:16s} | {int(f):6d} {s['found'] / f:5.0%} {s['exact'] / f:5.0%} "
                  f"{s['wrong'] / f:5.0%} {s['cer'] / f:.2f} {s['cer_raw'] / f:.2f}   | "
                  f"{int(t):6d} {s['t_exact'] / t:5.0%} {s['t_wrong'] / t:5.0%} "
                  f"{s['t_cer'] / t:.2f}")  # fmt: skip
        f, t = tot["frames"], tot["tracks"]
        print(f"  {'all':16s} | {int(f):6d} {tot['found'] / f:5.0%} {tot['exact'] / f:5.0%} "
              f"{tot['wrong'] / f:5.0%} {tot['cer'] / f:.2f} {tot['cer_raw'] / f:.2f}   | "
              f"{int(t):6d} {tot['t_exact'] / t:5.0%} {tot['t_wrong'] / t:5.0%} "
              f"{tot['t_cer'] / t:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
