"""Face embedders chosen by config: ``create_embedder(cfg) -> Embedder``.

Every embedder turns one detected face (box + landmarks, :class:`DetectedFace`) into an
L2-normalised float32 template; ``name`` is stored with each template so a gallery built
with one embedder refuses templates of another (they live in different spaces).
The input of each converted network (crop, scaling, colour order) was found by
measurement on real faces (docs/faces.md, ``bench/embedder_inputs.py``).
"""

from __future__ import annotations

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


# Inputs found by measurement on real faces (bench/embedder_inputs.py, docs/faces.md).
SPECS: dict[str, tuple[str, InputSpec]] = {
    # catalog model, input
    "faceres": ("faceres", InputSpec(224, 0.6, 0.0, 1.0, "rgb", "nhwc", "global_pooling/Mean")),
    "faceres_deep": (
        "faceres-deep",
        InputSpec(224, 0.6, 0.0, 1.0, "rgb", "nhwc", "global_pooling/Mean"),
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
    _, spec = SPECS[cfg.type]
    spec = InputSpec(**{**spec.__dict__, "crop_scale": cfg.crop_scale})
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
