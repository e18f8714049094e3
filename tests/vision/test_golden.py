"""The converted NanoDet matches the real TF.js runtime (golden made by tools/golden/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

GOLDEN = Path(__file__).parent / "golden" / "nanodet_bus416.npz"


def test_converted_nanodet_matches_tfjs_runtime(nanodet_onnx: Path) -> None:
    g = np.load(GOLDEN)
    x = (g["input_rgb"].transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255)).copy()
    sess = ort.InferenceSession(str(nanodet_onnx), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    outs = dict(zip(names, sess.run(names, {"input_1": x}), strict=True))
    worst = 0.0
    for name, out in outs.items():
        cells = g[f"{name}/cells"]
        err = float(np.abs(out[0, cells] - g[f"{name}/values"]).max())
        worst = max(worst, err)
        assert abs(float(out.max()) - float(g[f"{name}/max"])) < 1e-4
        assert abs(out.sum(dtype=np.float64) - float(g[f"{name}/sum"])) < 1e-4 * out.size
    assert worst < 1e-4, worst
