"""An OpenVINO compiled model behind ONNX Runtime's session calls (``get_inputs``, ``run``).

Detectors are written against ONNX Runtime's session; this adapter lets them run on OpenVINO
unchanged. ``openvino`` is imported only when such a session is made.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.assets import cache_dir

# OpenVINO's inference precision hint per Kuzet precision. int8 comes from the model
# itself (QDQ nodes), run with f32 elsewhere so only the quantised layers change.
_HINT = {"fp32": "f32", "bf16": "bf16", "int8": "f32"}


@dataclass(frozen=True, slots=True)
class TensorInfo:
    """What ``onnxruntime.NodeArg`` tells a detector: name, shape (str for dynamic dims)."""

    name: str
    shape: list[int | str]
    type: str


def _public_name(port: Any) -> str:
    """The ONNX graph's own name of a tensor. A freshly compiled model gives an output the
    names of the nodes fused into it as well (a cached one does not), and ``get_any_name``
    then picks any of them; the Result or Parameter node is named after the graph's name."""
    node = port.get_node().get_friendly_name()
    for name in sorted(port.get_names(), key=len, reverse=True):
        if node == name or node.startswith(f"{name}/sink_port_"):
            return str(name)
    return str(port.get_any_name())


def _info(port: Any) -> TensorInfo:
    shape: list[int | str] = [
        d.get_length() if d.is_static else f"d{i}" for i, d in enumerate(port.get_partial_shape())
    ]
    return TensorInfo(_public_name(port), shape, str(port.get_element_type()))


class OpenVINOSession:
    """One compiled model; one infer request per calling thread (requests are not shared)."""

    def __init__(
        self, model: str | Path | bytes, precision: str, threads: int, device: str = "CPU"
    ) -> None:
        import openvino as ov

        core = ov.Core()
        if isinstance(model, bytes):
            net: Any = core.read_model(model=model, weights=b"")
        else:
            # compiled blobs cached by OpenVINO (keyed by the model's hash, config, device and
            # OpenVINO version): a warm start loads instead of compiling (0.2-0.45 s vs 0.5-0.9)
            core.set_property({"CACHE_DIR": str(cache_dir() / "openvino")})
            net = str(model)
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY"}
        if device.upper().startswith("CPU"):
            config["INFERENCE_PRECISION_HINT"] = _HINT[precision]
            config["NUM_STREAMS"] = 1
            if threads > 0:
                config["INFERENCE_NUM_THREADS"] = threads
        elif precision != "int8":
            config["INFERENCE_PRECISION_HINT"] = {"fp32": "f32", "bf16": "f16"}[precision]
        self.compiled = core.compile_model(net, device.upper(), config)
        self.device = device.upper()
        self.precision = precision
        self._inputs = [_info(p) for p in self.compiled.inputs]
        self._outputs = [_info(p) for p in self.compiled.outputs]
        self._local = threading.local()

    def get_inputs(self) -> list[TensorInfo]:
        return list(self._inputs)

    def get_outputs(self) -> list[TensorInfo]:
        return list(self._outputs)

    def get_providers(self) -> list[str]:
        return [f"OpenVINO:{self.device}:{self.precision}"]

    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        req = getattr(self._local, "request", None)
        if req is None:
            req = self._local.request = self.compiled.create_infer_request()
        res = req.infer(feeds, share_inputs=False, share_outputs=False)
        names = output_names or [o.name for o in self._outputs]
        by_name = {n: v for p, v in res.items() for n in p.get_names()}
        return [np.asarray(by_name[n]) for n in names]
