"""Goldens of the face models from the real TF.js runtime (run once, like make_golden.py).

    mkdir -p .cache/tfjs && (cd .cache/tfjs && npm init -y && npm install \
        @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0)  # as `make bench` does
    TFJS_DIR=.cache/tfjs .venv/bin/python tools/golden/make_face_goldens.py

Writes tests/vision/golden/<model>.npz for BlazeFace (back), FaceRes, FaceRes-deep,
MobileFaceNet and MobileFace (or only the models named as arguments):
the network input as uint8 (so the test needs no resize of its own) and every output
tensor in full (they are small). Real photos: zidane.jpg, padded to a square as
``kuzet.access.faces.FaceDetector`` does, for BlazeFace; the two faces of zidane.jpg,
cropped as ``kuzet.attributes.demographics`` crops them, as one batch of 2 for FaceRes;
the same two faces aligned to ArcFace's 112 px template for MobileFaceNet and MobileFace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from kuzet.assets import ensure
from kuzet.attributes.demographics import face_crop

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests/vision/golden"
# the two faces of zidane.jpg, located by eye (tests/access/test_blur.py)
ZIDANE_FACES = [(530, 281, 663, 414), (908, 129, 1062, 283)]


def blazeface_input() -> np.ndarray:
    """zidane.jpg padded to a square at the bottom/right, 256 px, RGB uint8 [1,256,256,3]."""
    bgr = cv2.imread(str(ensure("zidane.jpg")))
    h, w = bgr.shape[:2]
    square = np.zeros((max(h, w), max(h, w), 3), np.uint8)
    square[:h, :w] = bgr
    return np.ascontiguousarray(cv2.resize(square, (256, 256))[None, :, :, ::-1])


def aligned_input() -> np.ndarray:
    """The two faces of zidane.jpg aligned on BlazeFace's landmarks to ArcFace's 112 px
    template (``kuzet.faces.align``), RGB uint8 [2,112,112,3]."""
    from kuzet.faces.align import align
    from kuzet.faces.detector import FaceFinder

    bgr = cv2.imread(str(ensure("zidane.jpg")))
    faces = sorted(FaceFinder().find_faces(bgr), key=lambda f: f.box[2] - f.box[0])[-2:]
    crops = [align(bgr, f)[:, :, ::-1] for f in sorted(faces, key=lambda f: f.box[0])]
    return np.ascontiguousarray(np.stack(crops))


def faceres_input() -> np.ndarray:
    """The two faces of zidane.jpg, 224 px crops grown 1.4x, RGB uint8 [2,224,224,3]."""
    bgr = cv2.imread(str(ensure("zidane.jpg")))
    crops = [face_crop(bgr, box, 1.4)[:, :, ::-1] for box in ZIDANE_FACES]
    return np.ascontiguousarray(np.stack(crops))


# model -> (input uint8 NHWC, uint8 -> network float32)
MODELS = {
    "blazeface-back": (blazeface_input, lambda u8: u8.astype(np.float32) / 127.5 - 1.0),
    "faceres": (faceres_input, lambda u8: u8.astype(np.float32)),
    "faceres-deep": (faceres_input, lambda u8: u8.astype(np.float32)),
    # the inputs kuzet.faces.embedders feeds them (found by bench/embedder_inputs.py)
    "mobilefacenet": (aligned_input, lambda u8: (u8.astype(np.float32) - 127.5) / 128.0),
    "mobileface": (aligned_input, lambda u8: u8.astype(np.float32)),
}


def run_tfjs(model: str, x: np.ndarray, tmp: Path) -> tuple[dict[str, np.ndarray], dict]:
    inp = tmp / f"{model}.f32"
    x.astype(np.float32).tofile(inp)
    out_dir = tmp / model
    script = ROOT / "tools/golden/tfjs_run.cjs"
    shape = "x".join(str(d) for d in x.shape)
    subprocess.run(
        ["node", str(script), str(ensure(f"{model}.json")), str(out_dir), "wasm", "0",
         f"{inp}@{shape}"],
        check=True, env={**os.environ, "TFJS_DIR": os.environ.get("TFJS_DIR", "/tmp/tfjs")},
    )  # fmt: skip
    meta = json.loads((out_dir / "meta.json").read_text())
    outs = {
        name.split(":")[0]: np.fromfile(out_dir / f"in0_out{i}.f32", np.float32).reshape(
            meta[f"in0_out{i}"]
        )
        for i, name in enumerate(meta["outputs"])
    }
    return outs, meta


def main() -> None:
    """Every model, or only those named on the command line."""
    names = sys.argv[1:] or list(MODELS)
    with tempfile.TemporaryDirectory() as tmp:
        for model in names:
            make_input, to_float = MODELS[model]
            u8 = make_input()
            outs, meta = run_tfjs(model, to_float(u8), Path(tmp))
            info = {k: meta[k] for k in ("tfjs", "backend", "node")}
            arrays = {"input_u8": u8, "info": np.array(json.dumps(info))}
            arrays.update({f"out/{name}": a for name, a in outs.items()})
            path = GOLDEN / f"{model}.npz"
            np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
            shapes = {n: a.shape for n, a in outs.items()}
            print(path.name, path.stat().st_size, "bytes", shapes, info)


if __name__ == "__main__":
    main()
