"""ONNX Runtime sessions: provider choice, threads, graph optimisation in one place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

PREFERRED_PROVIDERS: tuple[str, ...] = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "OpenVINOExecutionProvider",
    "CPUExecutionProvider",
)


def pick_providers(providers: Sequence[str] | str = "auto") -> list[str]:
    """``auto``: the best available in the order TensorRT, CUDA, OpenVINO, CPU (CPU always last)."""
    available = ort.get_available_providers()
    if providers == "auto":
        return [p for p in PREFERRED_PROVIDERS if p in available] or ["CPUExecutionProvider"]
    wanted = [providers] if isinstance(providers, str) else list(providers)
    missing = [p for p in wanted if p not in available]
    if missing:
        raise ValueError(f"ONNX Runtime providers {missing} not available; have {available}")
    return wanted


def make_session(
    model: str | Path | bytes, providers: Sequence[str] | str = "auto", threads: int = 0
) -> ort.InferenceSession:
    """A session with ALL graph optimisations; ``threads=0`` lets ORT use every core."""
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    src = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(src, sess_options=opts, providers=pick_providers(providers))
