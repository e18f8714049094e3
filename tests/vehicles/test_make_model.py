"""The make/model ONNX slot, with tiny classifiers built here (onnx.helper; no make/model
weights exist offline): the mean of each input channel, times a 3x3 matrix, is the score
of three labels. So a red crop must score the first label, if the slot resizes, orders
channels, normalises and lays out the tensor as configured. Pictures are synthetic
(logic of the slot, not vision)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.config.vehicles import MakeModelConfig, VehiclesConfig
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.pipeline.enrichers import Enrichment
from kuzet.vehicles.enricher import VehicleAttributes
from kuzet.vehicles.makemodel import MakeModelClassifier, MakeModelError

LABELS = "Lada|Granta\nToyota|Camry\nHyundai\n"  # R, G, B channel wins; Hyundai: make only
RED, BLUE = (20, 20, 230), (230, 20, 20)  # BGR


def tiny(path: Path, layout: str = "nchw", size: int = 32, scale: float = 8.0) -> Path:
    w = numpy_helper.from_array((np.eye(3) * scale).astype(np.float32), "w")
    if layout == "nchw":
        shape, axes = [1, 3, size, size], [2, 3]
    else:
        shape, axes = [1, size, size, 3], [1, 2]
    ax = numpy_helper.from_array(np.array(axes, np.int64), "axes")
    nodes = [
        helper.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=0),
        helper.make_node("MatMul", ["m", "w"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "mm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [w, ax],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(path))
    return path


def cfg(tmp_path: Path, **kw: object) -> MakeModelConfig:
    labels = tmp_path / "labels.txt"
    if not labels.exists():
        labels.write_text(LABELS)
    base: dict[str, object] = {
        "model": tiny(tmp_path / "m.onnx"), "labels": labels, "input_width": 32,
        "input_height": 32, "mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5),
    }  # fmt: skip
    return MakeModelConfig(**(base | kw))  # type: ignore[arg-type]


def crop(bgr: tuple[int, int, int], w: int = 120, h: int = 80) -> np.ndarray:
    return np.full((h, w, 3), bgr, np.uint8)


def test_scores_follow_channels_and_normalisation(tmp_path: Path) -> None:
    mm = MakeModelClassifier(cfg(tmp_path))
    assert mm.labels == ["Lada|Granta", "Toyota|Camry", "Hyundai"]
    red = mm.scores(crop(RED))
    assert red.argmax() == 0 and abs(red.sum() - 1) < 1e-9 and red[0] > 0.99
    assert (mm.decide(red).make, mm.decide(red).model) == ("Lada", "Granta")
    blue = mm.decide(mm.scores(crop(BLUE)))
    assert (blue.make, blue.model) == ("Hyundai", None)  # a label with no model part
    # the same model told the input is BGR reads the red crop as blue
    bgr = MakeModelClassifier(cfg(tmp_path, channels="bgr"))
    assert bgr.scores(crop(RED)).argmax() == 2
    nhwc = MakeModelClassifier(cfg(tmp_path, model=tiny(tmp_path / "h.onnx", "nhwc"),
                                   layout="nhwc"))  # fmt: skip
    assert nhwc.scores(crop(RED)).argmax() == 0


def test_a_low_score_gives_no_make_or_model(tmp_path: Path) -> None:
    mm = MakeModelClassifier(cfg(tmp_path, min_confidence=0.9))
    grey = mm.decide(mm.scores(crop((128, 128, 128))))  # every channel alike: 1/3 each
    assert (grey.make, grey.model) == (None, None) and grey.confidence == pytest.approx(0.333)
    probs = MakeModelClassifier(cfg(tmp_path, output="probabilities", min_confidence=0.0))
    s = probs.scores(crop(RED))  # used as given, no softmax: channel means times 8
    assert s[0] == pytest.approx(8 * (230 / 255 - 0.5) / 0.5, rel=1e-3)


def test_slot_files_that_do_not_fit_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "two.txt").write_text("Lada|Granta\nToyota|Camry\n")
    with pytest.raises(MakeModelError, match=r"gives 3 scores but .*two.txt has 2 labels"):
        MakeModelClassifier(cfg(tmp_path, labels=tmp_path / "two.txt"))
    (tmp_path / "gap.txt").write_text("Lada|Granta\n\nHyundai\n")
    with pytest.raises(MakeModelError, match=r"gap.txt line 2 is empty"):
        MakeModelClassifier(cfg(tmp_path, labels=tmp_path / "gap.txt"))
    with pytest.raises(MakeModelError, match=r"make_model.model: no such file .*none.onnx"):
        MakeModelClassifier(cfg(tmp_path, model=tmp_path / "none.onnx"))
    (tmp_path / "bad.onnx").write_bytes(b"not onnx")
    with pytest.raises(MakeModelError, match=r"bad.onnx is not a usable ONNX model"):
        MakeModelClassifier(cfg(tmp_path, model=tmp_path / "bad.onnx"))
    with pytest.raises(MakeModelError, match=r"labels: cannot read .*missing.txt"):
        MakeModelClassifier(cfg(tmp_path, labels=tmp_path / "missing.txt"))


def test_the_plugin_puts_the_voted_make_model_on_the_event(tmp_path: Path) -> None:
    site = SiteConfig(
        data_dir=tmp_path,
        vehicles=VehiclesConfig(
            enabled=True, looks=3, every_n=1, make_model=cfg(tmp_path, min_confidence=0.6)
        ),
        cameras=[CameraConfig(id="c1", main_url="x.mp4")],
    )
    enrichment = Enrichment(site, engine=None)  # type: ignore[arg-type]
    (enr,) = [e for e in enrichment.for_camera(site.cameras[0], None)
              if isinstance(e, VehicleAttributes)]  # fmt: skip
    img = np.full((240, 320, 3), 90, np.uint8)
    img[60:140, 100:220] = RED
    img[150:200, 10:90] = BLUE
    car, bus = COCO_CLASSES.index("car"), COCO_CLASSES.index("bus")
    events = []
    for i in range(4):
        # track 1: a red car, once seen as a bus by the detector; track 2: a blue car
        tracks = Detections(
            np.array([[100, 60, 220, 140], [10, 150, 90, 200]], np.float32),
            np.array([0.9, 0.8]),
            np.array([bus if i == 1 else car, car]),
            tracker_id=np.array([1, 2]),
        )
        events += enr.enrich(Frame("c1", i, i / 5, 1.8e9 + i / 5, img), tracks)
    events += enr.finish()
    by_track = {e.track_id: e.attributes for e in events}
    assert len(events) == 2 and set(by_track) == {1, 2}
    assert by_track[1]["vehicle_make"] == "Lada" and by_track[1]["vehicle_model"] == "Granta"
    assert by_track[1]["vehicle_type"] == "car"  # 3 frames of 4 said car
    assert by_track[1]["vehicle_colour"] == "red" and by_track[1]["make_model_confidence"] > 0.99
    assert (by_track[2]["vehicle_make"], by_track[2]["vehicle_model"]) == ("Hyundai", None)
    assert by_track[2]["vehicle_colour"] == "blue"
    assert all(e.type == "vehicle_attributes" and e.attributes["looks"] == 3 for e in events)
    assert datetime.fromtimestamp(1.8e9, UTC) <= events[0].ts
