"""Detector throughput on a GPU: the converted NanoDet ONNX graph run by PyTorch (CUDA).

Kuzet's ONNX Runtime path picks CUDA/TensorRT execution providers when the GPU build of
onnxruntime is installed; that build was not available on the lent GPU machine, so this
benchmark runs the very same ONNX graph through a small PyTorch interpreter of the 12
op types NanoDet uses (checked against ONNX Runtime on the CPU first), in fp32 and fp16,
at several batch sizes. Stand-alone: needs torch, numpy, onnx (and onnxruntime for the
reference). Usage:

    python bench/gpu_detector.py --model nanodet-416.onnx --frames frames.npy
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from typing import Any

if importlib.util.find_spec("torch") is None:  # torch is no Kuzet dependency
    print("bench/gpu_detector.py: not run: needs torch (pip install torch), and a CUDA GPU "
          "for its GPU figures (docs/benchmarks.md)")  # fmt: skip
    sys.exit(0)

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper

Op = Callable[[list[Any], dict[str, Any]], list[torch.Tensor]]


def _pad(x: list[Any], a: dict[str, Any]) -> list[torch.Tensor]:
    pads = [int(p) for p in x[1]]
    n = len(pads) // 2
    pairs = [(pads[i], pads[i + n]) for i in range(n)][::-1]
    value = float(x[2].reshape(-1)[0]) if len(x) > 2 and x[2] is not None else 0.0
    return [F.pad(x[0], [v for pair in pairs for v in pair], value=value)]


def _conv(x: list[Any], a: dict[str, Any]) -> list[torch.Tensor]:
    bias = x[2] if len(x) > 2 else None
    return [
        F.conv2d(x[0], x[1], bias, a.get("strides", [1, 1]), 0, a.get("dilations", [1, 1]),
                 a.get("group", 1))
    ]  # fmt: skip


def _resize(x: list[Any], a: dict[str, Any]) -> list[torch.Tensor]:
    assert a["mode"] == b"linear" and a["coordinate_transformation_mode"] == b"half_pixel"
    scale = [float(s) for s in x[2][2:]]
    return [F.interpolate(x[0], scale_factor=scale, mode="bilinear", align_corners=False)]


def _reshape(x: list[Any], a: dict[str, Any]) -> list[torch.Tensor]:
    shape = [int(s) if s != 0 else x[0].shape[i] for i, s in enumerate(x[1])]
    return [x[0].reshape(shape)]


OPS: dict[str, Op] = {
    "Pad": _pad,
    "Conv": _conv,
    "LeakyRelu": lambda x, a: [F.leaky_relu(x[0], a.get("alpha", 0.01))],
    "MaxPool": lambda x, a: [F.max_pool2d(x[0], a["kernel_shape"], a["strides"])],
    "Concat": lambda x, a: [torch.cat(x, dim=a["axis"])],
    "Resize": _resize,
    "Add": lambda x, a: [x[0] + x[1]],
    "Split": lambda x, a: list(torch.split(x[0], [int(s) for s in x[1]], dim=a["axis"])),
    "Sigmoid": lambda x, a: [torch.sigmoid(x[0])],
    "Reshape": _reshape,
    "Transpose": lambda x, a: [x[0].permute(*a["perm"])],
    "Identity": lambda x, a: [x[0]],
}


class TorchGraph(torch.nn.Module):
    """Runs an ONNX graph node by node; weights become tensors on the module's device."""

    def __init__(self, model: onnx.ModelProto) -> None:
        super().__init__()
        g = model.graph
        missing = {n.op_type for n in g.node} - set(OPS)
        if missing:
            raise NotImplementedError(f"ops without a torch mapping: {sorted(missing)}")
        self.nodes = [
            (n.op_type, list(n.input), list(n.output),
             {at.name: helper.get_attribute_value(at) for at in n.attribute})
            for n in g.node
        ]  # fmt: skip
        self.input = g.input[0].name
        self.outputs = [o.name for o in g.output]
        self.consts: dict[str, Any] = {}
        for i, init in enumerate(g.initializer):
            arr = numpy_helper.to_array(init)
            if arr.dtype == np.float32 and arr.ndim >= 1 and arr.size > 8:
                self.register_buffer(f"w{i}", torch.from_numpy(arr.copy()))
                self.consts[init.name] = f"w{i}"
            else:  # shapes, pads, scales, split sizes: stay on the host
                self.consts[init.name] = arr

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        env: dict[str, Any] = {self.input: x}
        for name, v in self.consts.items():
            env[name] = getattr(self, v) if isinstance(v, str) else v
        for op, ins, outs, attrs in self.nodes:
            args = [env[i] if i else None for i in ins]
            for o, val in zip(outs, OPS[op](args, attrs), strict=True):
                env[o] = val
        return [env[o] for o in self.outputs]


def reference(path: str, x: np.ndarray) -> list[np.ndarray]:
    """ONNX Runtime's outputs on the CPU, and its speed there (all cores) for comparison."""
    import onnxruntime as ort

    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    out = list(sess.run(None, {name: x}))
    for b in (1, len(x)):
        ms = []
        for _ in range(10):
            t = time.perf_counter()
            sess.run(None, {name: x[:b]})
            ms.append((time.perf_counter() - t) * 1000)
        print(f"onnxruntime CPU, batch {b}: p50 {np.median(ms):.1f} ms "
              f"({b * 1000 / np.median(ms):.0f} images/s)")  # fmt: skip
    return out


