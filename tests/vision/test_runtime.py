"""Inference runtime: the choice per machine (fake CPU flags), OpenVINO against ONNX Runtime
on real photos, the -inf pad fold, the cached int8 model (synthetic graph: logic only)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from kuzet.config import ConfigError, parse_site
from kuzet.config.models import NanoDetConfig
from kuzet.core import Detections, class_id_of
from kuzet.vision import create_detector
from kuzet.vision import runtime as runtime_mod
from kuzet.vision.nanodet import NanoDetDetector
from kuzet.vision.quantize import fold_pads, int8_model
from kuzet.vision.runtime import (
    RuntimeChoiceError,
    choose,
    cpu_flags,
    make_session,
)

SPR = frozenset({"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_int8"})  # Sapphire Rapids
ZEN5 = frozenset({"avx2", "avx512f", "avx512_bf16"})
SKYLAKE = frozenset({"avx2", "avx512f", "avx512_vnni"})
OLD = frozenset({"sse4_2", "avx2"})


# ---------------------------------------------------------------- the choice
@pytest.mark.parametrize("flags", [SPR, ZEN5])
def test_auto_picks_openvino_bf16_where_the_cpu_has_bf16(flags: frozenset[str]) -> None:
    c = choose("auto", "auto", flags=flags, have_openvino=True)
    assert (c.runtime, c.precision, c.device) == ("openvino", "bf16", "cpu")
    assert "avx512_bf16" in c.why


@pytest.mark.parametrize("flags", [SKYLAKE, OLD, frozenset()])
def test_auto_keeps_onnxruntime_fp32_without_bf16(flags: frozenset[str]) -> None:
    c = choose("auto", "auto", flags=flags, have_openvino=True)
    assert (c.runtime, c.precision) == ("onnxruntime", "fp32")
    assert "no avx512_bf16/amx_bf16" in c.why


def test_auto_without_openvino_installed_stays_on_onnxruntime() -> None:
    c = choose("auto", "auto", flags=SPR, have_openvino=False)
    assert (c.runtime, c.precision) == ("onnxruntime", "fp32")
    assert "openvino is missing" in c.why


def test_explicit_choices() -> None:
    assert choose("openvino", "auto", flags=OLD, have_openvino=True).precision == "fp32"
    assert choose("openvino", "auto", flags=ZEN5, have_openvino=True).precision == "bf16"
    assert choose("openvino", "fp32", flags=SPR, have_openvino=True).precision == "fp32"
    assert choose("auto", "fp32", flags=SPR, have_openvino=True).runtime == "onnxruntime"
    assert choose("onnxruntime", "auto", flags=SPR, have_openvino=True).precision == "fp32"
    i8 = choose("auto", "int8", flags=OLD, have_openvino=True)
    assert (i8.runtime, i8.precision) == ("openvino", "int8")
    assert choose("auto", "int8", flags=OLD, have_openvino=False).runtime == "onnxruntime"


@pytest.mark.parametrize(
    ("runtime", "precision", "flags", "have_ov", "message"),
    [
        ("onnxruntime", "bf16", SPR, True, "runs on runtime 'openvino' only"),
        ("openvino", "bf16", SKYLAKE, True, "needs a CPU with avx512_bf16 or amx_bf16"),
        ("auto", "bf16", OLD, True, "needs a CPU with avx512_bf16 or amx_bf16"),
        ("openvino", "auto", SPR, False, "openvino package is not installed"),
    ],
)
def test_impossible_choices_say_why(
    runtime: str, precision: str, flags: frozenset[str], have_ov: bool, message: str
) -> None:
    with pytest.raises(RuntimeChoiceError, match=message):
        choose(runtime, precision, flags=flags, have_openvino=have_ov)  # type: ignore[arg-type]


def test_gpu_is_a_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    c = choose("auto", "auto", "gpu", flags=OLD, gpu_providers=["CUDAExecutionProvider"])
    assert (c.runtime, c.device) == ("onnxruntime", "gpu")
    monkeypatch.setattr(runtime_mod, "_openvino_has_gpu", lambda: True)
    c = choose("openvino", "auto", "gpu", flags=OLD, have_openvino=True, gpu_providers=[])
    assert (c.runtime, c.device) == ("openvino", "gpu")
    monkeypatch.setattr(runtime_mod, "_openvino_has_gpu", lambda: False)
    with pytest.raises(RuntimeChoiceError, match="openvino without a GPU device"):
        choose("openvino", "auto", "gpu", flags=OLD, have_openvino=True, gpu_providers=[])
    with pytest.raises(RuntimeChoiceError, match="no GPU path here"):
        choose("onnxruntime", "auto", "gpu", flags=OLD, have_openvino=True, gpu_providers=[])
    with pytest.raises(RuntimeChoiceError, match="int8' is a CPU path"):
        choose("auto", "int8", "gpu", flags=OLD, gpu_providers=["CUDAExecutionProvider"])


def test_cpu_flags_read_from_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: X\nflags\t\t: fpu avx2 avx512_bf16 amx_bf16\n\n")
    assert cpu_flags(info) == {"fpu", "avx2", "avx512_bf16", "amx_bf16"}
    assert cpu_flags(tmp_path / "missing") == frozenset()
    assert "fpu" in cpu_flags() or cpu_flags() == frozenset()  # this machine's, if Linux


# ---------------------------------------------------------------- config errors
@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        (
            "detector:\n  type: nanodet\n  runtime: tensorflow\n",
            "line 3: detector.runtime: Input should be 'auto'",
        ),
        (
            "detector:\n  type: nanodet\n  precision: fp16\n",
            "line 3: detector.precision: Input should be",
        ),
        (
            "detector:\n  type: nanodet\n  runtime: onnxruntime\n  precision: bf16\n",
            "precision 'bf16' runs on runtime 'openvino' only",
        ),
        (
            "detector:\n  type: yolo\n  model: m.onnx\n  device: gpu\n  precision: int8\n",
            "'int8' is a CPU path",
        ),
    ],
)
def test_config_errors_are_clear(yaml: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_site(yaml, "site.yaml")
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)


def test_detector_defaults_to_auto() -> None:
    cfg = NanoDetConfig()
    assert (cfg.runtime, cfg.precision, cfg.device) == ("auto", "auto", "cpu")


# ---------------------------------------------------------------- real photos
def _same_boxes(a: Detections, b: Detections, atol: float) -> None:
    order_a, order_b = np.argsort(-a.confidence), np.argsort(-b.confidence)
    np.testing.assert_array_equal(a.class_id[order_a], b.class_id[order_b])
    np.testing.assert_allclose(a.xyxy[order_a], b.xyxy[order_b], atol=atol)
    np.testing.assert_allclose(a.confidence[order_a], b.confidence[order_b], atol=1e-3)


def test_openvino_fp32_gives_onnxruntime_boxes_on_real_photos(
    nanodet: NanoDetDetector, nanodet_onnx: Path, bus: np.ndarray, zidane: np.ndarray
) -> None:
    ov = NanoDetDetector(nanodet_onnx, 416, threads=2, runtime="openvino", precision="fp32")
    assert ov.session.get_providers() == ["OpenVINO:CPU:fp32"]  # type: ignore[attr-defined]
    for photo in (bus, zidane):
        (ref,) = nanodet.detect([photo])
        (got,) = ov.detect([photo])
        assert len(ref) >= 2
        _same_boxes(ref, got, atol=0.5)  # pixels of the photo


def test_auto_detector_keeps_the_bus_and_four_persons(nanodet_onnx: Path, bus: np.ndarray) -> None:
    """Whatever auto picks on this machine (bf16 with AMX / avx512_bf16), the photo still reads."""
    det = create_detector(NanoDetConfig(model=str(nanodet_onnx), threads=2))
    (d,) = det.detect([bus])
    assert int((d.class_id == class_id_of("person")).sum()) == 4
    assert int((d.class_id == class_id_of("bus")).sum()) == 1


def test_choice_is_logged_with_why(nanodet_onnx: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kuzet.vision.runtime"):
        make_session(nanodet_onnx, threads=1, runtime="auto", precision="auto")
    (rec,) = [r for r in caplog.records if r.getMessage() == "inference runtime chosen"]
    assert rec.runtime in ("onnxruntime", "openvino")  # type: ignore[attr-defined]
    assert rec.why and rec.asked == "auto/auto/cpu"  # type: ignore[attr-defined]


def test_folding_the_minus_inf_pad_keeps_outputs_equal(
    nanodet_onnx: Path, nanodet: NanoDetDetector, bus: np.ndarray
) -> None:
    from kuzet.vision.detector import fit, to_nchw

    m = onnx.load(str(nanodet_onnx))
    assert fold_pads(m) > 0
    assert not [n for n in m.graph.node if n.op_type == "Pad"]
    x = to_nchw([fit(bus, (416, 416), False)[0]], **nanodet._norm)  # type: ignore[arg-type]
    ref = nanodet.session.run(None, {nanodet.input_name: x})
    got = make_session(m.SerializeToString(), threads=2).run(None, {nanodet.input_name: x})
    for r, g in zip(ref, got, strict=True):
        np.testing.assert_allclose(r, g, atol=1e-5)


# ---------------------------------------------------------------- int8 (synthetic graph)
def _pad_pool_conv(path: Path) -> Path:
    """input -> Pad(-inf) -> MaxPool 3x3/2 -> Pad(0) -> Conv 3x3: the TF.js graphs' pattern."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.normal(size=(4, 3, 3, 3)).astype(np.float32), "w")
    pads = numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
    ninf = numpy_helper.from_array(np.array([-np.inf], np.float32), "ninf")
    nodes = [
        helper.make_node("Pad", ["x", "pads", "ninf"], ["p1"]),
        helper.make_node("MaxPool", ["p1"], ["mp"], kernel_shape=[3, 3], strides=[2, 2]),
        helper.make_node("Pad", ["mp", "pads"], ["p2"]),
        helper.make_node("Conv", ["p2", "w"], ["y"], kernel_shape=[3, 3]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])],
        [w, pads, ninf],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(path))
    return path


