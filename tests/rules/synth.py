"""Synthetic pictures for the image rules: textures, objects, flames and smoke.

Everything is drawn from a seeded generator; the flames and smoke are composited, never
real, and the fire/smoke evaluation says so.
"""

from __future__ import annotations

import cv2
import numpy as np


def background(h: int = 240, w: int = 320, seed: int = 0) -> np.ndarray:
    """Smooth grey-green ground with a few edges: something for edges to blur."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, (h // 8, w // 8, 3)).astype(np.float32)
    img = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC) * 12 + np.array([110, 120, 105])
    for _ in range(6):
        x, y = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 20))
        cv2.rectangle(
            img,
            (x, y),
            (x + int(rng.integers(20, 60)), y + int(rng.integers(8, 30))),
            tuple(float(v) for v in rng.integers(40, 200, 3)),
            2,
        )
    return np.clip(img, 0, 255).astype(np.uint8)


def textured(img: np.ndarray, box: tuple[int, int, int, int], seed: int = 1) -> np.ndarray:
    """Paint a high-contrast object (a bag, a pile of rubbish) into ``box``."""
    rng = np.random.default_rng(seed)
    x1, y1, x2, y2 = box
    out = img.copy()
    patch = rng.integers(0, 255, ((y2 - y1) // 4 + 1, (x2 - x1) // 4 + 1, 3)).astype(np.uint8)
    out[y1:y2, x1:x2] = cv2.resize(patch, (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST)
    return out


def flame(img: np.ndarray, cx: int, base_y: int, size: int, t: int, seed: int = 0) -> np.ndarray:
    """Composite a flickering flame: a ragged teardrop, white-yellow core to red rim."""
    rng = np.random.default_rng(seed * 1000 + t)
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    height = size * (1.0 + 0.35 * rng.standard_normal())
    rel_y = (base_y - yy) / max(height, 1.0)  # 0 at the base, 1 at the tip
    sway = 0.25 * size * np.sin(rel_y * 5 + rng.uniform(0, 6.28)) * rel_y
    half = 0.35 * size * np.clip(1 - rel_y, 0, 1) ** 0.7 * (rel_y > 0)
    ragged = cv2.resize(rng.random((8, 8)).astype(np.float32), (w, h)) * 0.6 + 0.7
    d = np.abs(xx - cx - sway) / np.maximum(half * ragged, 1e-3)
    alpha = np.clip(1.2 - d, 0, 1) * (rel_y > 0) * (rel_y < 1)
    alpha = cv2.GaussianBlur(alpha, (5, 5), 0)[..., None]
    heat = np.clip(1 - d, 0, 1)[..., None]
    colour = np.array([40, 60, 230]) * (1 - heat) + np.array([120, 235, 255]) * heat
    return (img * (1 - alpha) + colour * alpha).astype(np.uint8)


def smoke(img: np.ndarray, cx: int, cy: int, radius: int, density: float = 0.6) -> np.ndarray:
    """Composite a soft grey plume: it veils and blurs what is behind it."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((xx - cx) / radius) ** 2 + ((yy - cy) / (radius * 1.4)) ** 2
    alpha = (density * np.exp(-r2 * 1.5))[..., None]
    blurred = cv2.GaussianBlur(img, (0, 0), 4).astype(np.float32)
    grey = np.full_like(blurred, 185.0)
    veiled = blurred * (1 - alpha) + grey * alpha
    return (img * (1 - np.minimum(alpha * 2, 1)) + veiled * np.minimum(alpha * 2, 1)).astype(
        np.uint8
    )
