"""Inference runtime by measurement: boxes kept vs ONNX Runtime fp32, ms a frame, cameras a core.

NanoDet 416 (Kuzet's converted model), one thread, batch 1, pinned to one core. Candidates:
ONNX Runtime fp32 (the reference) and static int8 (QDQ); OpenVINO fp32, bf16 (where the CPU
has avx512_bf16/amx_bf16), int8 on the same QDQ model, and int8 by NNCF (if installed).
int8 is calibrated on vtest.avi frames 0-399; agreement is reported on frames 400-794 and
on the real photos (bus, zidane, t1, messi5, grace_hopper), never on calibration frames.

Agreement: fp32's boxes matched one-to-one by a candidate box of the same class at IoU >= 0.5
(greedy, best IoU first); ``kept`` = matched / fp32 boxes, ``extra`` = unmatched candidate
boxes, ``agree`` = matched / (fp32 + candidate - matched), which counts both losses and
additions. Cameras a core = frames/s end to end (resize, normalise, inference, decode, NMS)
/ 5 analysed frames/s a camera (as bench/cameras_per_core.py). Timings are interleaved
round by round so load from other jobs falls on every candidate alike; ratios are to fp32
in the same run.

    .venv/bin/python bench/runtime_compare.py [--quick] [--rounds 7] [--cpu 1] [--device gpu]

``--device gpu`` (when a GPU is lent): ONNX Runtime's TensorRT/CUDA providers and OpenVINO's
GPU device against ONNX Runtime fp32 on the CPU; wall time is then the figure that counts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from kuzet.assets import ensure
from kuzet.core import Detections
from kuzet.vision.models import pull
from kuzet.vision.nanodet import NanoDetDetector
from kuzet.vision.quantize import calibration_frames
from kuzet.vision.runtime import BF16_FLAGS, RuntimeChoiceError, cpu_flags

FPS_ANALYSIS = 5.0
PHOTOS = ("bus.jpg", "zidane.jpg", "t1.jpg", "messi5.jpg", "grace_hopper.jpg")


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of xyxy boxes ``a`` [N,4] and ``b`` [M,4]."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=1)
    return np.asarray(inter / (area_a[:, None] + area_b[None, :] - inter + 1e-9))


def matched(ref: Detections, got: Detections, threshold: float = 0.5) -> int:
    """Pairs of one fp32 box and one candidate box, same class, IoU >= threshold."""
    if len(ref) == 0 or len(got) == 0:
        return 0
    m = iou(ref.xyxy, got.xyxy)
    m[ref.class_id[:, None] != got.class_id[None, :]] = 0
    n = 0
    while True:
        i, j = np.unravel_index(int(m.argmax()), m.shape)
        if m[i, j] < threshold:
            return n
        n += 1
        m[i, :] = 0
        m[:, j] = 0


def agreement(ref: list[Detections], got: list[Detections]) -> dict[str, float]:
    n_ref = sum(len(r) for r in ref)
    n_got = sum(len(g) for g in got)
    n = sum(matched(r, g) for r, g in zip(ref, got, strict=True))
    return {
        "boxes": n_ref,
        "kept": n / max(n_ref, 1),
        "extra": n_got - n,
        "agree": n / max(n_ref + n_got - n, 1),
    }


def report_frames(count: int) -> list[np.ndarray]:
    """vtest.avi frames 400-794 (calibration uses 0-399) and the real photos."""
    frames = calibration_frames(count, 400, 794)
    return frames + [cv2.imread(str(ensure(p, quiet=True))) for p in PHOTOS]


def nncf_detector(model: Path, base: NanoDetDetector, calib: list[np.ndarray]) -> NanoDetDetector:
    """OpenVINO int8 by NNCF's post-training quantisation, same calibration frames."""
    import nncf
    import openvino as ov

    from kuzet.vision.openvino_session import OpenVINOSession

    det = NanoDetDetector(model, 416, threads=1, max_batch=1, runtime="openvino", precision="fp32")
    data = [_prep(base, f) for f in calib]
    q = nncf.quantize(ov.Core().read_model(str(model)), nncf.Dataset(data), subset_size=len(data))
    out = Path(tempfile.mkdtemp()) / "nanodet-nncf.xml"
    ov.save_model(q, str(out))
    det.session = OpenVINOSession(out, "int8", 1)
    return det


def _prep(det: NanoDetDetector, frame: np.ndarray) -> np.ndarray:
    from kuzet.vision.detector import fit, to_nchw

    return to_nchw([fit(frame, (det.size, det.size), det.letterbox)[0]], **det._norm)  # type: ignore[arg-type]


