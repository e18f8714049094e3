"""Golden of CenterNet (human-models) from the real TF.js runtime (run once, like the others).

    TFJS_DIR=.cache/tfjs .venv/bin/python tools/golden/make_centernet_golden.py

Writes tests/vision/golden/centernet_bus512.npz: bus.jpg stretched to 512x512 (INTER_AREA)
as RGB uint8 (the network input is those values as float32, 0..255), TF.js's own decoded
``tower_0/detections`` [1,100,6] (x1, y1, x2, y2, score, class in 512 px), every 5th cell
of ``tower_0/wh`` and every 17th of ``tower_0/keypoints`` (kept < 1 MB) with its sum/max.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from kuzet.assets import ensure

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/vision/golden/centernet_bus512.npz"
STEP = 17  # keypoints: every 17th cell; wh: every 5th


def main() -> None:
    bgr = cv2.imread(str(ensure("bus.jpg")))
    small = cv2.resize(bgr, (512, 512), interpolation=cv2.INTER_AREA)
    u8 = np.ascontiguousarray(small[None, ..., ::-1])
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.f32"
        u8.astype(np.float32).tofile(inp)
        subprocess.run(
            ["node", str(ROOT / "tools/golden/tfjs_run.cjs"), str(ensure("centernet.json")),
             tmp, "wasm", "0", f"{inp}@1x512x512x3"],
            check=True, env={**os.environ, "TFJS_DIR": os.environ.get("TFJS_DIR", "/tmp/tfjs")},
        )  # fmt: skip
        meta = json.loads((Path(tmp) / "meta.json").read_text())
        outs = {
            name.split(":")[0]: np.fromfile(Path(tmp) / f"in0_out{i}.f32", np.float32).reshape(
                meta[f"in0_out{i}"]
            )
            for i, name in enumerate(meta["outputs"])
        }
    heat = outs["tower_0/keypoints"].reshape(-1, 80)
    cells = np.arange(0, len(heat), STEP)
    arrays = {
        "input_u8": u8,
        "info": np.array(json.dumps({k: meta[k] for k in ("tfjs", "backend", "node")})),
        "detections": outs["tower_0/detections"],
        "wh/cells": np.arange(0, 128 * 128, 5),
        "wh/values": outs["tower_0/wh"].reshape(-1, 4)[::5],
        "keypoints/cells": cells,
        "keypoints/values": heat[cells],
        "keypoints/sum": np.array(heat.sum(dtype=np.float64)),
        "keypoints/max": np.array(heat.max()),
    }
    np.savez_compressed(OUT, **arrays)  # type: ignore[arg-type]
    print(OUT.name, OUT.stat().st_size, "bytes", {k: v.shape for k, v in outs.items()})


if __name__ == "__main__":
    main()
