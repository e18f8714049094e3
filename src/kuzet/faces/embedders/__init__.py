"""Face embedders chosen by config: ``create_embedder(cfg) -> Embedder``.

Every embedder turns one detected face (box + landmarks, :class:`DetectedFace`) into an
L2-normalised float32 template; ``name`` is stored with each template so a gallery built
with one embedder refuses templates of another (they live in different spaces).
The input of each converted network (crop, scaling, colour order) was found by
measurement on real faces (docs/faces.md, ``bench/embedder_inputs.py``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from kuzet.config.faces import (
    DlibEmbedderConfig,
    EmbedderConfig,
    FaceResEmbedderConfig,
    MobileFaceEmbedderConfig,
    MobileFaceNetEmbedderConfig,
    OnnxArcFaceEmbedderConfig,
)
from kuzet.core.registry import Registry
from kuzet.faces.align import DetectedFace
from kuzet.faces.embedders.onnx import InputSpec, OnnxEmbedder
from kuzet.faces.landmarks import DlibLandmarker

__all__ = [
    "EMBEDDERS",
    "SPECS",
    "DetectedFace",
    "Embedder",
    "EmbedderConfig",
    "create_embedder",
]


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int
    threshold: float | None  # measured cosine threshold; None: the site's default

    def embed(self, bgr: np.ndarray, face: DetectedFace) -> np.ndarray:
        """L2-normalised float32 template ``[dim]`` of ``face`` in ``bgr``."""
        ...


# Inputs found by measurement on real faces (bench/embedder_inputs.py, docs/faces.md):
# d' of genuine vs impostor cosines on 14 faces + 42 augmented copies, aligned on dlib's
# 5 points. FaceRes(-deep): 0..255 (0..1 maps every face to cosine >= 0.99), the face at
# ArcFace's framing or a little looser; BGR measured slightly better than RGB (d' 8.0 vs
# 6.7 FaceRes, 5.9 vs 5.7 deep), within the noise of 14 faces. MobileFace: 0..255 (its
# graph subtracts 127.5 and scales by 1/128 itself), RGB (d' 5.9; BGR 5.8, grey 5.8).
# MobileFaceNet: no input works (every scaling, colour order: impostor median >= 0.977,
# two noise images 0.999); kept so that the measurement can be repeated.
SPECS: dict[str, tuple[str, InputSpec]] = {
    # catalog model, input
    "faceres": ("faceres", InputSpec(224, 1.0, 0.0, 1.0, "bgr", "nhwc", "global_pooling/Mean")),
    "faceres_deep": (
        "faceres-deep",
        InputSpec(224, 0.75, 0.0, 1.0, "bgr", "nhwc", "global_pooling/Mean"),
    ),
    "mobilefacenet": ("mobilefacenet", InputSpec(112, 1.0, 127.5, 128.0, "rgb", "nhwc", None)),
    "mobileface": ("mobileface", InputSpec(112, 1.0, 0.0, 1.0, "rgb", "nhwc", None)),
}

EMBEDDERS: Registry[Embedder] = Registry("face embedder")


@EMBEDDERS.register("dlib")
def _dlib(cfg: DlibEmbedderConfig) -> Embedder:
    from kuzet.faces.embedders.dlib import DlibEmbedder

    return DlibEmbedder(cfg.threshold)


def _catalog(name: str, threshold: float | None, spec: InputSpec | None = None) -> Embedder:
    from kuzet.vision.models import pull

    model, default = SPECS[name]
    return OnnxEmbedder(name, pull(model, quiet=True), spec or default, threshold, _landmarker())


@cache
def _landmarker() -> DlibLandmarker:
    return DlibLandmarker()


@EMBEDDERS.register("faceres")
@EMBEDDERS.register("faceres_deep")
def _faceres(cfg: FaceResEmbedderConfig) -> Embedder:
    spec = SPECS[cfg.type][1]
    if cfg.crop_scale is not None:
        spec = replace(spec, crop_scale=cfg.crop_scale)
    return _catalog(cfg.type, cfg.threshold, spec)


@EMBEDDERS.register("mobilefacenet")
def _mobilefacenet(cfg: MobileFaceNetEmbedderConfig) -> Embedder:
    return _catalog("mobilefacenet", cfg.threshold)


@EMBEDDERS.register("mobileface")
def _mobileface(cfg: MobileFaceEmbedderConfig) -> Embedder:
    return _catalog("mobileface", cfg.threshold)


@EMBEDDERS.register("onnx_arcface")
def _onnx_arcface(cfg: OnnxArcFaceEmbedderConfig) -> Embedder:
    path = Path(cfg.path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"faces.embedder.path: no ONNX file at {path}")
    spec = InputSpec(cfg.input_size, 1.0, cfg.mean, cfg.std, "rgb" if cfg.rgb else "bgr", "nchw")
    return OnnxEmbedder(cfg.name, path, spec, cfg.threshold, _landmarker())


def create_embedder(cfg: EmbedderConfig | None = None) -> Embedder:
    """The embedder ``cfg`` names (dlib when None)."""
    cfg = cfg or DlibEmbedderConfig()
    return EMBEDDERS.create(cfg.type, cfg)
