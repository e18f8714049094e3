"""Age and gender on the real faces of the asset catalog: both FaceRes models side by side.

Truth (ages at the time of each photo, from public records) is in
tests/faces/data/demographics.json. Prints one row per face, then per model: gender
right, age band right and mean age error (years outside the true range) over the faces
of known age, and time per face. Usage: python bench/demographics.py
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from kuzet.assets import ensure
from kuzet.attributes.demographics import age_band, decode_age, face_crop, model_path
from kuzet.faces.detector import FaceFinder

TRUTH = Path(__file__).parents[1] / "tests/faces/data/demographics.json"
MODELS = {"faceres": 1.4, "faceres-deep": 1.0}  # model -> crop grow it reads best at


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="accepted for `make bench QUICK=1`: "
                    "this benchmark is short already")  # fmt: skip
    ap.parse_args()
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sessions = {
        m: ort.InferenceSession(str(model_path(m)), opts, providers=["CPUExecutionProvider"])
        for m in MODELS
    }
    for sess in sessions.values():  # warm-up: the first run allocates
        sess.run(None, {"input_1": np.zeros((1, 224, 224, 3), np.float32)})
    finder, faces = FaceFinder(), json.loads(TRUTH.read_text())["faces"]
    table = Table("face", "true age", *(f"{m} age / band / p(male)" for m in MODELS))
    score = {m: {"gender": 0, "band": 0, "err": 0.0, "ms": 0.0} for m in MODELS}
    known = [f for f in faces if f["age"] is not None]
    for f in faces:
        img = cv2.imread(str(ensure(f["image"], quiet=True)))
        boxes = finder.find(img)[:, :4]
        centres = (boxes[:, :2] + boxes[:, 2:]) / 2
        box = boxes[np.argmin(np.linalg.norm(centres - np.array(f["near"]), axis=1))]
        lo, hi = f["age"] or (None, None)
        cells = []
        for m, sess in sessions.items():
            x = face_crop(img, box, MODELS[m])[:, :, ::-1].astype(np.float32)[None]
            t = time.perf_counter()
            names = [o.name for o in sess.get_outputs()]
            out = dict(zip(names, sess.run(None, {"input_1": x}), strict=True))
            score[m]["ms"] += (time.perf_counter() - t) * 1000 / len(faces)
            age = decode_age(out["age_pred/Softmax"][0])
            p_male = float(out["gender_pred/Sigmoid"].ravel()[0])
            score[m]["gender"] += ("male" if p_male > 0.5 else "female") == f["gender"]
            ok = ""
            if lo is not None:
                right = age_band(age) == age_band(lo)
                score[m]["band"] += right
                score[m]["err"] += max(0.0, lo - age, age - hi) / len(known)
                ok = " ok" if right else " WRONG"
            cells.append(f"{age:4.1f} / {age_band(age)}{ok} / {p_male:.2f}")
        truth = "?" if lo is None else f"{lo}-{hi} ({age_band(lo)})"
        table.add_row(f"{f['image']}: {f['who'].split(' (')[0].split(',')[0]}", truth, *cells)
    con = Console(width=140)
    con.print(table)
    for m, s in score.items():
        con.print(
            f"{m}: gender {s['gender']}/{len(faces)}, age band {s['band']}/{len(known)}, "
            f"mean age error {s['err']:.1f} y, {s['ms']:.1f} ms/face (1 thread)"
        )


if __name__ == "__main__":
    main()
