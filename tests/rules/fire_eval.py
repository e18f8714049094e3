"""Small, honest fire/smoke evaluation of the classical method.

Negatives are real: clips of vtest.avi (a street lamp, red and dark clothing, people),
and the two street photos bus.jpg and zidane.jpg turned into clips with camera jitter
and sensor noise, plus a moving crop of the red jacket in vtest.avi. Positives are
*composited*: synthetic flames and smoke (tests/rules/synth.py) drawn onto the same real
footage. No labelled real fire footage can be downloaded here, so recall on real fires
is unknown. Unit: a 12-frame clip at 5 fps; a detection is a confirmed 'start'.
Run: .venv/bin/python tests/rules/fire_eval.py
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
from tests.rules.synth import flame, smoke

from kuzet.assets import ensure
from kuzet.config.rules import SceneRuleSetConfig
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.rules import create_rule

CLIP = 12
RULES = SceneRuleSetConfig.model_validate(
    {"rules": [{"type": "fire", "name": "fire"}, {"type": "smoke", "name": "smoke"}]}
)


def vtest_frames() -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(ensure("vtest.avi", quiet=True)))
    out = []
    while True:
        ok, img = cap.read()
        if not ok:
            return out[::2]  # the 10 fps source at 5 fps
        out.append(img)


def still_clip(img: np.ndarray, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    clip = []
    for _ in range(CLIP):
        m = np.float32([[1, 0, rng.integers(-1, 2)], [0, 1, rng.integers(-1, 2)]])
        shaken = cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)
        clip.append(np.clip(shaken + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8))
    return clip


def negatives(vt: list[np.ndarray]) -> Iterator[tuple[str, list[np.ndarray]]]:
    for start in range(0, len(vt) - CLIP, 20):
        yield f"vtest@{start * 2}", vt[start : start + CLIP]
    for name in ("bus.jpg", "zidane.jpg"):
        img = cv2.imread(str(ensure(name, quiet=True)))
        for seed in range(3):
            yield f"{name}#{seed}", still_clip(img, seed)
    # the red-jacket walker of vtest.avi (frames ~500-540), cropped and enlarged
    crops = [cv2.resize(f[120:360, 250:490], (480, 480)) for f in vt[250 : 250 + CLIP]]
    yield "vtest-red-jacket-crop", crops


def composite(clip: list[np.ndarray], kind: str, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    h, w = clip[0].shape[:2]
    size = int(rng.integers(max(30, h // 12), max(60, h // 5)))
    cx, base = int(rng.integers(size, w - size)), int(rng.integers(size * 2, h - 10))
    out = []
    for t, img in enumerate(clip):
        if kind == "fire":
            out.append(flame(img, cx, base, size, t, seed))
        else:
            out.append(smoke(img, cx, base - size - 2 * t, size // 2 + t))
    return out


def detects(clip: list[np.ndarray]) -> set[str]:
    engine = create_rule("eval", RULES)
    none = Detections.empty()
    none.tracker_id = np.empty(0, np.int64)
    found = set()
    for i, img in enumerate(clip):
        for ev in engine.update(Frame("eval", i, i / 5, i / 5, img), none, COCO_CLASSES):
            found.add(ev.type)
    return found


def evaluate() -> dict[str, dict[str, float]]:
    vt = vtest_frames()
    neg = list(negatives(vt))
    bases = [c for _, c in neg[::2]]
    pos = {k: [composite(b, k, s) for s, b in enumerate(bases)] for k in ("fire", "smoke")}
    neg_hits = [detects(c) for _, c in neg]
    pos_hits = {k: [detects(c) for c in clips] for k, clips in pos.items()}
    fp_names = {k: [n for (n, _), h in zip(neg, neg_hits, strict=True) if k in h] for k in pos}
    result = {}
    for k in ("fire", "smoke"):
        other = "smoke" if k == "fire" else "fire"
        tp = sum(k in h for h in pos_hits[k])
        fp = sum(k in h for h in neg_hits) + sum(k in h for h in pos_hits[other])
        result[k] = {
            "positives": len(pos[k]),
            "negatives": len(neg) + len(pos[other]),
            "tp": tp,
            "fp": fp,
            "precision": tp / max(tp + fp, 1),
            "recall": tp / len(pos[k]),
            "fp_on_real": len(fp_names[k]),
        }
        print(k, result[k], "false alarms on real clips:", fp_names[k])
    return result


if __name__ == "__main__":
    evaluate()
