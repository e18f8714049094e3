"""The typed data that flows through the pipeline. No I/O, imports nothing else of Kuzet."""

from kuzet.core.camera import CameraState, CameraStatus
from kuzet.core.detections import Detections
from kuzet.core.event import Event, event_id
from kuzet.core.frame import Frame
from kuzet.core.labels import COCO_CLASSES, class_id_of
from kuzet.core.records import CameraInfo, DeviceInfo, EventQuery
from kuzet.core.registry import Registry

__all__ = [
    "COCO_CLASSES",
    "CameraInfo",
    "CameraState",
    "CameraStatus",
    "Detections",
    "DeviceInfo",
    "Event",
    "EventQuery",
    "Frame",
    "Registry",
    "class_id_of",
    "event_id",
]
