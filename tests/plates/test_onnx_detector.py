"""The ONNX plate-detector slot, with a tiny YOLO-style model made here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from tests.plates.test_enricher import BUS_BOX, _scene

from kuzet.config.plates import OnnxFinderConfig, PlatesConfig
from kuzet.plates.onnx_detector import OnnxPlateDetector
from kuzet.plates.plugin import build_reader


def _model(path: Path, rows: np.ndarray, size: int = 64) -> Path:
    """Input 1x3xSxS; output [1, 5, N] (YOLOv8 layout): ``rows`` plus 0 x mean(input)."""
    const = helper.make_tensor("rows", TensorProto.FLOAT, (1, *rows.shape), rows.ravel())
    zero = helper.make_tensor("zero", TensorProto.FLOAT, (), [0.0])
    g = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["images"], ["m"], keepdims=0),
            helper.make_node("Mul", ["m", "zero"], ["z"]),
            helper.make_node("Add", ["rows", "z"], ["output0"]),
        ],
        "plates",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, None)],
        [const, zero],
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, str(path))
    return path


def test_boxes_come_back_in_region_pixels_after_nms(tmp_path: Path) -> None:
    # columns: cx, cy, w, h, score (input pixels of a 64 px model)
    rows = np.array([[32, 48, 32, 8, 0.9], [33, 48, 30, 8, 0.8], [10, 10, 8, 4, 0.1]],
                    np.float32).T  # fmt: skip
    det = OnnxPlateDetector(_model(tmp_path / "p.onnx", rows), threshold=0.4)
    boxes = det.detect(np.zeros((200, 320, 3), np.uint8))
    assert len(boxes) == 1  # the overlapping second box is suppressed, the weak one dropped
    q, s = boxes[0].quad, boxes[0].score
    assert s == pytest.approx(0.9)
    np.testing.assert_allclose(q[0], [16 * 5, 44 * 200 / 64], rtol=1e-5)  # tl, x scale 5
    np.testing.assert_allclose(q[2], [48 * 5, 52 * 200 / 64], rtol=1e-5)  # br


def test_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"plates\.detector\.path"):
        OnnxPlateDetector(tmp_path / "none.onnx")


def test_reader_reads_the_plate_the_onnx_detector_points_at(tmp_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    """SYNTHETIC plate on bus.jpg; the tiny model 'detects' where it was pasted."""
    from kuzet.plates.finder import vehicle_region
    from kuzet.plates.synth import plate_quad

    scene = _scene("777KZA02")
    box = np.array(BUS_BOX)
    cfg = PlatesConfig(enabled=True)
    ox, oy, region = vehicle_region(scene, box, build_reader(cfg, reader.ocr).settings)
    q = plate_quad(BUS_BOX, width_frac=0.22, aspect=4.6, centre=(0.68, 0.86), tilt_deg=3)
    x1, y1 = q.min(0) - [ox, oy]
    x2, y2 = q.max(0) - [ox, oy]
    h, w = region.shape[:2]
    row = np.array([[(x1 + x2) / 2 * 64 / w, (y1 + y2) / 2 * 64 / h,
                     (x2 - x1) * 64 / w, (y2 - y1) * 64 / h, 0.95]], np.float32).T  # fmt: skip
    onnx_cfg = PlatesConfig(
        enabled=True, finder=OnnxFinderConfig(path=_model(tmp_path / "d.onnx", row))
    )
    r = build_reader(onnx_cfg, reader.ocr).read(scene, box)
    assert r.text == "777KZA02"