def timed(net: torch.nn.Module, x: torch.Tensor, reps: int) -> tuple[float, float]:
    """(median ms per call, p95) with CUDA events; warm-up first."""
    with torch.inference_mode():
        for _ in range(5):
            net(x)
        torch.cuda.synchronize()
        ms = []
        for _ in range(reps):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            net(x)
            end.record()
            torch.cuda.synchronize()
            ms.append(start.elapsed_time(end))
    return float(np.median(ms)), float(np.percentile(ms, 95))


def graphed(net: torch.nn.Module, x: torch.Tensor) -> torch.nn.Module:
    """The same forward captured once as a CUDA graph: one launch instead of ~130, which
    is what small batches pay for in eager mode."""
    static = x.clone()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.inference_mode(), torch.cuda.stream(side):
        for _ in range(3):
            net(static)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.inference_mode(), torch.cuda.graph(graph):
        out = net(static)

    class Replay(torch.nn.Module):
        def forward(self, new: torch.Tensor) -> list[torch.Tensor]:
            static.copy_(new)
            graph.replay()
            return out  # type: ignore[no-any-return]

    return Replay()


def kuzet_defaults() -> tuple[Any, np.ndarray]:
    """Kuzet's converted NanoDet (416) and 8 vtest.avi frames preprocessed as its detector
    does (stretch to 416, BGR, NanoDet mean/std); needs Kuzet installed."""
    import av

    from kuzet.assets import ensure
    from kuzet.vision.detector import fit, to_nchw
    from kuzet.vision.models import pull
    from kuzet.vision.nanodet import NanoDetDetector

    path = pull("nanodet", 416, quiet=True)
    with av.open(str(ensure("vtest.avi", quiet=True))) as c:
        frames = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)][100:500:50]
    norm = NanoDetDetector(path, 416, threads=1)._norm
    return path, to_nchw([fit(f, (416, 416), False)[0] for f in frames], **norm)  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="default: Kuzet's converted nanodet-416.onnx")
    ap.add_argument(
        "--frames", help=".npy [N,3,H,W] preprocessed real frames; default: 8 of vtest.avi"
    )
    ap.add_argument("--batches", default="1,4,16,64,256")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument(
        "--quick", action="store_true",
        help="a short run for `make bench QUICK=1` (docs/benchmarks.md: full runs only)",
    )  # fmt: skip
    args = ap.parse_args()
    if args.quick:
        args.batches, args.reps = "1,4,16", 5
    if args.model is None or args.frames is None:
        model_path, default_frames = kuzet_defaults()
        args.model = args.model or str(model_path)
        frames = np.load(args.frames) if args.frames else default_frames
    else:
        frames = np.load(args.frames)
    frames = frames.astype(np.float32)
    model = onnx.load(args.model)
    ref = reference(args.model, frames)
    net = TorchGraph(model).eval()
    with torch.inference_mode():
        cpu = net(torch.from_numpy(frames))
    worst = max(float(np.abs(r - c.numpy()).max()) for r, c in zip(ref, cpu, strict=True))
    print(f"torch cpu vs onnxruntime max |diff|: {worst:.2e}")
    if not torch.cuda.is_available():
        print("no CUDA device: stopping after the CPU check")
        return
    print("device:", torch.cuda.get_device_name(0))
    torch.backends.cudnn.benchmark = True
    gpu = net.cuda()
    for dtype in (torch.float32, torch.float16):
        g = gpu.to(dtype)
        with torch.inference_mode():
            got = g(torch.from_numpy(frames).cuda().to(dtype))
        # class scores: how many (cell, class) pairs cross 0.3 differently from the reference
        diff = max(
            float(np.abs(r - o.float().cpu().numpy()).max()) for r, o in zip(ref, got, strict=True)
        )
        flips = sum(
            int(((r > 0.3) != (o.float().cpu().numpy() > 0.3)).sum())
            for r, o in zip(ref, got, strict=True) if r.shape[-1] == 80 or r.shape[1] == 80
        )  # fmt: skip
        print(f"{dtype}: max |diff| vs onnxruntime {diff:.2e}, score>0.3 flips {flips}")
        for b in (int(s) for s in args.batches.split(",")):
            reps = np.resize(frames, (b, *frames.shape[1:]))
            x = torch.from_numpy(reps).cuda().to(dtype)
            p50, p95 = timed(g, x, args.reps)
            line = (f"  batch {b:4d}: eager p50 {p50:7.2f} ms p95 {p95:7.2f} ms "
                    f"{b * 1000 / p50:6.0f} images/s")  # fmt: skip
            try:
                c50, c95 = timed(graphed(g, x), x, args.reps)
                line += (f" | CUDA graph p50 {c50:7.2f} ms p95 {c95:7.2f} ms "
                         f"{b * 1000 / c50:6.0f} images/s")  # fmt: skip
            except RuntimeError as exc:  # report, keep the eager figure
                line += f" | CUDA graph failed: {exc}"
            print(line)


if __name__ == "__main__":
    main()
