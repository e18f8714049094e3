"""Produce tests/vision/golden/nanodet_bus416.npz with the real TF.js runtime (run once).

    TFJS_DIR=/tmp/tfjs .venv/bin/python tools/golden/make_golden.py

Needs @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm installed under $TFJS_DIR
(outside the repo). See tests/vision/golden/README.md.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from kuzet.assets import ensure

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/vision/golden/nanodet_bus416.npz"
SIZE = 416
CELLS = np.arange(0, 2704, 11)  # fixed subset of cells of the big outputs


def golden_input() -> np.ndarray:
    """bus.jpg stretched to 416x416, RGB uint8 HWC (stored, so no resize differences)."""
    bgr = cv2.imread(str(ensure("bus.jpg")))
    return np.ascontiguousarray(
        cv2.resize(bgr, (SIZE, SIZE), interpolation=cv2.INTER_AREA)[..., ::-1]
    )


def to_input(rgb: np.ndarray) -> np.ndarray:
    return (rgb.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255)).copy()


def main() -> None:
    rgb = golden_input()
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.f32"
        to_input(rgb).tofile(inp)
        script = ROOT / "tools/golden/tfjs_run.cjs"
        subprocess.run(
            ["node", str(script), str(ensure("nanodet.json")), tmp, "wasm", "0", str(inp)],
            check=True,
        )
        meta = json.loads((Path(tmp) / "meta.json").read_text())
        arrays: dict[str, np.ndarray] = {"input_rgb": rgb}
        for i, name in enumerate(meta["outputs"]):
            out = np.fromfile(Path(tmp) / f"in0_out{i}.f32", np.float32).reshape(
                meta[f"in0_out{i}"]
            )
            arrays[f"{name}/sum"] = np.float64(out.sum(dtype=np.float64))
            arrays[f"{name}/max"] = np.float32(out.max())
            cells = CELLS[out.shape[1] > CELLS] if out.shape[1] > 169 else np.arange(out.shape[1])
            arrays[f"{name}/cells"] = cells
            arrays[f"{name}/values"] = out[0, cells]
    info = {"tfjs": meta["tfjs"], "backend": meta["backend"], "node": meta["node"]}
    arrays["info"] = np.array(json.dumps(info))
    np.savez_compressed(OUT, **arrays)  # type: ignore[arg-type]
    print(OUT, OUT.stat().st_size, "bytes", info)


if __name__ == "__main__":
    main()
