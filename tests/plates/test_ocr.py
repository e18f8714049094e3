"""PlateOcr's use of rapidocr's detector: each text box keeps its own score."""

from __future__ import annotations

import threading

import numpy as np
from rapidocr.ch_ppocr_det.main import TextDetector

from kuzet.plates.ocr import PlateOcr


def _quad(x: float, y: float, w: float = 120, h: float = 30) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def test_each_box_keeps_its_own_score() -> None:
    # rapidocr's real detector object with its network and DB step replaced: the DB step
    # gives boxes bottom line first (as contours come), each with a score we know
    boxes = np.array([_quad(10, 200), _quad(10, 100), _quad(10, 5)], np.float32)
    scores = [0.9, 0.5, 0.7]
    det = object.__new__(TextDetector)
    det.limit_side_len, det.limit_type, det.mean, det.std = 640, "max", None, None
    det.session = lambda x: np.zeros((1, 1, *x.shape[2:]), np.float32)
    det.postprocess_op = lambda preds, shape: (boxes, scores)
    ocr = object.__new__(PlateOcr)
    ocr._det, ocr._lock = det, threading.Lock()
    got = {
        round(float(b.quad[0, 1])): b.score for b in ocr.detect(np.zeros((320, 640, 3), np.uint8))
    }
    assert got == {200: 0.9, 100: 0.5, 5: 0.7}
