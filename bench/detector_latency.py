"""NanoDet latency per image: ONNX Runtime (threads x batch x size) vs the TF.js runtime in Node.

    .venv/bin/python bench/detector_latency.py [--rounds 10] [--tfjs-dir /tmp/tfjs]

Real images: bus.jpg, zidane.jpg and 6 vtest.avi frames. Per image = end-to-end
``detect()`` (resize, normalise, inference, decode, NMS) divided by the batch size.
The Node row times inference only (model.execute + data()), wasm backend, 416.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from kuzet.assets import ensure
from kuzet.vision.detector import fit, to_nchw
from kuzet.vision.models import pull
from kuzet.vision.nanodet import NanoDetDetector

ROOT = Path(__file__).resolve().parents[1]


def images() -> list[np.ndarray]:
    out = [cv2.imread(str(ensure("bus.jpg"))), cv2.imread(str(ensure("zidane.jpg")))]
    cap = cv2.VideoCapture(str(ensure("vtest.avi")))
    for idx in range(0, 600, 100):
        cap.set(cv2.CAP_PROP_POS_FRAMES, idx)
        ok, frame = cap.read()
        if ok:
            out.append(frame)
    cap.release()
    return out


def measure(det: NanoDetDetector, ims: list[np.ndarray], batch: int, rounds: int) -> list[float]:
    det.max_batch = batch
    groups = [ims[i : i + batch] for i in range(0, len(ims) - batch + 1, batch)]
    det.detect(groups[0])  # warm-up
    per_image = []
    for _ in range(rounds):
        for g in groups:
            t0 = time.perf_counter()
            det.detect(g)
            per_image.append((time.perf_counter() - t0) * 1000 / len(g))
    return per_image


def tfjs_node(ims: list[np.ndarray], rounds: int, tfjs_dir: str) -> list[float] | None:
    if not shutil.which("node") or not Path(tfjs_dir, "node_modules/@tensorflow/tfjs").exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, im in enumerate(ims):
            x = to_nchw([fit(im, (416, 416), letterbox=False)[0]])
            files.append(str(Path(tmp) / f"in{i}.f32"))
            x.tofile(files[-1])
        cmd = [
            "node",
            str(ROOT / "tools/golden/tfjs_run.cjs"),
            str(ensure("nanodet.json")),
            tmp,
            "wasm",
            str(rounds),
            *files,
        ]
        subprocess.run(
            cmd, check=True, capture_output=True, env={**os.environ, "TFJS_DIR": tfjs_dir}
        )
        meta = json.loads((Path(tmp) / "meta.json").read_text())
    return [ms for run in meta["runs"] for ms in run["ms"][1:]]  # first run of each: warm-up


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[416, 320])
    ap.add_argument("--tfjs-dir", default=os.environ.get("TFJS_DIR", "/tmp/tfjs"))
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.sizes = 2, [416]
    ims = images()
    table = Table(
        title=f"NanoDet latency per image, {len(ims)} real images, {os.cpu_count()} cores"
    )
    for col in ("runtime", "size", "threads", "batch", "p50 ms", "p95 ms", "n"):
        table.add_column(col, justify="right")
    for size in args.sizes:
        path = pull("nanodet", size)
        for threads in (1, 2):
            det = NanoDetDetector(path, size, threads=threads)
            for batch in (1, 4):
                t = measure(det, ims, batch, args.rounds)
                p50, p95 = np.percentile(t, [50, 95])
                table.add_row(
                    "onnxruntime",
                    str(size),
                    str(threads),
                    str(batch),
                    f"{p50:.1f}",
                    f"{p95:.1f}",
                    str(len(t)),
                )
    node = tfjs_node(ims, max(3, args.rounds // 2), args.tfjs_dir)
    if node:
        p50, p95 = np.percentile(node, [50, 95])
        table.add_row(
            "tfjs wasm (node)", "416", "wasm", "1", f"{p50:.1f}", f"{p95:.1f}", str(len(node))
        )
    else:
        table.add_row("tfjs wasm (node)", "416", "-", "-", "not installed", "", "")
    Console().print(table)


if __name__ == "__main__":
    main()