def test_int8_model_is_built_once_and_rebuilt_when_its_inputs_change(tmp_path: Path) -> None:
    src = _pad_pool_conv(tmp_path / "m.onnx")
    rng = np.random.default_rng(1)
    calls: list[int] = []

    def calib() -> list[np.ndarray]:
        calls.append(1)
        return [rng.uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32) for _ in range(8)]

    out = int8_model(src, calib, "synthetic-a")
    # unfolded, the -inf pad reaches the calibrator and the int8 output is garbage (14 vs 8)
    x = rng.uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32)  # not a calibration frame
    ref = ort.InferenceSession(str(src)).run(None, {"x": x})[0]
    got = ort.InferenceSession(str(out)).run(None, {"x": x})[0]
    assert np.abs(ref - got).max() < 0.1 * np.abs(ref).max()  # int8, not garbage
    ops = {n.op_type for n in onnx.load(str(out)).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops and "Pad" not in ops
    manifest = json.loads(out.with_suffix(".json").read_text())
    assert manifest["calibration"] == "synthetic-a" and len(manifest["int8_sha256"]) == 64
    assert int8_model(src, calib, "synthetic-a") == out and len(calls) == 1  # cached
    int8_model(src, calib, "synthetic-b")  # other calibration: rebuilt
    out.write_bytes(out.read_bytes() + b"x")  # damaged: rebuilt
    int8_model(src, calib, "synthetic-b")
    assert len(calls) == 3


def test_int8_without_calibration_is_refused(tmp_path: Path) -> None:
    src = _pad_pool_conv(tmp_path / "m.onnx")
    with pytest.raises(RuntimeChoiceError, match="needs a model file and calibration frames"):
        make_session(src, threads=1, runtime="onnxruntime", precision="int8")


def test_openvino_names_outputs_as_the_onnx_graph_does_compiled_or_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh compile adds the fused nodes' names to an output (CenterNet's heads end in
    BiasAdd + Sigmoid); the session must still report the graph's names, cached or not."""
    from kuzet.vision import openvino_session
    from kuzet.vision.models import pull

    model = pull("centernet", 320, quiet=True)
    graph = [o.name for o in onnx.load(str(model), load_external_data=False).graph.output]
    monkeypatch.setattr(openvino_session, "cache_dir", lambda: tmp_path)
    for _ in ("compiled", "loaded from OpenVINO's cache"):
        sess = openvino_session.OpenVINOSession(model, "fp32", 1)
        assert [o.name for o in sess.get_outputs()] == graph
        x = np.zeros((1, 320, 320, 3), np.float32)
        assert [a.shape[-1] for a in sess.run(graph, {sess.get_inputs()[0].name: x})] == [80, 4]
    assert any((tmp_path / "openvino").iterdir())
