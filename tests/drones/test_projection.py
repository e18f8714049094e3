"""Flat-ground projection against values worked out by hand (trigonometry on paper)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kuzet.config.drones import DroneCameraConfig
from kuzet.drones import Pose, View, project
from kuzet.drones.projection import latlon_to_offset, offset_to_latlon

LAT, LON = 43.2389, 76.8897  # Almaty
CAM90 = DroneCameraConfig(hfov_deg=90.0)
W, H = 768, 576


def pose(**kw: float | None) -> Pose:
    base: dict = {
        "t": 0.0,
        "lat": LAT,
        "lon": LON,
        "alt_m": 100.0,
        "alt_amsl_m": 900.0,
        "yaw_deg": 0.0,
        "pitch_deg": 0.0,
        "roll_deg": 0.0,
    }
    base.update(kw)
    return Pose(**base)


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


def test_nadir_centre_is_under_the_drone_and_edges_at_tan_half_fov() -> None:
    # straight down from 100 m, hfov 90°: f = 384 px; the right edge is 100*tan(45°) = 100 m
    # east; the top edge is 100 * 288/384 = 75 m north (the image's top faces the heading).
    view = View(pose(gimbal_pitch_deg=-90.0), W, H, CAM90)
    centre, right, top = project(view, np.array([[384, 288], [768, 288], [384, 0]]))
    assert centre is not None and right is not None and top is not None
    assert centre.lat == pytest.approx(LAT, abs=1e-9) and centre.lon == pytest.approx(LON, abs=1e-9)
    assert (right.north_m, right.east_m) == pytest.approx((0.0, 100.0), abs=1e-6)
    assert (top.north_m, top.east_m) == pytest.approx((75.0, 0.0), abs=1e-6)
    # on the map: 100 m due east, 75 m due north (sphere vs ellipsoid: within 0.5 %)
    assert haversine(LAT, LON, right.lat, right.lon) == pytest.approx(100.0, rel=5e-3)
    assert right.lat == pytest.approx(LAT, abs=1e-9) and right.lon > LON
    assert haversine(LAT, LON, top.lat, top.lon) == pytest.approx(75.0, rel=5e-3)


def test_oblique_gimbal_heading_east() -> None:
    # heading 90° (east), gimbal 30° below the horizon, 50 m up: the centre ray meets the
    # ground 50 / tan(30°) = 86.60 m east. The bottom row looks down 30° + atan(288/384)
    # = 66.870°: 50 / tan(66.870°) = 50 / 2.34104 = 21.358 m east.
    view = View(pose(alt_m=50.0, yaw_deg=90.0, gimbal_pitch_deg=-30.0), W, H, CAM90)
    centre, bottom = project(view, np.array([[384, 288], [384, 576]]))
    assert centre is not None and bottom is not None
    assert (centre.north_m, centre.east_m) == pytest.approx((0.0, 86.6025), abs=1e-3)
    assert (bottom.north_m, bottom.east_m) == pytest.approx((0.0, 21.358), abs=1e-3)


def test_gimbal_yaw_is_relative_unless_absolute() -> None:
    # airframe heading 90°, gimbal turned -90° relative: the camera looks north
    rel = View(pose(yaw_deg=90.0, gimbal_pitch_deg=-45.0, gimbal_yaw_deg=-90.0), W, H, CAM90)
    (p,) = project(rel, np.array([[384, 288]]))
    assert p is not None and (p.north_m, p.east_m) == pytest.approx((100.0, 0.0), abs=1e-6)
    ab = View(
        pose(yaw_deg=90.0, gimbal_pitch_deg=-45.0, gimbal_yaw_deg=180.0, gimbal_yaw_absolute=True),
        W,
        H,
        CAM90,
    )
    (q,) = project(ab, np.array([[384, 288]]))
    assert q is not None and (q.north_m, q.east_m) == pytest.approx((-100.0, 0.0), abs=1e-6)


def test_fixed_mount_rides_on_the_airframe_pitch() -> None:
    # camera bolted straight down; the nose pitched up 10° tilts it forward:
    # 100 * tan(10°) = 17.63 m ahead (north)
    view = View(pose(pitch_deg=10.0), W, H, DroneCameraConfig(hfov_deg=90.0))
    (p,) = project(view, np.array([[384, 288]]))
    assert p is not None and (p.north_m, p.east_m) == pytest.approx((17.6327, 0.0), abs=1e-3)


def test_above_horizon_and_out_of_range_are_not_placed() -> None:
    level = View(pose(gimbal_pitch_deg=0.0), W, H, CAM90)
    above, below = project(level, np.array([[384, 100], [384, 500]]), max_range_m=1e6)
    assert above is None and below is not None
    # 100 m up, looking down 1.1° -> about 5.2 km away: beyond a 2 km range
    far = View(pose(gimbal_pitch_deg=-1.1), W, H, CAM90)
    assert project(far, np.array([[384, 288]]), max_range_m=2000.0) == [None]


def test_ground_alt_uses_amsl_altitude() -> None:
    # 900 m AMSL over ground at 850 m AMSL: 50 m up, not the home-relative 100 m
    view = View(pose(gimbal_pitch_deg=-90.0), W, H, CAM90, ground_alt_m=850.0)
    (right,) = project(view, np.array([[768, 288]]))
    assert right is not None and right.east_m == pytest.approx(50.0, abs=1e-6)


def test_homography_agrees_with_ray_casting() -> None:
    view = View(pose(yaw_deg=33.0, gimbal_pitch_deg=-60.0, gimbal_roll_deg=2.0), W, H, CAM90)
    uv = np.array([[10.0, 400.0], [700.0, 500.0], [384.0, 288.0]])
    ne, ok = view.ground_offsets(uv)
    assert ok.all()
    h = view.ground_to_pixel_h()
    back = np.c_[ne, np.ones(3)] @ h.T
    assert back[:, :2] / back[:, 2:] == pytest.approx(uv, abs=1e-6)


def test_latlon_offsets_round_trip() -> None:
    lat, lon = offset_to_latlon(LAT, LON, np.array([123.0]), np.array([-456.0]))
    n, e = latlon_to_offset(LAT, LON, lat, lon)
    assert (float(n[0]), float(e[0])) == pytest.approx((123.0, -456.0), abs=1e-6)
