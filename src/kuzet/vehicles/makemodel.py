"""Make/model classifier slot: the site's own ONNX image classifier over the vehicle crop.

No registry package ships offline make/model weights (docs/vehicles.md), so Kuzet ships
none: the config names an ONNX file, its input size, layout and normalisation, and a
labels file (``Make|Model`` a line, in output order). Scores of a track's looks are
averaged; below ``min_confidence`` no make or model is given (never a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kuzet.config.vehicles import MakeModelConfig
from kuzet.vision.runtime import make_session


class MakeModelError(ValueError):
    """The slot's files do not fit together (message names the field and file)."""


@dataclass(frozen=True, slots=True)
class MakeModel:
    make: str | None
    model: str | None
    confidence: float


def read_labels(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MakeModelError(f"vehicles.make_model.labels: cannot read {path}: {exc}") from None
    labels = [line.strip() for line in text.splitlines()]
    while labels and not labels[-1]:
        labels.pop()
    for i, label in enumerate(labels, 1):
        if not label:
            raise MakeModelError(f"vehicles.make_model.labels: {path} line {i} is empty")
    if not labels:
        raise MakeModelError(f"vehicles.make_model.labels: {path} has no label")
    return labels


class MakeModelClassifier:
    """One per site, shared by its cameras (an ONNX Runtime session may be run from
    several threads at once)."""

    def __init__(self, cfg: MakeModelConfig) -> None:
        self.cfg = cfg
        self.labels = read_labels(cfg.labels)
        if not cfg.model.is_file():
            raise MakeModelError(f"vehicles.make_model.model: no such file {cfg.model}")
        try:
            self.session = make_session(str(cfg.model), threads=cfg.threads)
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise MakeModelError(
                f"vehicles.make_model.model: {cfg.model} is not a usable ONNX model: {exc}"
            ) from None
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or not outputs:
            raise MakeModelError(
                f"vehicles.make_model.model: {cfg.model} must have one input and an output"
            )
        self.input_name = inputs[0].name
        n = int(self.scores(np.zeros((16, 16, 3), np.uint8)).shape[0])
        if n != len(self.labels):
            raise MakeModelError(
                f"vehicles.make_model: {cfg.model} gives {n} scores but {cfg.labels} has "
                f"{len(self.labels)} labels"
            )

    def tensor(self, crop: np.ndarray) -> np.ndarray:
        """The input tensor of one BGR crop (1, 3, H, W) or (1, H, W, 3)."""
        c = self.cfg
        img = cv2.resize(crop, (c.input_width, c.input_height), interpolation=cv2.INTER_AREA)
        if c.channels == "rgb":
            img = img[..., ::-1]
        x = (img.astype(np.float32) * np.float32(c.scale) - np.asarray(c.mean, np.float32)) / (
            np.asarray(c.std, np.float32)
        )
        x = x[None]
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2) if c.layout == "nchw" else x)

    def scores(self, crop: np.ndarray) -> np.ndarray:
        """Probabilities over the labels for one crop."""
        out = np.asarray(self.session.run(None, {self.input_name: self.tensor(crop)})[0])
        s = out.reshape(-1).astype(np.float64)
        if self.cfg.output == "logits":
            e = np.exp(s - s.max())
            s = e / e.sum()
        return s

    def decide(self, mean_scores: np.ndarray) -> MakeModel:
        """The label of averaged scores, or no make/model below ``min_confidence``."""
        i = int(np.argmax(mean_scores))
        conf = round(float(mean_scores[i]), 3)
        if conf < self.cfg.min_confidence:
            return MakeModel(None, None, conf)
        make, _, model = self.labels[i].partition(self.cfg.separator)
        return MakeModel(make.strip() or None, model.strip() or None, conf)
