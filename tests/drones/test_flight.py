"""A recorded flight: REAL footage (vtest.avi, first 10 s) + SYNTHETIC telemetry.

vtest.avi was not filmed from a drone; the telemetry below (written with pymavlink for
this test) pretends it was: 30 m up, heading 45°, gimbal 45° down, creeping north at
1 m/s. The people NanoDet finds in the real frames are then placed on the map, and each
placement is checked against the same geometry worked out with plain trigonometry.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.drones.flightlog import Sample, write_tlog

from kuzet.config.drones import DroneCameraConfig, DroneConfig, MavlinkTelemetryConfig
from kuzet.config.models import NanoDetConfig
from kuzet.drones.flight import analyze_flight
from kuzet.drones.mavlink import read_mavlink
from kuzet.vision import create_detector
from kuzet.vision.detector import Detector

T0 = 1_796_000_000.0
LAT0, LON0 = 43.2389, 76.8897
M_PER_DEG = math.pi / 180 * 6_371_008.8  # sphere, for the hand check
HFOV, PITCH, YAW, AGL, SPEED = 60.0, -45.0, 45.0, 30.0, 1.0


@pytest.fixture(scope="module")
def detector() -> Detector:
    return create_detector(NanoDetConfig(threads=1))


def flight(tmp_path: Path, video: Path, *, gap: tuple[float, float] | None = None) -> DroneConfig:
    samples = []
    for i in range(int(12 / 0.25)):
        t = i * 0.25
        if gap and gap[0] < t < gap[1]:
            continue
        samples.append(
            Sample(
                t=T0 + t,
                lat=LAT0 + SPEED * t / M_PER_DEG,
                lon=LON0,
                alt=AGL,
                yaw=YAW,
                gimbal_pitch=PITCH,
            )
        )
    log = write_tlog(tmp_path / "flight.tlog", samples)
    return DroneConfig(
        id="drone-1",
        url=str(video),
        telemetry=MavlinkTelemetryConfig(url=str(log)),
        camera=DroneCameraConfig(hfov_deg=HFOV),
        max_gap_s=1.0,
    )


def by_hand(u: float, v: float, w: int, h: int) -> tuple[float, float]:
    """North/east metres of a pixel's ground point, with plain trigonometry."""
    f = (w / 2) / math.tan(math.radians(HFOV / 2))
    dv, du = v - h / 2, u - w / 2
    depression = math.radians(-PITCH) + math.atan2(dv, f)  # below the horizon
    slant_f = math.hypot(f, dv)  # length of the ray's projection on the vertical plane
    ahead = AGL / math.tan(depression)  # along the heading
    right = du * (AGL / math.sin(depression)) / slant_f  # across it
    y = math.radians(YAW)
    return ahead * math.cos(y) - right * math.sin(y), ahead * math.sin(y) + right * math.cos(y)


def test_flight_events_carry_hand_checked_map_positions(
    tmp_path: Path, vtest_clip: Path, detector: Detector
) -> None:
    drone = flight(tmp_path, vtest_clip)
    tel = read_mavlink(drone.telemetry.url)  # type: ignore[union-attr]
    res = analyze_flight(drone, tel, detector, fps=5.0, max_seconds=8.0)
    assert res.frames >= 39 and res.frames_without_telemetry == 0
    people = [e for e in res.events if e.class_name == "person"]
    assert len(people) >= 3, [e.class_name for e in res.events]
    for e in res.events:
        a = e.attributes
        assert a["projection"] == "flat_ground" and a["drone"] is True
        assert e.camera_id == "drone-1" and e.type == "drone_detection"
        assert e.ts.timestamp() == pytest.approx(T0 + e.pts, abs=1e-3)
        # the drone where the synthetic log put it at that frame's time
        assert a["drone_lat"] == pytest.approx(LAT0 + SPEED * e.pts / M_PER_DEG, abs=2e-7)
        u, v = a["foot_px"]
        assert e.box is not None and v == pytest.approx(e.box[3], abs=0.06)
        north, east = by_hand(u, v, 768, 576)
        lat = a["drone_lat"] + north / M_PER_DEG
        lon = a["drone_lon"] + east / (M_PER_DEG * math.cos(math.radians(LAT0)))
        err = math.hypot(
            (a["lat"] - lat) * M_PER_DEG,
            (a["lon"] - lon) * M_PER_DEG * math.cos(math.radians(LAT0)),
        )
        # sphere (hand) vs WGS84 tangent plane (Kuzet): 0.3 % of the range at most
        assert err < 0.01 + 0.003 * a["range_m"], (e.track_id, err, a)
        assert 20 < a["range_m"] < 200
    # ids are deterministic: a replay of the same flight gives the same events
    again = analyze_flight(drone, tel, detector, fps=5.0, max_seconds=8.0)
    assert [e.id for e in again.events] == [e.id for e in res.events]


def test_frames_in_a_telemetry_gap_are_skipped_and_reported(
    tmp_path: Path, vtest_clip: Path, detector: Detector
) -> None:
    drone = flight(tmp_path, vtest_clip, gap=(2.0, 6.0))
    res = analyze_flight(
        drone,
        read_mavlink(drone.telemetry.url),
        detector,  # type: ignore[union-attr]
        fps=5.0,
        max_seconds=8.0,
    )
    # 4 s hole in a 1 s max gap: the frames strictly between 2.0 and 6.0 s
    assert 18 <= res.frames_without_telemetry <= 20
    assert "gap of 4.0 s" in res.telemetry_errors[0]
    assert all(not (2.0 < e.pts < 6.0) for e in res.events)
