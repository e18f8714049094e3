"""Which input does each converted face embedder want? Measured on real faces.

For every candidate input (colour order, pixel scaling, crop framing) of FaceRes,
FaceRes-deep, MobileFaceNet and MobileFace, prints genuine and impostor cosines on the
real faces of the asset catalog, BlazeFace-detected and aligned on their landmarks:
- genuine, real: obama.jpg / obama2.jpg / obama3.jpg (3 pairs, three different photos);
- genuine, augmented: each face against its own mirrored, half-size and JPEG-q30 copy
  (re-detected and re-aligned; labelled as augmented, not real second photos);
- impostor: every pair of different people (obama, biden, the 6 of t1.jpg, the 2 of
  zidane.jpg, tom_hanks.png, grace_hopper.jpg);
- aligned on dlib's 5 points found in BlazeFace's box (kuzet.faces.landmarks);
- noise: two uniform-noise crops (a network that maps them together is not looking);
- d': (mean genuine - mean impostor) / pooled sd, on all genuine pairs.
Then ms per face (one thread, batch 1). Usage: python bench/embedder_inputs.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from kuzet.assets import ensure
from kuzet.faces.align import DetectedFace
from kuzet.faces.detector import FaceFinder
from kuzet.faces.embedders import SPECS, create_embedder
from kuzet.faces.embedders.onnx import InputSpec, OnnxEmbedder
from kuzet.faces.landmarks import DlibLandmarker
from kuzet.vision.models import pull

PHOTOS = {  # asset -> identity of each face, left to right (None: skip)
    "obama.jpg": ["obama"], "obama2.jpg": ["obama"], "obama3.jpg": ["obama"],
    "biden.jpg": ["biden"], "t1.jpg": [f"t1_{i}" for i in range(6)],
    "zidane.jpg": ["ancelotti", "zidane"], "tom_hanks.png": ["hanks"],
    "grace_hopper.jpg": ["hopper"],
}  # fmt: skip
AUGMENT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mirror": lambda im: np.ascontiguousarray(im[:, ::-1]),
    "half": lambda im: cv2.resize(im, (im.shape[1] // 2, im.shape[0] // 2), cv2.INTER_AREA),
    "jpeg30": lambda im: cv2.imdecode(
        cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 30])[1], cv2.IMREAD_COLOR
    ),
}  # fmt: skip


def faces_of(finder: FaceFinder, bgr: np.ndarray, n: int) -> list[DetectedFace]:
    """The ``n`` largest faces, left to right."""
    faces = sorted(finder.find_faces(bgr), key=lambda f: f.box[2] - f.box[0], reverse=True)[:n]
    return sorted(faces, key=lambda f: f.box[0])


def dataset(finder: FaceFinder) -> tuple[list[tuple[str, str, np.ndarray, DetectedFace]], int]:
    """(identity, variant, image, face) for every face and augmented copy."""
    rows = []
    for asset, ids in PHOTOS.items():
        bgr = cv2.imread(str(ensure(asset, quiet=True)))
        faces = faces_of(finder, bgr, len(ids))
        assert len(faces) == len(ids), (asset, len(faces))
        for who, f in zip(ids, faces, strict=True):
            rows.append((who, asset, bgr, f))
        for aug, fn in AUGMENT.items():
            img = fn(bgr)
            afaces = faces_of(finder, img, len(ids))
            if aug == "mirror":
                afaces = afaces[::-1]
            for who, f in zip(ids, afaces, strict=False):
                rows.append((who, f"{asset}:{aug}", img, f))
    return rows, sum(len(v) for v in PHOTOS.values())


def score(templates: np.ndarray, rows: list[tuple[str, str, np.ndarray, DetectedFace]]) -> dict:
    real_g, aug_g, imp = [], [], []
    for (i, a), (j, b) in itertools.combinations(enumerate(rows), 2):
        s = float(templates[i] @ templates[j])
        orig_a, orig_b = ":" not in a[1], ":" not in b[1]
        if a[0] != b[0]:
            if orig_a and orig_b:
                imp.append(s)
        elif orig_a and orig_b:
            real_g.append(s)
        elif a[1].split(":")[0] == b[1].split(":")[0] and (orig_a or orig_b):
            aug_g.append(s)
    g, m = np.array(real_g + aug_g), np.array(imp)
    d = (g.mean() - m.mean()) / np.sqrt((g.var() + m.var()) / 2)
    return {"real": real_g, "aug": np.array(aug_g), "imp": m, "d": d}


def _imp(m: np.ndarray) -> str:
    return f"{np.median(m):.3f} / {np.percentile(m, 95):.3f} / {m.max():.3f}"


def noise_cos(emb: OnnxEmbedder) -> float:
    rng = np.random.default_rng(0)
    crops = [rng.integers(0, 256, (emb.spec.size,) * 2 + (3,), dtype=np.uint8) for _ in range(2)]
    t = emb.embed_crops(crops)
    return float(t[0] @ t[1])


def candidates(quick: bool) -> dict[str, list[tuple[str, InputSpec]]]:
    out: dict[str, list[tuple[str, InputSpec]]] = {}
    scalings = {"0..255": (0.0, 1.0), "0..1": (0.0, 255.0), "(x-127.5)/128": (127.5, 128.0)}
    for name in ("mobilefacenet", "mobileface"):
        base = SPECS[name][1]
        out[name] = [
            (f"{c} {k}", replace(base, mean=m, std=s, colour=c))  # type: ignore[arg-type]
            for c in ("rgb", "bgr", "gray")
            for k, (m, s) in scalings.items()
        ]
    if not quick:
        out["mobileface"] += [
            (f"rgb 0..255 face x{sc}", replace(SPECS["mobileface"][1], crop_scale=sc))
            for sc in (0.8, 0.9, 1.1)
        ]
    for name in ("faceres", "faceres_deep"):
        base = SPECS[name][1]
        scales = (0.6,) if quick else (0.45, 0.6, 0.75, 1.0)
        out[name] = [
            (f"{c} 0..255 face x{sc}", replace(base, colour=c, crop_scale=sc))  # type: ignore[arg-type]
            for c in ("rgb", "bgr")
            for sc in scales
        ] + [("rgb 0..1 face x0.6", replace(base, std=255.0))]
    return out


def ms_per_face(embed: Callable[[], object], n: int = 30) -> tuple[float, float]:
    """(wall, CPU) ms per call; CPU time is what a busy shared machine distorts least."""
    embed()
    t, c = time.perf_counter(), time.process_time()
    for _ in range(n):
        embed()
    return (time.perf_counter() - t) / n * 1000, (time.process_time() - c) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer FaceRes framings")
    ap.add_argument("--timing", action="store_true", help="only the time per face")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    finder = FaceFinder()
    if args.timing:
        return timing(finder)
    rows, n_orig = dataset(finder)
    landmarker = DlibLandmarker()
    con = Console(width=200)
    con.print(f"{n_orig} faces, {len(rows) - n_orig} augmented copies")
    table = Table(
        "model", "input", "genuine real (3)", "genuine aug min/med", "impostor med/p95/max",
        "noise cos", "d'",
    )  # fmt: skip
    for name, variants in candidates(args.quick).items():
        model = pull(SPECS[name][0], quiet=True)
        for label, spec in variants:
            emb = OnnxEmbedder(name, model, spec, landmarker=landmarker)
            t = np.stack([emb.embed(img, f) for _, _, img, f in rows])
            r = score(t, rows)
            table.add_row(
                name, label, " ".join(f"{s:.3f}" for s in r["real"]),
                f"{r['aug'].min():.3f} / {np.median(r['aug']):.3f}",
                _imp(r["imp"]),
                f"{noise_cos(emb):.4f}", f"{r['d']:.2f}",
            )  # fmt: skip
    dlib = create_embedder()
    t = np.stack([dlib.embed(img, f) for _, _, img, f in rows])
    r = score(t, rows)
    table.add_row(
        "dlib", "its own chip", " ".join(f"{s:.3f}" for s in r["real"]),
        f"{r['aug'].min():.3f} / {np.median(r['aug']):.3f}",
        _imp(r["imp"]),
        "-", f"{r['d']:.2f}",
    )  # fmt: skip
    con.print(table)
    timing(finder)


def timing(finder: FaceFinder) -> None:
    """ms per face (alignment or dlib's chip + network), one thread, on zidane.jpg's
    two faces (133 and 154 px boxes, the size of a face in a 1080p frame)."""
    from kuzet.config.faces import FacesConfig

    bgr = cv2.imread(str(ensure("zidane.jpg", quiet=True)))
    faces = faces_of(finder, bgr, 2)
    table = Table("embedder", "dim", "wall ms per face", "CPU ms per face", "input")
    for name in ("dlib", "faceres", "faceres_deep", "mobilefacenet", "mobileface"):
        e = create_embedder(FacesConfig.model_validate({"embedder": {"type": name}}).embedder)
        wall, cpu = ms_per_face(lambda e=e: [e.embed(bgr, f) for f in faces])
        spec = SPECS[name][1] if name in SPECS else None
        what = (
            "dlib's 150 px chip"
            if spec is None
            else (
                f"{spec.size} px, face x{spec.crop_scale}, {spec.colour},"
                f" (x-{spec.mean})/{spec.std}"
            )
        )
        table.add_row(name, str(e.dim), f"{wall / 2:.1f}", f"{cpu / 2:.1f}", what)
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
