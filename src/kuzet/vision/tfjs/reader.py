"""Read a TF.js graph model (model.json + weight shards) into plain numpy and dicts.

Kept apart from the op mapping so the format quirks live in one place: float16
quantised floats, int64 tensors that the converter stored as int32, and weights
split over several ``.bin`` shards that must be concatenated before slicing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

_TF_DTYPES: dict[str, np.dtype[Any]] = {
    "DT_FLOAT": np.dtype(np.float32),
    "DT_HALF": np.dtype(np.float16),
    "DT_INT32": np.dtype(np.int32),
    "DT_INT64": np.dtype(np.int64),
    "DT_BOOL": np.dtype(np.bool_),
    "DT_UINT8": np.dtype(np.uint8),
}

_STORED: dict[str, np.dtype[Any]] = {
    "float32": np.dtype(np.float32),
    "float16": np.dtype(np.float16),
    "int32": np.dtype(np.int32),
    "uint8": np.dtype(np.uint8),
    "uint16": np.dtype(np.uint16),
    "bool": np.dtype(np.bool_),
}


class TfjsFormatError(ValueError):
    """The model.json or its weights are not a TF.js graph model this reader understands."""


@dataclass(slots=True)
class TfNode:
    name: str
    op: str
    inputs: list[str]
    attr: dict[str, Any]

    def attr_s(self, key: str, default: str = "") -> str:
        import base64

        v = self.attr.get(key, {}).get("s")
        return base64.b64decode(v).decode() if v is not None else default

    def attr_ints(self, key: str) -> list[int]:
        return [int(i) for i in self.attr.get(key, {}).get("list", {}).get("i", [])]

    def attr_f(self, key: str, default: float) -> float:
        return float(self.attr.get(key, {}).get("f", default))

    def attr_b(self, key: str, default: bool = False) -> bool:
        return bool(self.attr.get(key, {}).get("b", default))

    def attr_i(self, key: str, default: int = 0) -> int:
        return int(self.attr.get(key, {}).get("i", default))

    def dtype(self, key: str = "dtype") -> np.dtype[Any] | None:
        t = self.attr.get(key, {}).get("type")
        return _TF_DTYPES.get(t) if t else None


@dataclass(slots=True)
class TfjsModel:
    """Everything the graph builder needs; weights are already de-quantised numpy arrays."""

    name: str
    nodes: list[TfNode]
    weights: dict[str, np.ndarray]
    inputs: dict[str, list[int]] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    # ONNX output name -> TF node it reads, where a signature aliases them (gear:
    # "age_output" is node "Identity"); outputs not listed read the node of their name
    output_nodes: dict[str, str] = field(default_factory=dict)


def _shape_of(tensor_shape: dict[str, Any]) -> list[int]:
    return [int(d.get("size", -1)) for d in tensor_shape.get("dim", [])]


def _decode_weights(manifest: list[dict[str, Any]], root: Path) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        buf = b"".join((root / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            shape = [int(s) for s in spec["shape"]]
            count = int(np.prod(shape, dtype=np.int64))
            quant = spec.get("quantization")
            stored = _STORED.get(quant["dtype"] if quant else spec["dtype"])
            if stored is None:
                raise TfjsFormatError(f"weight {spec['name']!r}: unsupported dtype {spec}")
            size = count * stored.itemsize
            if offset + size > len(buf):
                raise TfjsFormatError(f"weight {spec['name']!r} runs past the end of the shards")
            arr = np.frombuffer(buf, stored, count, offset).reshape(shape)
            offset += size
            if quant and "scale" in quant:  # affine uint8/uint16 quantisation
                arr = arr.astype(np.float32) * float(quant["scale"]) + float(quant["min"])
            want = _STORED.get(spec["dtype"], np.dtype(np.float32))
            out[spec["name"]] = np.ascontiguousarray(arr.astype(want))
    return out


def read_tfjs(model_json: str | Path) -> TfjsModel:
    """Parse ``model.json`` and its shards (found beside it)."""
    path = Path(model_json)
    try:
        doc = json.loads(path.read_text())
        topo = doc["modelTopology"]
        raw_nodes = topo["node"]
    except (OSError, ValueError, KeyError) as exc:
        raise TfjsFormatError(f"{path}: not a TF.js graph model ({exc})") from exc
    if topo.get("library", {}).get("function"):
        raise TfjsFormatError(f"{path}: graphs with functions (control flow) are not supported")
    weights = _decode_weights(doc.get("weightsManifest", []), path.parent)
    nodes = [
        TfNode(n["name"], n["op"], list(n.get("input", [])), n.get("attr", {})) for n in raw_nodes
    ]
    # Declared dtype wins over the stored one: int64 constants are stored as int32.
    for node in nodes:
        if node.op == "Const" and node.name in weights:
            declared = node.dtype()
            if declared is not None and weights[node.name].dtype != declared:
                weights[node.name] = weights[node.name].astype(declared)
    # some exports (BlazeFace of human-models) keep the signature under userDefinedMetadata
    sig = doc.get("signature") or doc.get("userDefinedMetadata", {}).get("signature") or {}
    inputs = {
        k.split(":")[0]: _shape_of(v.get("tensorShape", {}))
        for k, v in sig.get("inputs", {}).items()
    }
    if not inputs:
        inputs = {
            n.name: _shape_of(n.attr.get("shape", {}).get("shape", {}))
            for n in nodes
            if n.op == "Placeholder"
        }
    out_sig = sig.get("outputs", {})
    outputs = sorted(k.split(":")[0] for k in out_sig)
    aliases = {
        k.split(":")[0]: str(v["name"]).split(":")[0]
        for k, v in out_sig.items()
        if isinstance(v, dict) and str(v.get("name", k)).split(":")[0] != k.split(":")[0]
    }
    return TfjsModel(path.stem, nodes, weights, inputs, outputs, aliases)
