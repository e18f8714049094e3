"""Rule evaluation cost: track updates per second per core, 20 zones + 20 lines on a camera.

A "track update" is one track in one frame evaluated against every rule of the scene.
Tracks random-walk at walking pace over a 1280x720 frame, bouncing off its edges (a busy
scene: tracks keep crossing zones and lines); ids are stable, a few are replaced each frame.
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/rules_throughput.py [--tracks 50 100 200]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from kuzet.config.rules import SceneRuleSetConfig
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.rules import create_rule

W, H = 1280, 720


def scene(zones: int = 20, lines: int = 20, seed: int = 0) -> SceneRuleSetConfig:
    rng = np.random.default_rng(seed)
    zs, ls, rules = [], [], []
    for i in range(zones):
        cx, cy = rng.uniform(100, W - 100), rng.uniform(100, H - 100)
        r = rng.uniform(40, 150)
        ang = np.sort(rng.uniform(0, 2 * np.pi, 6))
        pts = [[float(cx + r * np.cos(a)), float(cy + r * np.sin(a))] for a in ang]
        zs.append({"name": f"z{i}", "points": pts})
        kind = "intrusion" if i % 2 == 0 else "loitering"
        rule = {"type": kind, "name": f"r_z{i}", "zone": f"z{i}"}
        if kind == "loitering":
            rule["min_dwell_s"] = 5.0
        rules.append(rule)
    for i in range(lines):
        a = [float(rng.uniform(0, W)), float(rng.uniform(0, H))]
        b = [float(rng.uniform(0, W)), float(rng.uniform(0, H))]
        ls.append(
            {
                "name": f"l{i}",
                "points": [a, b],
                "in_point": [a[0] + (b[1] - a[1]), a[1] - (b[0] - a[0])],
            }
        )
        rules.append({"type": "line_crossing", "name": f"r_l{i}", "line": f"l{i}"})
    return SceneRuleSetConfig.model_validate({"zones": zs, "lines": ls, "rules": rules})


def run(n_tracks: int, frames: int, seed: int = 1) -> tuple[float, int]:
    rng = np.random.default_rng(seed)
    engine = create_rule("bench", scene())
    engine.has_image = False  # type: ignore[attr-defined]
    pos = rng.uniform([0, 0], [W, H], (n_tracks, 2))
    vel = rng.normal(0, 8, (n_tracks, 2))
    ids = np.arange(n_tracks, dtype=np.int64)
    next_id = n_tracks
    img = np.zeros((1, 1, 3), np.uint8)
    dets = []
    for _ in range(frames):  # prepare inputs outside the timed loop
        vel = np.clip(vel + rng.normal(0, 2, vel.shape), -15, 15)  # walking pace, px/frame
        pos = pos + vel
        out = (pos < 0) | (pos > [W, H])  # bounce off the frame edges: tracks stay in view,
        vel[out] *= -1  # so zones and lines keep being visited (a busy scene, not a drift)
        pos = np.clip(pos, 0, [W, H])
        swap = rng.random(n_tracks) < 0.01  # tracks ending and new ones starting
        ids = ids.copy()
        ids[swap] = np.arange(next_id, next_id + swap.sum())
        next_id += int(swap.sum())
        xyxy = np.concatenate([pos - np.array([15, 60]), pos + np.array([15, 0])], axis=1)
        dets.append(Detections(xyxy, np.full(n_tracks, 0.9), np.zeros(n_tracks), ids))
    events = 0
    t0 = time.perf_counter()
    for i, d in enumerate(dets):
        events += len(engine.update(Frame("bench", i, i / 5, i / 5, img), d, COCO_CLASSES))
    return time.perf_counter() - t0, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tracks", type=int, nargs="+", default=[20, 50, 100, 200])
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    args = ap.parse_args()
    if args.quick:
        args.frames = 200
    run(20, 50)  # warm up
    print("tracks/frame  frames/s  track updates/s  events")
    for n in args.tracks:
        secs, events = run(n, args.frames)
        print(f"{n:12d}  {args.frames / secs:8.0f}  {n * args.frames / secs:15,.0f}  {events:6d}")


if __name__ == "__main__":
    main()