def candidates(
    model: Path, flags: frozenset[str], gpu: bool
) -> dict[str, Callable[[], NanoDetDetector]]:
    def make(runtime: str, precision: str, device: str = "cpu") -> Callable[[], NanoDetDetector]:
        return lambda: NanoDetDetector(
            model,
            416,
            threads=0 if gpu else 1,
            max_batch=1,
            runtime=runtime,  # type: ignore[arg-type]
            precision=precision,  # type: ignore[arg-type]
            device=device,  # type: ignore[arg-type]
        )

    if gpu:  # the reference stays ONNX Runtime fp32 on the CPU
        return {
            "onnxruntime fp32": make("onnxruntime", "fp32"),
            "onnxruntime gpu (TensorRT/CUDA)": make("onnxruntime", "fp32", "gpu"),
            "openvino gpu fp32": make("openvino", "fp32", "gpu"),
            "openvino gpu fp16": make("openvino", "bf16", "gpu"),
        }
    out = {
        "onnxruntime fp32": make("onnxruntime", "fp32"),
        "onnxruntime int8 (QDQ)": make("onnxruntime", "int8"),
        "openvino fp32": make("openvino", "fp32"),
    }
    if flags & BF16_FLAGS:
        out["openvino bf16"] = make("openvino", "bf16")
    out["openvino int8 (QDQ)"] = make("openvino", "int8")
    return out


def time_ms(det: NanoDetDetector, frames: list[np.ndarray], n: int) -> tuple[float, float]:
    """(wall, CPU) ms a frame. CPU time of the process (all its threads, on the one core it
    is pinned to) is what a core spends on a frame: other jobs' load barely moves it, while
    wall time grows with every job the core is shared with."""
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(n):
        det.detect([frames[i % len(frames)]])
    return (time.perf_counter() - t0) / n * 1000, (time.process_time() - c0) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer frames and rounds")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved timing rounds")
    ap.add_argument("--frames", type=int, default=40, help="vtest.avi reporting frames")
    ap.add_argument("--cpu", type=int, default=None, help="core to pin to (default: last)")
    ap.add_argument(
        "--device",
        choices=("cpu", "gpu"),
        default="cpu",
        help="gpu: ONNX Runtime TensorRT/CUDA and OpenVINO GPU against CPU fp32 (no pinning)",
    )
    args = ap.parse_args()
    gpu = args.device == "gpu"
    rounds, n_frames, per_round = (2, 8, 10) if args.quick else (args.rounds, args.frames, 30)
    cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
    if not gpu:
        os.sched_setaffinity(0, {cpu})
    flags = cpu_flags()
    where = "GPU candidates, all cores" if gpu else f"pinned to core {cpu}"
    print(f"CPU: bf16 flags {sorted(flags & BF16_FLAGS) or 'none'}; {where}")
    load = os.getloadavg()[0]
    model = pull("nanodet", 416, quiet=True)
    frames = report_frames(n_frames)
    dets: dict[str, NanoDetDetector] = {}
    for name, make in candidates(model, flags, gpu).items():
        try:
            dets[name] = make()
        except (RuntimeChoiceError, RuntimeError, ValueError) as exc:
            print(f"{name} left out: {exc}")
    try:
        if not gpu:
            dets["openvino int8 (NNCF)"] = nncf_detector(
                model, dets["onnxruntime fp32"], calibration_frames(16 if args.quick else 32)
            )
    except ImportError:
        print("nncf not installed: OpenVINO int8 by NNCF left out")
    ref = [dets["onnxruntime fp32"].detect([f])[0] for f in frames]
    agree = {name: agreement(ref, [d.detect([f])[0] for f in frames]) for name, d in dets.items()}
    for d in dets.values():  # warm-up
        time_ms(d, frames, 5)
    wall: dict[str, list[float]] = {name: [] for name in dets}
    ms: dict[str, list[float]] = {name: [] for name in dets}
    for _ in range(rounds):
        for name, d in dets.items():
            w, c = time_ms(d, frames, per_round)
            wall[name].append(w)
            ms[name].append(c)
    base = float(np.median(ms["onnxruntime fp32"]))
    base_wall = float(np.median(wall["onnxruntime fp32"]))
    print(
        f"{len(frames)} reporting frames ({len(frames) - len(PHOTOS)} vtest.avi + "
        f"{len(PHOTOS)} photos), {ref and sum(len(r) for r in ref)} fp32 boxes; "
        f"{rounds} rounds x {per_round} frames; load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    print(
        f"| runtime | kept | extra | agree | CPU ms/frame (median; min-max of rounds) | "
        f"wall ms | cameras/core at {FPS_ANALYSIS:g} fps | x fp32 (CPU; wall) | "
        "target (>=2x, >=98 %) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in dets:
        a, m, w = agree[name], float(np.median(ms[name])), float(np.median(wall[name]))
        cams, ratio = 1000 / m / FPS_ANALYSIS, base / m
        ok = "met" if ratio >= 2 and a["agree"] >= 0.98 else "no"
        print(
            f"| {name} | {a['kept']:.1%} | {a['extra']:.0f} | {a['agree']:.1%} | {m:.1f} "
            f"({min(ms[name]):.1f}-{max(ms[name]):.1f}) | {w:.1f} | {cams:.1f} | "
            f"x{ratio:.2f}; x{base_wall / w:.2f} | {ok} |"
        )


if __name__ == "__main__":
    sys.exit(main())
