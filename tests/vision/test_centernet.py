"""CenterNet of human-models: conversion up to its heads, peak decoding, real photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from kuzet.assets import ensure
from kuzet.config.models import CenterNetConfig
from kuzet.core import Detections, class_id_of
from kuzet.vision import create_detector
from kuzet.vision.centernet import CenterNetDetector, decode
from kuzet.vision.models import pull
from kuzet.vision.tfjs import TfjsFormatError, convert

PERSON, BUS = class_id_of("person"), class_id_of("bus")


@pytest.fixture(scope="module")
def centernet() -> CenterNetDetector:
    return CenterNetDetector(pull("centernet", 512, quiet=True), 512, threads=2)


def _count(d: Detections, cls: int) -> int:
    return int((d.class_id == cls).sum())


def test_converted_heads_at_any_size() -> None:
    model = convert(ensure("centernet.json"), 320, outputs=["tower_0/keypoints", "tower_0/wh"])
    sess = ort.InferenceSession(model.SerializeToString())
    heat, wh = sess.run(None, {"tower_0/images": np.zeros((2, 320, 320, 3), np.float32)})
    assert heat.shape == (2, 80, 80, 80) and wh.shape == (2, 80, 80, 4)
    assert heat.min() >= 0 and heat.max() <= 1  # sigmoid-ed class heatmap


def test_unknown_output_is_refused() -> None:
    with pytest.raises(TfjsFormatError, match="no output tower_0/nothing"):
        convert(ensure("centernet.json"), outputs=["tower_0/nothing"])


def test_decode_keeps_local_maxima_only() -> None:
    heat = np.zeros((8, 8, 80), np.float32)
    heat[3, 4, PERSON] = 0.9  # a peak ...
    heat[3, 5, PERSON] = 0.8  # ... and its neighbour: not a peak
    heat[6, 1, BUS] = 0.5
    wh = np.zeros((8, 8, 4), np.float32)
    wh[3, 4] = [4, 8, 12, 16]  # left, top, right, bottom from the cell corner (16, 12)
    xyxy, score, cls = decode(heat, wh, 0.3)
    assert cls.tolist() == [PERSON, BUS] and score.tolist() == pytest.approx([0.9, 0.5])
    assert xyxy[0].tolist() == [12, 4, 28, 28]


def test_bus_jpg_persons_and_the_bus(centernet: CenterNetDetector, bus: np.ndarray) -> None:
    (d,) = centernet.detect([bus])
    assert _count(d, PERSON) >= 3 and _count(d, BUS) == 1
    big = d[d.class_id == BUS].xyxy[0]
    assert big[2] - big[0] > 0.8 * bus.shape[1]


def test_vtest_frame_pedestrians(centernet: CenterNetDetector, vtest_frame: np.ndarray) -> None:
    (d,) = centernet.detect([vtest_frame])
    assert _count(d, PERSON) >= 5


def test_from_config_and_batch_equals_single(bus: np.ndarray, vtest_frame: np.ndarray) -> None:
    det = create_detector(CenterNetConfig(input_size=416, threads=1))
    batched = det.detect([bus, vtest_frame])
    for frame, b in zip([bus, vtest_frame], batched, strict=True):
        (s,) = det.detect([frame])
        np.testing.assert_allclose(b.xyxy, s.xyxy, atol=1e-2)
        np.testing.assert_array_equal(b.class_id, s.class_id)


def test_converted_centernet_matches_tfjs_runtime() -> None:
    """tests/vision/golden/centernet_bus512.npz: TF.js 4.22 wasm on bus.jpg (README there).

    The heads agree element-wise, and Kuzet's numpy decoding gives the boxes TF.js's own
    in-graph decoding (top-k of the max-pooled heatmap) gives."""
    g = np.load(Path(__file__).parent / "golden" / "centernet_bus512.npz")
    sess = ort.InferenceSession(str(pull("centernet", 512, quiet=True)))
    heat, wh = sess.run(
        ["tower_0/keypoints", "tower_0/wh"], {"tower_0/images": g["input_u8"].astype(np.float32)}
    )
    kp = heat.reshape(-1, 80)
    assert np.abs(kp[g["keypoints/cells"]] - g["keypoints/values"]).max() < 1e-4
    assert kp.max() == pytest.approx(float(g["keypoints/max"]), abs=1e-4)
    assert kp.sum(dtype=np.float64) == pytest.approx(float(g["keypoints/sum"]), rel=1e-4)
    w = wh.reshape(-1, 4)[g["wh/cells"]]
    assert np.abs(w - g["wh/values"]).max() < 1e-3 * np.abs(g["wh/values"]).max()
    xyxy, score, cls = decode(heat[0], wh[0], 0.3)
    ref = g["detections"][0]
    ref = ref[ref[:, 4] > 0.3]
    assert len(ref) >= 4  # persons and the bus
    np.testing.assert_allclose(score, ref[:, 4], atol=1e-4)
    np.testing.assert_array_equal(cls, ref[:, 5].astype(np.int32))
    np.testing.assert_allclose(xyxy, np.clip(ref[:, :4], 0, 512), atol=0.05)
