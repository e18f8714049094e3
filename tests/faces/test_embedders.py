"""The embedder registry: every kind by config, and the ArcFace-format ONNX slot."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from pydantic import ValidationError

from kuzet.assets import ensure
from kuzet.config.faces import FacesConfig
from kuzet.faces.align import DetectedFace, align
from kuzet.faces.detector import FaceFinder
from kuzet.faces.embedders import Embedder, create_embedder
from kuzet.faces.landmarks import DlibLandmarker


def _cfg(embedder: dict[str, object]) -> FacesConfig:
    return FacesConfig.model_validate({"embedder": embedder})


@cache
def _zidane() -> tuple[np.ndarray, list[DetectedFace]]:
    bgr = cv2.imread(str(ensure("zidane.jpg", quiet=True)))
    faces = sorted(FaceFinder().find_faces(bgr), key=lambda f: f.box[2] - f.box[0])[-2:]
    return bgr, sorted(faces, key=lambda f: f.box[0])


@pytest.mark.parametrize(
    ("kind", "dim"),
    [("dlib", 128), ("faceres", 1024), ("faceres_deep", 1024), ("mobilefacenet", 192),
     ("mobileface", 256)],
)  # fmt: skip
def test_each_embedder_gives_unit_templates_of_its_dim(kind: str, dim: int) -> None:
    e = create_embedder(_cfg({"type": kind}).embedder)
    assert isinstance(e, Embedder)
    assert (e.name, e.dim, e.threshold) == (kind, dim, None)
    bgr, (a, b) = _zidane()
    ta, tb = e.embed(bgr, a), e.embed(bgr, b)
    assert ta.dtype == np.float32 and ta.shape == (dim,)
    assert abs(float(np.linalg.norm(ta)) - 1) < 1e-5
    assert float(ta @ tb) < 0.9999  # two people: not the same vector


def test_default_is_dlib() -> None:
    assert FacesConfig().embedder.type == "dlib"
    assert create_embedder(None).name == "dlib"


def _tiny_arcface(path: Path, size: int = 112, dim: int = 512) -> np.ndarray:
    """An ArcFace-format model: NCHW float input [N,3,size,size] -> 8x8 average pool ->
    flatten -> [N, dim] by a fixed random matrix. Returns the matrix."""
    cells = 3 * (size // 8) ** 2
    w = np.random.default_rng(7).standard_normal((cells, dim)).astype(np.float32)
    nodes = [
        helper.make_node("AveragePool", ["input.1"], ["p"], kernel_shape=[8, 8], strides=[8, 8]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("MatMul", ["f", "W"], ["683"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_arcface",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["N", 3, size, size])],
        [helper.make_tensor_value_info("683", TensorProto.FLOAT, ["N", dim])],
        initializer=[numpy_helper.from_array(w, "W")],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return w


def test_onnx_arcface_slot_loads_by_config_with_its_threshold(tmp_path: Path) -> None:
    """InsightFace preprocessing, checked against numpy: the 112 px face aligned on its five
    points, RGB, (x - 127.5) / 127.5, NCHW; the output L2-normalised."""
    path = tmp_path / "w600k_tiny.onnx"
    w = _tiny_arcface(path)
    cfg = _cfg({"type": "onnx_arcface", "path": str(path), "name": "city-arcface-v1",
                "threshold": 0.31}).embedder  # fmt: skip
    e = create_embedder(cfg)
    assert (e.name, e.dim, e.threshold) == ("city-arcface-v1", 512, 0.31)
    bgr, faces = _zidane()
    for face in faces:
        crop = align(bgr, DlibLandmarker().refine(bgr, face))  # 112 px, BGR
        x = (crop[:, :, ::-1].astype(np.float32) - 127.5) / 127.5
        pooled = x.reshape(14, 8, 14, 8, 3).mean(axis=(1, 3)).transpose(2, 0, 1).reshape(-1)
        ref = pooled @ w
        np.testing.assert_allclose(e.embed(bgr, face), ref / np.linalg.norm(ref), atol=1e-5)


def test_onnx_arcface_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="threshold"):
        _cfg({"type": "onnx_arcface", "path": "x.onnx"})  # its threshold must be measured
    with pytest.raises(ValidationError, match="embedder"):
        _cfg({"type": "facenet"})
    missing = _cfg({"type": "onnx_arcface", "path": str(tmp_path / "no.onnx"), "threshold": 0.3})
    with pytest.raises(FileNotFoundError, match=r"no\.onnx"):
        create_embedder(missing.embedder)
    wrong = tmp_path / "wrong.onnx"
    _tiny_arcface(wrong, size=96)
    cfg = _cfg({"type": "onnx_arcface", "path": str(wrong), "threshold": 0.3}).embedder
    with pytest.raises(ValueError, match=r"wrong.onnx: input 'input.1' is .*112x112"):
        create_embedder(cfg)
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    cfg = _cfg({"type": "onnx_arcface", "path": str(junk), "threshold": 0.3}).embedder
    with pytest.raises(ValueError, match=r"junk\.onnx: not a loadable ONNX model"):
        create_embedder(cfg)
