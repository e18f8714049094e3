"""Static int8 (QDQ) models, calibrated on real frames and cached beside the fp32 model.

Built once (first use of ``precision: int8``), never at import: ``onnx`` and ORT's quantiser
are imported here only. The result is ``<model>.int8.onnx`` with a JSON manifest holding the
sha256 of the fp32 model it came from, of the calibration input and of itself, so a changed
model or calibration rebuilds it (as :mod:`kuzet.vision.models` does for conversions).

The TF.js graphs pad with ``-inf`` before a max-pool (``PadV2`` + ``MaxPool``); ORT's
calibrator then sees an infinite range and the quantiser fails. :func:`fold_pads` moves such
pads into the pooling (and zero pads into the next convolution) where ONNX defines the same
result: a max-pool ignores its own padding, a convolution pads with zeros.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnx

log = logging.getLogger(__name__)
CALIBRATION_ID = "vtest.avi:0-399:32"  # what calibration_frames() gives by default
QUANT_VERSION = 1  # bump when the recipe below changes: cached int8 models are rebuilt
_lock = threading.Lock()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fold_pads(model: onnx.ModelProto) -> int:
    """Fold spatial ``Pad`` nodes into the ``MaxPool``/``Conv`` that alone consume them.

    A ``-inf`` (or any) constant pad before a MaxPool and a zero pad before a Conv become
    the consumer's ``pads`` attribute; other pads stay. Returns how many were folded.
    """
    from onnx import helper, numpy_helper

    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consumers: dict[str, list[Any]] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    outputs = {o.name for o in g.output}
    folded = []
    for pad in [n for n in g.node if n.op_type == "Pad"]:
        mode = next((a.s for a in pad.attribute if a.name == "mode"), b"constant")
        users = consumers.get(pad.output[0], [])
        if mode != b"constant" or len(users) != 1 or pad.output[0] in outputs:
            continue
        if len(pad.input) < 2 or pad.input[1] not in inits or len(pad.input) > 3:
            continue
        pads = numpy_helper.to_array(inits[pad.input[1]]).astype(np.int64)
        value = 0.0
        if len(pad.input) == 3 and pad.input[2]:
            if pad.input[2] not in inits:
                continue
            value = float(numpy_helper.to_array(inits[pad.input[2]]).reshape(-1)[0])
        rank = len(pads) // 2
        begin, end = pads[:rank], pads[rank:]
        if rank != 4 or begin[:2].any() or end[:2].any() or (pads < 0).any():
            continue
        user = users[0]
        exact = (user.op_type == "MaxPool" and value == float("-inf")) or (
            user.op_type == "Conv" and value == 0.0
        )  # a max-pool's own padding is ignored (-inf); a convolution's is zeros
        if not exact:
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in user.attribute}
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            continue
        old = list(attrs.get("pads", [0, 0, 0, 0]))
        new = [old[0] + int(begin[2]), old[1] + int(begin[3]), old[2] + int(end[2])]
        new.append(old[3] + int(end[3]))
        kept = [a for a in user.attribute if a.name != "pads"]
        del user.attribute[:]
        user.attribute.extend(kept)
        user.attribute.append(helper.make_attribute("pads", new))
        user.input[0] = pad.input[0]
        folded.append(pad)
    for pad in folded:
        g.node.remove(pad)
    used = {i for n in g.node for i in n.input}
    for init in [i for i in g.initializer if i.name not in used]:
        g.initializer.remove(init)
    return len(folded)


class _Frames:
    """ORT's ``CalibrationDataReader``: one preprocessed frame per call."""

    def __init__(self, name: str, batches: Sequence[np.ndarray]) -> None:
        self._it: Iterator[np.ndarray] = iter(batches)
        self.name = name

    def get_next(self) -> dict[str, np.ndarray] | None:
        x = next(self._it, None)
        return None if x is None else {self.name: x}


def quantize_qdq(model_path: Path, calibration: Sequence[np.ndarray], out: Path) -> None:
    """Write a static int8 QDQ model (per-channel weights, u8 activations, min/max ranges)."""
    import onnx
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    work = out.with_suffix(".work")
    work.mkdir(parents=True, exist_ok=True)
    m = onnx.load(str(model_path))
    n = fold_pads(m)
    folded = work / "folded.onnx"
    onnx.save(m, str(folded))
    pre = work / "pre.onnx"
    quant_pre_process(str(folded), str(pre), skip_symbolic_shape=True)
    name = m.graph.input[0].name
    tmp = out.with_suffix(".onnx.part")
    quantize_static(
        str(pre),
        str(tmp),
        _Frames(name, calibration),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
    )
    tmp.replace(out)
    for p in work.iterdir():
        p.unlink()
    work.rmdir()
    log.info("int8 model built", extra={"model": str(out), "pads_folded": n})


def int8_model(
    model_path: Path | str,
    calibration: Callable[[], Sequence[np.ndarray]],
    calibration_id: str,
) -> Path:
    """``<model>.int8.onnx``, built from ``calibration()`` (preprocessed inputs) if stale.

    ``calibration_id`` names the frames and preprocessing (e.g. ``"vtest:0-399/12:nanodet"``);
    a different id, fp32 model or recipe version rebuilds.
    """
    src = Path(model_path)
    out = src.with_name(src.stem + ".int8.onnx")
    manifest = out.with_suffix(".json")
    want = {
        "fp32_sha256": _sha256(src.read_bytes()),
        "calibration": calibration_id,
        "quant_version": QUANT_VERSION,
    }
    with _lock:
        try:
            have = json.loads(manifest.read_text())
            if all(have.get(k) == v for k, v in want.items()) and have.get(
                "int8_sha256"
            ) == _sha256(out.read_bytes()):
                return out
        except (OSError, ValueError):
            pass
        log.info("building int8 model", extra={"model": str(src), "calibration": calibration_id})
        quantize_qdq(src, calibration(), out)
        manifest.write_text(
            json.dumps({**want, "int8_sha256": _sha256(out.read_bytes())}, indent=2) + "\n"
        )
    return out


def calibration_frames(count: int = 32, first: int = 0, last: int = 399) -> list[np.ndarray]:
    """``count`` real frames of vtest.avi, evenly spread over frames ``first..last``.

    The default range is the calibration half; the other half (400-794) is kept for
    reporting agreement (bench/runtime_compare.py).
    """
    import cv2

    from kuzet.assets import ensure

    idx = np.linspace(first, last, count).round().astype(int)
    cap = cv2.VideoCapture(str(ensure("vtest.avi", quiet=True)))
    frames = []
    try:
        for i in idx:
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(i))
            ok, frame = cap.read()
            if ok:
                frames.append(frame)
    finally:
        cap.release()
    if not frames:
        raise RuntimeError("vtest.avi gave no frames for int8 calibration")
    return frames
