"""Every converted model matches the real TF.js runtime (goldens made by tools/golden/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from kuzet.vision.models import pull

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


# Face models: goldens made by tools/golden/make_face_goldens.py (TF.js 4.22.0 wasm, Node 20)
# on zidane.jpg (the embedders: its two faces aligned to the 112 px ArcFace template).
# Both runtimes dequantise the same float16 weights to float32, so the weights
# are bit-identical and what is left is float32 summation order: measured <= 1.7e-6 of each
# output's largest value. A converter that lost weight precision (double rounding through
# float16, float16 arithmetic) errs at float16's resolution, 2**-11 = 4.9e-4 relative; the
# bound sits 10x below that and 30x above the noise.
FACE_TOLERANCE = 5e-5
FACE_INPUTS = {
    "blazeface-back": lambda u8: u8.astype(np.float32) / np.float32(127.5) - np.float32(1),
    "faceres": lambda u8: u8.astype(np.float32),
    "faceres-deep": lambda u8: u8.astype(np.float32),
    # inputs as kuzet.faces.embedders feeds them; MobileFace scales 0..255 inside its graph
    "mobilefacenet": lambda u8: (u8.astype(np.float32) - np.float32(127.5)) / np.float32(128),
    "mobileface": lambda u8: u8.astype(np.float32),
}


@pytest.mark.parametrize("model", sorted(FACE_INPUTS))
def test_converted_face_models_match_tfjs_runtime(model: str) -> None:
    g = np.load(Path(__file__).parent / "golden" / f"{model}.npz")
    sess = ort.InferenceSession(str(pull(model, quiet=True)), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    x = FACE_INPUTS[model](g["input_u8"])
    outs = dict(zip(names, sess.run(names, {sess.get_inputs()[0].name: x}), strict=True))
    assert sorted(outs) == sorted(k[4:] for k in g.files if k.startswith("out/"))
    for name, out in outs.items():
        ref = g[f"out/{name}"]
        assert out.shape == ref.shape, name
        bound = FACE_TOLERANCE * float(np.abs(ref).max())
        np.testing.assert_allclose(out, ref, rtol=0, atol=bound, err_msg=f"{model} {name}")
