"""PP-OCR text detection and recognition from the ``rapidocr`` wheel's bundled ONNX models.

The model files are passed by path, so rapidocr never looks for (or downloads) others;
the angle classifier is off (plates are upright within the rotation :mod:`.finder`
corrects). One intra-op thread: a node runs many cameras, parallelism is per camera.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"


def model_dir() -> Path:
    """Where the wheel keeps its models (no network, no cache directory)."""
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


@dataclass(frozen=True, slots=True)
class TextBox:
    quad: np.ndarray  # 4 x 2 float32, clockwise from top-left, in the image given
    score: float


class PlateOcr:
    """Text boxes and text lines, both from PP-OCRv6 small."""

    def __init__(self, det_side: int = 640, threads: int = 1) -> None:
        from rapidocr import RapidOCR

        root = model_dir()
        for name in (DET_MODEL, REC_MODEL):
            if not (root / name).is_file():
                raise RuntimeError(f"rapidocr model {name} missing in {root}")
        params: dict[str, Any] = {
            "Global.use_cls": False,
            "Global.log_level": "warning",
            "Det.model_path": str(root / DET_MODEL),
            "Rec.model_path": str(root / REC_MODEL),
            "Det.limit_type": "max",
            "Det.limit_side_len": det_side,
            "Det.box_thresh": 0.4,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        engine = RapidOCR(params=params)
        # its two stages, loaded now (rapidocr 3.10 loads them lazily on the first image)
        self._det = engine._load_det_model()
        self._rec = engine._load_rec_model()
        self._lock = threading.Lock()  # onnxruntime sessions are shared by camera threads

    def detect(self, image: np.ndarray) -> list[TextBox]:
        """Text boxes with their own scores. rapidocr 3.10's detector sorts its boxes into
        reading order but not their scores, so its output pairs boxes with other boxes'
        scores; its three steps are run here instead (reading order is not needed)."""
        det = self._det
        x = det.get_preprocess()(image)
        if x is None:
            return []
        with self._lock:
            preds = det.session(x)
        boxes, scores = det.postprocess_op(preds, image.shape[:2])
        return [
            TextBox(np.asarray(b, np.float32).reshape(4, 2), float(s))
            for b, s in zip(boxes, scores, strict=True)
        ]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec.typings import TextRecInput

        with self._lock:
            out = self._rec(TextRecInput(img=crops))
        txts = out.txts or ("",) * len(crops)
        return [(str(t), float(s)) for t, s in zip(txts, out.scores, strict=False)]
