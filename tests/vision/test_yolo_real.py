"""Real YOLO graphs (v5, v8, v11 architectures, random weights; tests/vision/yolo/): Kuzet
loads each, tells the layouts apart, and decodes the raw output as the frameworks' own
post-processing does (their NMS results were recorded by make_yolo_models.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from kuzet.assets import ensure
from kuzet.config.models import YoloConfig
from kuzet.core import COCO_CLASSES
from kuzet.vision.detector import create_detector, fit, nms_per_class, to_nchw
from kuzet.vision.yolo import YoloDetector, decode

HERE = Path(__file__).parent / "yolo"
MODELS = {"v8": "yolov8n-w00625.onnx", "v11": "yolo11n-w00625.onnx", "v5": "yolov5n-w00625.onnx"}
LAYOUT = {"v8": "v8", "v11": "v8", "v5": "v5"}
IOU = 0.45


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    with np.load(HERE / "reference.npz") as z:
        return {k: z[k] for k in z.files}


def _raw(tag: str, x: np.ndarray) -> np.ndarray:
    sess = ort.InferenceSession(str(HERE / MODELS[tag]), providers=["CPUExecutionProvider"])
    (out,) = sess.run(None, {sess.get_inputs()[0].name: x})
    return np.asarray(out)


def _by_score(xyxy: np.ndarray, score: np.ndarray, cls: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.lexsort((cls, -score))
    return xyxy[order], score[order], cls[order]


def test_test_models_are_the_committed_ones() -> None:
    for line in (HERE / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((HERE / name).read_bytes()).hexdigest() == digest, name
        assert (HERE / name).stat().st_size < 5_000_000


@pytest.mark.parametrize("tag", sorted(MODELS))
def test_real_graph_loads_and_its_layout_is_told_apart(tag: str) -> None:
    det = create_detector(YoloConfig(model=HERE / MODELS[tag]))
    assert isinstance(det, YoloDetector)
    assert det.layout == LAYOUT[tag]
    assert det.size == (320, 320) and det.max_batch == 1  # exported with a fixed shape
    assert det.labels == COCO_CLASSES
    labelled = YoloDetector(HERE / MODELS[tag], labels=COCO_CLASSES)
    assert labelled.layout == LAYOUT[tag]


@pytest.mark.parametrize("tag", sorted(MODELS))
def test_kuzet_letterbox_and_raw_output_match_the_framework(
    tag: str, ref: dict[str, np.ndarray], bus: np.ndarray
) -> None:
    lb, _ = fit(bus, (320, 320), letterbox=True)
    # same scale and padding as the framework's LetterBox; pixels may differ by resize rounding
    assert np.abs(lb.astype(int) - ref["input_bgr"].astype(int)).max() <= 1
    out = _raw(tag, to_nchw([ref["input_bgr"]]))
    assert list(out.shape) == ref[f"{tag}/raw_shape"].tolist()
    rows = out[0] if LAYOUT[tag] == "v5" else out[0].T
    want = ref[f"{tag}/raw_values"]
    got = rows[ref[f"{tag}/raw_rows"]]
    # ONNX Runtime vs PyTorch, float32 both: boxes in pixels, scores in 0..1
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3 * float(np.abs(want).max()))


@pytest.mark.parametrize("tag", sorted(MODELS))
def test_decode_and_nms_match_the_frameworks_postprocessing(
    tag: str, ref: dict[str, np.ndarray]
) -> None:
    conf = float(ref[f"{tag}/conf"])
    out = _raw(tag, to_nchw([ref["input_bgr"]]))
    xyxy, score, cls = decode(out[0], LAYOUT[tag], conf)  # type: ignore[arg-type]
    keep = nms_per_class(xyxy, score, cls, IOU)
    got = _by_score(xyxy[keep], score[keep], cls[keep])
    want = _by_score(ref[f"{tag}/net_xyxy"], ref[f"{tag}/score"], ref[f"{tag}/class"])
    assert len(want[0]) >= 5, "the reference must keep boxes to compare"
    assert len(got[0]) == len(want[0])
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4)
    np.testing.assert_allclose(got[0], want[0], atol=0.05)  # network pixels


@pytest.mark.parametrize("tag", sorted(MODELS))
def test_detect_on_a_real_photo_matches_the_framework(tag: str, ref: dict[str, np.ndarray]) -> None:
    """Whole path: letterbox, inference, decode, NMS, boxes back in the photo's pixels."""
    bus = cv2.imread(str(ensure("bus.jpg")))
    assert list(bus.shape[:2]) == ref["photo_hw"].tolist()
    conf = float(ref[f"{tag}/conf"])
    det = YoloDetector(HERE / MODELS[tag], score_threshold=conf, iou_threshold=IOU)
    d = det.detect([bus])[0]
    got = _by_score(d.xyxy, d.confidence, d.class_id)
    want = _by_score(ref[f"{tag}/photo_xyxy"], ref[f"{tag}/score"], ref[f"{tag}/class"])
    assert len(got[0]) == len(want[0])
    np.testing.assert_array_equal(got[2], want[2])
    # the letterbox may differ by one grey level (resize rounding): boxes within half a pixel
    np.testing.assert_allclose(got[0], want[0], atol=0.5)
