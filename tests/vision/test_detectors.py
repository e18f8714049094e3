"""Detectors on real photos and footage, the YOLO decoders on synthetic ONNX, the registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from kuzet.config.models import NanoDetConfig, YoloConfig
from kuzet.core import COCO_CLASSES, Detections, class_id_of
from kuzet.vision import DETECTORS, Detector, create_detector
from kuzet.vision.nanodet import NanoDetDetector
from kuzet.vision.runtime import pick_providers
from kuzet.vision.yolo import YoloDetector, detect_layout

PERSON, BUS = class_id_of("person"), class_id_of("bus")


def _count(d: Detections, cls: int) -> int:
    return int((d.class_id == cls).sum())


def test_bus_jpg_four_persons_and_the_bus(nanodet: NanoDetDetector, bus: np.ndarray) -> None:
    (d,) = nanodet.detect([bus])
    assert _count(d, PERSON) == 4
    assert _count(d, BUS) == 1
    big = d[d.class_id == BUS].xyxy[0]
    assert big[2] - big[0] > 0.8 * bus.shape[1]  # the bus spans the width of the photo


def test_zidane_two_persons(nanodet: NanoDetDetector, zidane: np.ndarray) -> None:
    (d,) = nanodet.detect([zidane])
    assert _count(d, PERSON) == 2
    assert (d.xyxy[:, 2] <= zidane.shape[1]).all() and (d.xyxy[:, 3] <= zidane.shape[0]).all()


def test_vtest_frame_pedestrians(nanodet: NanoDetDetector, vtest_frame: np.ndarray) -> None:
    (d,) = nanodet.detect([vtest_frame])
    assert _count(d, PERSON) >= 5


def test_batch_equals_single(
    nanodet: NanoDetDetector, bus: np.ndarray, zidane: np.ndarray, vtest_frame: np.ndarray
) -> None:
    frames = [bus, zidane, vtest_frame, bus, zidane]  # 5 frames: one batch of 4 + 1
    batched = nanodet.detect(frames)
    single = [nanodet.detect([f])[0] for f in frames]
    assert len(batched) == 5
    for a, b in zip(batched, single, strict=True):
        np.testing.assert_allclose(a.xyxy, b.xyxy, atol=1e-2)
        np.testing.assert_array_equal(a.class_id, b.class_id)


def test_create_detector_nanodet_from_config(nanodet_onnx: Path, bus: np.ndarray) -> None:
    det = create_detector(NanoDetConfig(model=str(nanodet_onnx), threads=1))
    assert isinstance(det, Detector) and det.labels == COCO_CLASSES
    assert _count(det.detect([bus])[0], PERSON) == 4
    assert {"nanodet", "yolo"} <= set(DETECTORS.types())


def test_auto_providers_end_with_cpu() -> None:
    assert pick_providers("auto")[-1] == "CPUExecutionProvider"
    with pytest.raises(ValueError, match="not available"):
        pick_providers(["NoSuchExecutionProvider"])


# ---------------------------------------------------------------- YOLO, synthetic models
def _yolo_onnx(path: Path, out: np.ndarray, size: int = 64) -> Path:
    """An ONNX with a YOLO-shaped input whose output is ``out`` (batch-tiled) whatever the input."""
    const = numpy_helper.from_array(out.astype(np.float32), "pred")
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, size, size])
    y = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", *out.shape[1:]])
    nodes = [
        helper.make_node("Shape", ["images"], ["shp"], start=0, end=1),
        helper.make_node("Concat", ["shp", "ones"], ["reps"], axis=0),
        helper.make_node("Tile", ["pred", "reps"], ["output0"]),
    ]
    ones = numpy_helper.from_array(np.ones(out.ndim - 1, np.int64), "ones")
    g = helper.make_graph(nodes, "yolo", [x], [y], initializer=[const, ones])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 9
    onnx.save(m, path)
    return path


def _rows(n_cls: int) -> np.ndarray:
    """Two overlapping boxes of class 2 (NMS keeps one), one of class 0, one below threshold."""
    r = np.zeros((4, 4 + n_cls), np.float32)
    r[0, :4], r[0, 4 + 2] = [32, 32, 20, 20], 0.9
    r[1, :4], r[1, 4 + 2] = [33, 32, 20, 20], 0.8
    r[2, :4], r[2, 4 + 0] = [10, 10, 8, 12], 0.7
    r[3, :4], r[3, 4 + 1] = [50, 50, 8, 8], 0.1
    return r


def _check(d: Detections) -> None:
    order = np.argsort(d.class_id)
    np.testing.assert_array_equal(d.class_id[order], [0, 2])
    # 128x128 frame, 64 input: scale 2. Box of class 0: (10,10,8,12) -> (6,4,14,16) * 2
    np.testing.assert_allclose(d.xyxy[order][0], [12, 8, 28, 32], atol=1e-4)
    np.testing.assert_allclose(d.xyxy[order][1], [44, 44, 84, 84], atol=1e-4)
    np.testing.assert_allclose(sorted(d.confidence), [0.7, 0.9], atol=1e-6)


def test_yolo_v8_layout(tmp_path: Path) -> None:
    out = _rows(80).T[None]  # [1, 84, N]
    det = YoloDetector(_yolo_onnx(tmp_path / "v8.onnx", out))
    assert det.layout == "v8" and det.size == (64, 64) and det.labels == COCO_CLASSES
    frames = [np.zeros((128, 128, 3), np.uint8)] * 3
    results = det.detect(frames)
    assert len(results) == 3
    _check(results[2])


def test_yolo_v5_layout_objectness(tmp_path: Path) -> None:
    r = _rows(3)
    v5 = np.concatenate([r[:, :4], np.ones((4, 1), np.float32), r[:, 4:]], axis=1)
    v5[1, 4] = 0.5  # objectness multiplies: box 1 scores 0.4, still NMS-ed away by box 0
    path = _yolo_onnx(tmp_path / "v5.onnx", v5[None])
    det = create_detector(YoloConfig(model=path, labels=["a", "b", "c"], score_threshold=0.25))
    assert isinstance(det, YoloDetector) and det.layout == "v5" and det.labels == ("a", "b", "c")
    _check(det.detect([np.zeros((128, 128, 3), np.uint8)])[0])


def test_layout_detection_by_shape() -> None:
    assert detect_layout([1, 84, 8400], None) == "v8"
    assert detect_layout([1, 25200, 85], None) == "v5"
    assert detect_layout([1, 25200, 85], 80) == "v5"
    with pytest.raises(ValueError, match="fits neither"):
        detect_layout([1, 10, 10], 80)
