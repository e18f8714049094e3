"""dlib's 128-d ResNet as an :class:`~kuzet.faces.embedders.Embedder`.

dlib aligns with its own 5-point shape predictor (run on the detector's box) and its
own chip, so the detector's landmarks are not used here.
"""

from __future__ import annotations

import threading

import numpy as np

from kuzet.assets import ensure
from kuzet.faces.align import DetectedFace
from kuzet.faces.embedders.onnx import l2_normalise
from kuzet.faces.landmarks import DlibLandmarker


class DlibEmbedder:
    name = "dlib"
    dim = 128

    def __init__(self, threshold: float | None = None) -> None:
        import dlib

        self.threshold = threshold
        self.landmarker = DlibLandmarker()
        self._net = dlib.face_recognition_model_v1(
            str(ensure("dlib_face_recognition_resnet_model_v1.dat", quiet=True))
        )
        self._lock = threading.Lock()  # dlib models are not documented as thread-safe

    def embed(self, bgr: np.ndarray, face: DetectedFace) -> np.ndarray:
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        if face.scheme == "dlib5":  # the points are dlib's already: rebuild its shape
            d = self.landmarker.dlib
            rect = d.rectangle(*(int(v) for v in face.box[:4]))
            pts = [d.point(round(float(x)), round(float(y))) for x, y in face.landmarks]
            shape = d.full_object_detection(rect, pts)
        else:
            shape = self.landmarker.shape(rgb, face.box)
        with self._lock:
            vec = np.asarray(self._net.compute_face_descriptor(rgb, shape), np.float32)
        return l2_normalise(vec)
