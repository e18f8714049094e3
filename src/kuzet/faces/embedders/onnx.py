"""ONNX face embedders: an aligned crop in, an L2-normalised template out.

One class serves the converted human-models networks (FaceRes, FaceRes-deep,
MobileFaceNet, MobileFace) and any ArcFace-format model a city licenses: they differ
only in crop size and framing, pixel scaling, colour order, layout and output name
(:class:`InputSpec`), each found by measurement (docs/faces.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from kuzet.faces.align import DetectedFace, align
from kuzet.faces.landmarks import DlibLandmarker


@dataclass(frozen=True)
class InputSpec:
    """How a network wants its face: ``(pixel - mean) / std`` in ``colour`` order."""

    size: int = 112
    crop_scale: float = 1.0  # face size in the crop; 1 = ArcFace's 112 px template
    mean: float = 127.5
    std: float = 127.5
    colour: Literal["rgb", "bgr", "gray"] = "rgb"  # gray: luma in all three channels
    layout: Literal["nchw", "nhwc"] = "nchw"
    output: str | None = None  # None: the model's first output

    def tensor(self, crops: list[np.ndarray]) -> np.ndarray:
        """BGR uint8 crops ``[size, size, 3]`` -> the network's float32 batch."""
        x = np.stack(crops).astype(np.float32)
        if self.colour == "rgb":
            x = x[..., ::-1]
        elif self.colour == "gray":
            luma = x @ np.array([0.114, 0.587, 0.299], np.float32)
            x = np.repeat(luma[..., None], 3, axis=-1)
        x = (x - np.float32(self.mean)) / np.float32(self.std)
        if self.layout == "nchw":
            x = x.transpose(0, 3, 1, 2)
        return np.ascontiguousarray(x, np.float32)


def l2_normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), np.float32(1e-12))


class OnnxEmbedder:
    """``embed(bgr, face)``: align on the landmarks, run, L2-normalise (float32)."""

    def __init__(
        self,
        name: str,
        model: Path,
        spec: InputSpec,
        threshold: float | None = None,
        landmarker: DlibLandmarker | None = None,
    ) -> None:
        """``landmarker`` replaces a detector's coarse keypoints (BlazeFace) by dlib's."""
        import onnxruntime as ort

        self.name = name
        self.landmarker = landmarker
        self.spec = spec
        self.threshold = threshold
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # one face at a time, cameras run in parallel
        try:
            self._sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ValueError(f"{model}: not a loadable ONNX model ({exc})") from None
        inp = self._sess.get_inputs()[0]
        self._input = inp.name
        outs = [o.name for o in self._sess.get_outputs()]
        if spec.output is not None and spec.output not in outs:
            raise ValueError(f"{model}: no output {spec.output!r} (has {', '.join(outs)})")
        self._output = spec.output or outs[0]
        shape = list(inp.shape)
        hw = shape[2:4] if spec.layout == "nchw" else shape[1:3]
        if len(shape) != 4 or any(isinstance(d, int) and d != spec.size for d in hw):
            raise ValueError(
                f"{model}: input {inp.name!r} is {shape}, expected a {spec.layout.upper()}"
                f" image of {spec.size}x{spec.size}"
            )
        probe = self._sess.run([self._output], {self._input: spec.tensor([self._blank()])})[0]
        if probe.ndim != 2:
            raise ValueError(f"{model}: output {self._output!r} is {probe.shape}, not [N, dim]")
        self.dim = int(probe.shape[1])

    def _blank(self) -> np.ndarray:
        return np.zeros((self.spec.size, self.spec.size, 3), np.uint8)

    def crop(self, bgr: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The aligned crop this network sees (BGR uint8)."""
        if self.landmarker is not None:
            face = self.landmarker.refine(bgr, face)
        return align(bgr, face, self.spec.size, self.spec.crop_scale)

    def embed_crops(self, crops: list[np.ndarray]) -> np.ndarray:
        """Templates ``[N, dim]`` of already aligned crops."""
        out = self._sess.run([self._output], {self._input: self.spec.tensor(crops)})[0]
        return l2_normalise(out.reshape(len(crops), -1))

    def embed(self, bgr: np.ndarray, face: DetectedFace) -> np.ndarray:
        return self.embed_crops([self.crop(bgr, face)])[0]
