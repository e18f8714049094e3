"""Session fixtures: the NanoDet conversion runs once per test session (cached on disk too)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kuzet.assets import ensure
from kuzet.vision.models import pull
from kuzet.vision.nanodet import NanoDetDetector


@pytest.fixture(scope="session")
def nanodet_onnx() -> Path:
    return pull("nanodet", 416, quiet=True)


@pytest.fixture(scope="session")
def nanodet(nanodet_onnx: Path) -> NanoDetDetector:
    return NanoDetDetector(nanodet_onnx, 416, threads=2)


@pytest.fixture(scope="session")
def bus() -> np.ndarray:
    return cv2.imread(str(ensure("bus.jpg")))


@pytest.fixture(scope="session")
def zidane() -> np.ndarray:
    return cv2.imread(str(ensure("zidane.jpg")))


@pytest.fixture(scope="session")
def vtest_frame() -> np.ndarray:
    cap = cv2.VideoCapture(str(ensure("vtest.avi")))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 100)
    ok, frame = cap.read()
    cap.release()
    assert ok
    return frame
