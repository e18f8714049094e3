"""Detection: the Detector interface and registry, NanoDet and YOLO on ONNX Runtime,
and the TF.js -> ONNX converter (:mod:`kuzet.vision.tfjs`)."""

from kuzet.vision.detector import DETECTORS, Detector, create_detector
from kuzet.vision.models import list_models, pull

__all__ = ["DETECTORS", "Detector", "create_detector", "list_models", "pull"]
