"""FlightAnalyzer logic with a scripted detector (SYNTHETIC boxes, made-up telemetry): a
track first seen above the horizon is placed once it comes below it; frames without
telemetry still let time pass for the tracks."""

from __future__ import annotations

import numpy as np

from kuzet.config.drones import DroneCameraConfig, DroneConfig, MavlinkTelemetryConfig
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.drones.flight import FlightAnalyzer
from kuzet.drones.telemetry import Series, Telemetry

T0 = 1_796_000_000.0


class Scripted:
    """One person whose box slides down the picture 10 px a frame."""

    labels = COCO_CLASSES

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        foot = 200 + 10 * self.calls
        self.calls += 1
        box = np.array([[300, foot - 80, 340, foot]], np.float32)
        return [Detections(box, np.array([0.9], np.float32), np.array([0]))]


def level_flight(seconds: float = 5.0) -> Telemetry:
    ts = np.arange(0, seconds, 0.25)
    pos = [(T0 + t, {"lat": 43.2389, "lon": 76.8897, "alt": 20.0, "alt_amsl": 820.0}) for t in ts]
    att = [(T0 + t, {"yaw": 0.0, "pitch": 0.0, "roll": 0.0}) for t in ts]
    gim = [(T0 + t, {"yaw": 0.0, "pitch": 0.0, "roll": 0.0}) for t in ts]  # looking level
    return Telemetry("test", Series.build("position", pos), Series.build("attitude", att),
                     Series.build("gimbal", gim))  # fmt: skip


def test_a_track_above_the_horizon_is_placed_when_it_comes_below() -> None:
    drone = DroneConfig(id="d", url="x.mp4", telemetry=MavlinkTelemetryConfig(url="x.tlog"),
                        camera=DroneCameraConfig(hfov_deg=90.0))  # fmt: skip
    an = FlightAnalyzer(drone, level_flight(), Scripted(), fps=5.0)
    image = np.zeros((480, 640, 3), np.uint8)
    placed_at = []
    for i in range(8):  # feet at v = 200, 210, ... 270; the horizon is v = 240
        out = an.feed(Frame("d", i, i * 0.2, 0.0, image))
        placed_at += [(i, e.attributes["foot_px"][1]) for e in out]
    assert an.result.off_ground == 1  # one track, counted once
    assert len(placed_at) == 1
    i, v = placed_at[0]
    assert v > 240 and i == 5  # the first frame below the horizon
    # 20 m up, level camera, f = 320 px: a foot 10 px below the centre is 20 * 320 / 10 m away
    (e,) = an.result.events
    assert e.attributes["range_m"] == 640.0
