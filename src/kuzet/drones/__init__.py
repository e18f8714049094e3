"""Drones: moving cameras placed on the map by their telemetry (docs/drones.md)."""

from kuzet.drones.projection import PROJECTION, GroundPoint, View, project
from kuzet.drones.telemetry import Pose, Telemetry, TelemetryError, TelemetryGap

__all__ = [
    "PROJECTION",
    "GroundPoint",
    "Pose",
    "Telemetry",
    "TelemetryError",
    "TelemetryGap",
    "View",
    "project",
]
