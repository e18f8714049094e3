"""Face embedders compared on real faces, thresholds chosen on one part, reported on another.

Evaluation set and split: bench/_face_eval.py (every face photo the packages ship).
Per embedder: the threshold at FMR 0.1 % (and 1 %) chosen on the **tuning** identities'
impostor pairs; on the **reporting** identities: the impostor score distribution, the
share of impostor pairs at or above that threshold, and the genuine rate at it, real
second photos (Obama x3) and augmented copies (bench/_face_eval.py AUGMENTATIONS)
counted apart; ms per face (one thread). Score fusion (z-scored on the tuning impostors,
averaged) is measured the same way.

``--write`` stores each embedder's tuning impostor scores in
``src/kuzet/faces/data/impostors.json``: the measured distribution that per-watchlist
thresholds are computed from (``kuzet.faces.calibration``).

Usage: python bench/face_embedders.py [--embedders dlib,faceres,...] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
from _face_eval import (
    REPORTING,
    TUNING,
    Embedder,
    EvalFace,
    augmented,
    load,
    pairs,
    threshold_at,
)
from kuzet.assets import ensure

OUT = Path(__file__).parents[1] / "src/kuzet/faces/data/impostors.json"
CACHE = Path.home() / ".cache/kuzet/bench"  # templates for bench/face_search.py


def save_templates(name: str, part: str, vecs: np.ndarray, faces: list[EvalFace]) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(
        CACHE / f"face_templates_{name}_{part}.npz", vecs=vecs,
        identity=np.array([f.identity for f in faces]),
        variant=np.array([f.variant for f in faces]), photo=np.array([f.photo for f in faces]),
    )  # fmt: skip


class DlibEmbedder:
    """Today's template: dlib's ResNet on its own 5-point aligned chip, 128-d."""

    name, dim = "dlib", 128

    def __init__(self) -> None:
        import dlib

        self._dlib = dlib
        self._shape = dlib.shape_predictor(
            str(ensure("shape_predictor_5_face_landmarks.dat", quiet=True))
        )
        self._net = dlib.face_recognition_model_v1(
            str(ensure("dlib_face_recognition_resnet_model_v1.dat", quiet=True))
        )
        self._lock = threading.Lock()

    def embed(self, bgr: np.ndarray, face: EvalFace) -> np.ndarray:
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        rect = self._dlib.rectangle(*(int(v) for v in face.box))
        with self._lock:
            shape = self._shape(rgb, rect)
            v = np.asarray(self._net.compute_face_descriptor(rgb, shape), np.float32)
        return v / max(float(np.linalg.norm(v)), 1e-9)


def level_crop(bgr: np.ndarray, face: EvalFace, size: int, grow: float) -> np.ndarray:
    """Square crop of the face box grown ``grow`` times, rotated so the eyes are level
    (roll corrected from dlib's landmarks)."""
    x1, y1, x2, y2 = face.box
    eye_r, eye_l = face.landmarks[0:2].mean(0), face.landmarks[2:4].mean(0)
    dx, dy = eye_r - eye_l  # dlib: points 0-1 are the (image-)right eye
    angle = float(np.degrees(np.arctan2(dy, dx)))
    if dx < 0:
        angle = float(np.degrees(np.arctan2(-dy, -dx)))
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    scale = size / (max(x2 - x1, y2 - y1) * grow)
    m = cv2.getRotationMatrix2D((cx, cy), angle, scale)
    m[:, 2] += np.array([size / 2 - cx, size / 2 - cy])
    return cv2.warpAffine(bgr, m, (size, size), borderMode=cv2.BORDER_CONSTANT)


class FaceResEmbedder:
    """The human-models FaceRes(-deep) 1024-d ``global_pooling/Mean`` descriptor on a
    224 px roll-corrected crop (RGB 0..255, as its gender/age heads read it)."""

    dim = 1024

    def __init__(self, model: str = "faceres", grow: float = 1.0) -> None:
        import onnxruntime as ort

        from kuzet.attributes.demographics import model_path

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.name, self.grow = f"local:{model}" if grow == 1.0 else f"local:{model}@{grow}", grow
        self._sess = ort.InferenceSession(
            str(model_path(model)), opts, providers=["CPUExecutionProvider"]
        )

    def embed(self, bgr: np.ndarray, face: EvalFace) -> np.ndarray:
        crop = level_crop(bgr, face, 224, self.grow)
        x = crop[:, :, ::-1].astype(np.float32)[None]
        v = self._sess.run(["global_pooling/Mean"], {"input_1": x})[0][0].astype(np.float32)
        return v / max(float(np.linalg.norm(v)), 1e-9)


class _Registered:
    """EMB's registry embedder (``kuzet.faces.embedders``) fed an evaluation face."""

    def __init__(self, kind: str) -> None:
        from pydantic import TypeAdapter

        from kuzet.config.faces import EmbedderConfig
        from kuzet.faces.embedders import create_embedder

        cfg = TypeAdapter(EmbedderConfig).validate_python({"type": kind})
        self._emb = create_embedder(cfg)
        self.name, self.dim = self._emb.name, self._emb.dim

    def embed(self, bgr: np.ndarray, face: EvalFace) -> np.ndarray:
        from kuzet.faces.align import DetectedFace

        return self._emb.embed(bgr, DetectedFace(face.box, face.landmarks, "dlib5"))


def make_embedders(names: list[str]) -> list[Embedder]:
    """The product's embedders by their config ``type`` (dlib, faceres, faceres_deep,
    mobilefacenet, mobileface); ``local:dlib`` / ``local:faceres[-deep][@grow]``: this
    script's own adapters (eye-level box crop), measured before the registry landed."""
    out: list[Embedder] = []
    for n in names:
        if n == "local:dlib":
            out.append(DlibEmbedder())
        elif n.startswith("local:faceres"):
            model, _, grow = n.removeprefix("local:").partition("@")
            out.append(FaceResEmbedder(model, float(grow or 1.0)))
        else:
            out.append(_Registered(n))
    return out


def embed_all(emb: Embedder, faces: list[EvalFace]) -> tuple[np.ndarray, float]:
    emb.embed(faces[0].image, faces[0])  # warm-up
    t = time.perf_counter()
    vecs = np.stack([emb.embed(f.image, f) for f in faces])
    return vecs, (time.perf_counter() - t) * 1000 / len(faces)


def evaluate(scores: dict[str, dict[str, np.ndarray]], fmrs: tuple[float, ...]) -> dict[str, Any]:
    """``scores[part]`` has ``impostor``, ``genuine_real``, ``genuine_aug`` score arrays."""
    tune, rep = scores["tuning"], scores["reporting"]
    res: dict[str, Any] = {
        "impostor_reporting": {
            "n": len(rep["impostor"]),
            "median": float(np.median(rep["impostor"])),
            "p99": float(np.quantile(rep["impostor"], 0.99)),
            "max": float(rep["impostor"].max()),
        },
        "at": {},
    }
    for fmr in fmrs:
        t = threshold_at(tune["impostor"], fmr)
        res["at"][fmr] = {
            "threshold": t,
            "fmr_reporting": float(np.mean(rep["impostor"] >= t)),
            "false_pairs": int(np.sum(rep["impostor"] >= t)),
            "gar_real": float(np.mean(rep["genuine_real"] >= t)),
            "gar_aug": float(np.mean(rep["genuine_aug"] >= t)),
            "gar_aug_tuning": float(np.mean(tune["genuine_aug"] >= t)),
        }
    return res


def part_scores(
    vecs: np.ndarray, faces: list[EvalFace], imp: np.ndarray, gen: np.ndarray
) -> dict[str, np.ndarray]:
    s_imp = np.einsum("ij,ij->i", vecs[imp[:, 0]], vecs[imp[:, 1]])
    s_gen = np.einsum("ij,ij->i", vecs[gen[:, 0]], vecs[gen[:, 1]])
    real = np.array(
        [faces[i].variant == "original" and faces[j].variant == "original" for i, j in gen], bool
    )
    aug = np.array(
        [(faces[i].variant == "original") != (faces[j].variant == "original") for i, j in gen],
        bool,
    )  # an augmented copy against its own original
    return {"impostor": s_imp, "genuine_real": s_gen[real], "genuine_aug": s_gen[aug]}


def choose(names: list[str], console: Console) -> None:
    """The default is chosen on the tuning identities alone: two folds by identity (every
    other identity), threshold at FMR 0.1 % on one fold's impostor pairs, FMR and the
    genuine rate (augmented copies: the tuning part has no real second photo) on the
    other. From the cached templates of a previous run."""
    t = Table("embedder", "threshold fold A / B", "held-out FMR (target 0.1 %)",
              "held-out genuine (augmented)")  # fmt: skip
    for name in names:
        with np.load(CACHE / f"face_templates_{name}_tuning.npz") as z:
            vecs, ids, var = z["vecs"], z["identity"], z["variant"]
        people = sorted(set(ids.tolist()))
        folds = [set(people[0::2]), set(people[1::2])]
        thr, fmr, gar = [], [], []
        for a, b in (folds, folds[::-1]):
            sel = {k: np.flatnonzero([i in f for i in ids]) for k, f in (("a", a), ("b", b))}
            sc = {}
            for k, idx in sel.items():
                imp, gen = pairs([str(i) for i in ids[idx]])
                v = vecs[idx]
                orig = var[idx] == "original"
                g = gen[orig[gen[:, 0]] != orig[gen[:, 1]]]
                sc[k] = (np.einsum("ij,ij->i", v[imp[:, 0]], v[imp[:, 1]]),
                         np.einsum("ij,ij->i", v[g[:, 0]], v[g[:, 1]]))  # fmt: skip
            t_a = threshold_at(sc["a"][0], 0.001)
            thr.append(t_a)
            fmr.append(float(np.mean(sc["b"][0] >= t_a)))
            gar.append(float(np.mean(sc["b"][1] >= t_a)))
        cells = (" / ".join(f"{x:.4f}" for x in thr), " / ".join(f"{x:.3%}" for x in fmr),
                 " / ".join(f"{x:.3f}" for x in gar))  # fmt: skip
        t.add_row(name, *cells)
    console.print(t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedders", default="dlib,faceres,faceres_deep,mobilefacenet,mobileface")
    ap.add_argument("--fuse", default="", help="comma list of embedders to fuse (z-scored)")
    ap.add_argument("--write", action="store_true", help="store tuning impostor scores")
    ap.add_argument("--quick", action="store_true", help="accepted for `make bench QUICK=1`")
    ap.add_argument("--choose", action="store_true", help="2-fold choice on the tuning part")
    args = ap.parse_args()
    console = Console(width=170)
    if args.choose:
        choose(args.embedders.split(","), console)
        return
    parts = {"tuning": load(TUNING), "reporting": load(REPORTING)}
    ids = {k: sorted({f.identity for f in v}) for k, v in parts.items()}
    assert not set(ids["tuning"]) & set(ids["reporting"]), "an identity in both parts"
    full = {k: v + [a for f in v for a in augmented(f)] for k, v in parts.items()}
    pp = {k: pairs([f.identity for f in v]) for k, v in full.items()}
    orig_imp = {  # impostor pairs between original photos only: independent pairs
        k: np.array([p for p in pp[k][0] if full[k][p[0]].variant == full[k][p[1]].variant ==
                     "original"]) for k in full
    }  # fmt: skip
    for k in full:
        console.print(
            f"{k}: {len(parts[k])} faces, {len(ids[k])} identities, "
            f"{len(full[k]) - len(parts[k])} augmented copies; impostor pairs "
            f"{len(orig_imp[k])} between photos ({len(pp[k][0])} with copies)"
        )
    fmrs = (0.001, 0.01)
    results, all_scores, ms = {}, {}, {}
    for emb in make_embedders(args.embedders.split(",")):
        sc = {}
        for k, faces in full.items():
            vecs, ms[emb.name] = embed_all(emb, faces)
            save_templates(emb.name, k, vecs, faces)
            sc[k] = part_scores(vecs, faces, pp[k][0], pp[k][1])
            sc[k]["impostor_photos"] = np.einsum(
                "ij,ij->i", vecs[orig_imp[k][:, 0]], vecs[orig_imp[k][:, 1]]
            )
        all_scores[emb.name] = sc
        results[emb.name] = evaluate(sc, fmrs)
    fuse = [n for n in args.fuse.split(",") if n]
    if len(fuse) > 1:  # fusion: z-score on the tuning impostors, mean
        fused: dict[str, dict[str, np.ndarray]] = {"tuning": {}, "reporting": {}}
        for k in fused:
            for key in all_scores[fuse[0]][k]:
                zs = []
                for sc in (all_scores[n] for n in fuse):
                    mu, sd = sc["tuning"]["impostor"].mean(), sc["tuning"]["impostor"].std()
                    zs.append((sc[k][key] - mu) / sd)
                fused[k][key] = np.mean(zs, 0)
        results["fusion(" + "+".join(fuse) + ")"] = evaluate(fused, fmrs)
        ms["fusion(" + "+".join(fuse) + ")"] = sum(ms[n] for n in fuse)
    show(console, results, ms, all_scores)
    if args.write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(OUT.read_text()) if OUT.exists() else {}  # others' kept
        data |= {
            name: {
                "source": "bench/face_embedders.py, tuning identities (bench/_face_eval.py), "
                "impostor pairs of photos and their augmented copies, 2026-12-06",
                "scores": [round(float(x), 4) for x in np.sort(sc["tuning"]["impostor"])],
            }
            for name, sc in all_scores.items()
        }
        OUT.write_text(json.dumps(data) + "\n")
        console.print(f"wrote {OUT}")


def show(console: Console, results: dict[str, Any], ms: dict[str, float], raw: Any) -> None:
    t = Table("embedder", "ms/face", "reporting impostor median / p99 / max (n)",
              "photos-only impostor median / max")  # fmt: skip
    for name, r in results.items():
        ir = r["impostor_reporting"]
        po = raw.get(name, {}).get("reporting", {}).get("impostor_photos")
        t.add_row(
            name, f"{ms[name]:.1f}",
            f"{ir['median']:.3f} / {ir['p99']:.3f} / {ir['max']:.3f} ({ir['n']})",
            "-" if po is None else f"{np.median(po):.3f} / {po.max():.3f} ({len(po)})",
        )  # fmt: skip
    console.print(t)
    t = Table("embedder", "FMR target (tuning)", "threshold", "FMR reporting (pairs)",
              "genuine real photos", "genuine augmented", "tuning: genuine augmented")  # fmt: skip
    for name, r in results.items():
        for fmr, a in r["at"].items():
            t.add_row(
                name, f"{fmr:.1%}", f"{a['threshold']:.4f}",
                f"{a['fmr_reporting']:.3%} ({a['false_pairs']})",
                f"{a['gar_real']:.3f}", f"{a['gar_aug']:.3f}", f"{a['gar_aug_tuning']:.3f}",
            )  # fmt: skip
    console.print(t)


if __name__ == "__main__":
    main()
