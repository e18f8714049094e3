"""Inference sessions: which runtime and precision run a model, chosen per machine at start-up.

Detectors call :func:`make_session` and get an object with ONNX Runtime's session calls
(``get_inputs``, ``get_outputs``, ``run``), whether ONNX Runtime or OpenVINO runs it.

``auto`` follows docs/benchmarks.md ("Inference runtime", NanoDet 416, one core, 45 real
frames): where the CPU computes bf16 natively (``avx512_bf16`` or ``amx_bf16``) OpenVINO
bf16 gives x2.25-2.66 the cameras a core at 99.1 % of fp32's boxes (x2.04 at 99.4 % on a
Zen 5 core); elsewhere OpenVINO fp32 is no faster (x0.96-1.06), so ONNX Runtime fp32 stays.
int8 (88.9 % ORT QDQ, 95.1 % NNCF) misses 98 %: it runs only when a config asks for it.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import onnxruntime as ort

log = logging.getLogger(__name__)

RuntimeName = Literal["auto", "onnxruntime", "openvino"]
Precision = Literal["auto", "fp32", "bf16", "int8"]
Device = Literal["cpu", "gpu"]
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})

PREFERRED_PROVIDERS: tuple[str, ...] = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "OpenVINOExecutionProvider",
    "CPUExecutionProvider",
)
GPU_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider")


class RuntimeChoiceError(ValueError):
    """A runtime/precision/device combination this machine or Kuzet cannot run."""


class Session(Protocol):
    """The part of ``onnxruntime.InferenceSession`` the detectors use."""

    def get_inputs(self) -> Sequence[Any]: ...
    def get_outputs(self) -> Sequence[Any]: ...
    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class Choice:
    """What will run the model, and why (logged at start-up)."""

    runtime: Literal["onnxruntime", "openvino"]
    precision: Literal["fp32", "bf16", "int8"]
    device: Device
    why: str


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU feature flags of the first processor in ``/proc/cpuinfo`` (empty if unreadable)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def openvino_available() -> bool:
    return importlib.util.find_spec("openvino") is not None


def choose(
    runtime: RuntimeName = "auto",
    precision: Precision = "auto",
    device: Device = "cpu",
    *,
    flags: frozenset[str] | None = None,
    have_openvino: bool | None = None,
    gpu_providers: Sequence[str] | None = None,
) -> Choice:
    """Resolve ``auto`` for this machine; raise :class:`RuntimeChoiceError` on what cannot run.

    ``flags``, ``have_openvino`` and ``gpu_providers`` default to this machine's (tests pass
    fake ones).
    """
    if flags is None:
        flags = cpu_flags()
    if have_openvino is None:
        have_openvino = openvino_available()
    bf16 = sorted(BF16_FLAGS & flags)
    if runtime == "openvino" and not have_openvino:
        raise RuntimeChoiceError(
            "runtime 'openvino' asked for but the openvino package is not installed"
        )
    if runtime == "onnxruntime" and precision == "bf16":
        raise RuntimeChoiceError(
            "precision 'bf16' runs on runtime 'openvino' only (ONNX Runtime's CPU provider has "
            "no bf16 path); set runtime: openvino or auto"
        )
    if device == "gpu":
        return _choose_gpu(runtime, precision, have_openvino, gpu_providers)
    if precision == "bf16" and not bf16:
        raise RuntimeChoiceError(
            "precision 'bf16' needs a CPU with avx512_bf16 or amx_bf16 (this one has neither: "
            "OpenVINO would emulate it slower than fp32); use precision: auto or fp32"
        )
    if precision == "int8":
        if runtime == "auto":
            rt: Literal["onnxruntime", "openvino"] = "openvino" if have_openvino else "onnxruntime"
            why = "int8 asked for; OpenVINO runs the QDQ model faster than ONNX Runtime"
            if not have_openvino:
                why = "int8 asked for; openvino not installed, so ONNX Runtime"
            return Choice(rt, "int8", "cpu", why)
        return Choice(runtime, "int8", "cpu", "int8 asked for in the config")
    want_bf16 = precision == "auto" and bool(bf16)
    if runtime == "onnxruntime":
        return Choice("onnxruntime", "fp32", "cpu", "runtime onnxruntime asked for: fp32")
    if runtime == "openvino":
        if want_bf16 or precision == "bf16":
            return Choice("openvino", "bf16", "cpu", f"CPU has {', '.join(bf16)}: bf16")
        why = "fp32 asked for" if precision == "fp32" else "CPU has no avx512_bf16/amx_bf16: fp32"
        return Choice("openvino", "fp32", "cpu", why)
    # runtime auto
    if precision == "fp32":
        return Choice("onnxruntime", "fp32", "cpu", "fp32 asked for: ONNX Runtime")
    if bf16 and have_openvino:
        return Choice(
            "openvino", "bf16", "cpu",
            f"CPU has {', '.join(bf16)}: OpenVINO bf16 (>= 2x frames per core at >= 98 % "
            "of fp32's boxes, docs/benchmarks.md)",
        )  # fmt: skip
    if bf16:
        return Choice(
            "onnxruntime", "fp32", "cpu", f"CPU has {', '.join(bf16)} but openvino is missing"
        )
    return Choice(
        "onnxruntime", "fp32", "cpu",
        "CPU has no avx512_bf16/amx_bf16: OpenVINO fp32 is barely faster, ONNX Runtime fp32",
    )  # fmt: skip


def _choose_gpu(
    runtime: RuntimeName,
    precision: Precision,
    have_openvino: bool,
    gpu_providers: Sequence[str] | None,
) -> Choice:
    if gpu_providers is None:
        gpu_providers = [p for p in ort.get_available_providers() if p in GPU_PROVIDERS]
    if precision == "int8":
        raise RuntimeChoiceError("precision 'int8' is a CPU path; on device gpu use auto or fp32")
    prec: Literal["fp32", "bf16"] = "bf16" if precision == "bf16" else "fp32"
    if runtime in ("auto", "onnxruntime") and gpu_providers and prec == "fp32":
        return Choice("onnxruntime", "fp32", "gpu", f"ONNX Runtime on {gpu_providers[0]}")
    ov_gpu = have_openvino and runtime in ("auto", "openvino") and _openvino_has_gpu()
    if ov_gpu:
        return Choice("openvino", prec, "gpu", "OpenVINO GPU device")
    raise RuntimeChoiceError(
        f"device 'gpu' with runtime {runtime!r}: no GPU path here (ONNX Runtime providers "
        f"{ort.get_available_providers()}, openvino "
        f"{'without a GPU device' if have_openvino else 'missing'})"
    )


def _openvino_has_gpu() -> bool:
    import openvino as ov

    return any(d.startswith("GPU") for d in ov.Core().available_devices)


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


def _ort_session(
    model: str | Path | bytes, providers: Sequence[str] | str, threads: int
) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    src = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(src, sess_options=opts, providers=pick_providers(providers))


def make_session(
    model: str | Path | bytes,
    providers: Sequence[str] | str = "auto",
    threads: int = 0,
    *,
    runtime: RuntimeName = "onnxruntime",
    precision: Precision = "fp32",
    device: Device = "cpu",
    calibration: Callable[[], Sequence[np.ndarray]] | None = None,
    calibration_id: str = "",
) -> Session:
    """A session for ``model``; ``threads=0`` lets the runtime use every core.

    The defaults (ONNX Runtime fp32) are exact; detector configs default to ``auto``.
    ``calibration`` gives preprocessed inputs of real frames for ``int8`` (the int8 model is
    built once and cached, :mod:`kuzet.vision.quantize`); ``calibration_id`` names them.
    """
    choice = choose(runtime, precision, device)
    if choice.precision == "int8":
        if calibration is None or isinstance(model, bytes):
            raise RuntimeChoiceError(
                "precision 'int8' needs a model file and calibration frames; this detector "
                "provides none (use precision: auto, fp32 or bf16)"
            )
        from kuzet.vision.quantize import int8_model

        model = int8_model(model, calibration, calibration_id)
    log.info(
        "inference runtime chosen",
        extra={
            "model": "<bytes>" if isinstance(model, bytes) else str(model),
            "runtime": choice.runtime,
            "precision": choice.precision,
            "device": choice.device,
            "why": choice.why,
            "asked": f"{runtime}/{precision}/{device}",
            "threads": threads,
        },
    )
    if choice.runtime == "openvino":
        from kuzet.vision.openvino_session import OpenVINOSession

        return OpenVINOSession(model, choice.precision, threads, choice.device.upper())
    if choice.device == "gpu":
        providers = [p for p in pick_providers("auto") if p in GPU_PROVIDERS]
        providers.append("CPUExecutionProvider")
    return _ort_session(model, providers, threads)
