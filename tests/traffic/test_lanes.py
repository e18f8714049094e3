"""Lane aggregation over synthetic tracks (logic only: made-up tracks with known counts,
speeds, occupancy and queues; no footage)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from kuzet.config.traffic_analytics import TrafficConfig
from kuzet.rules.geometry import homography
from kuzet.traffic.lanes import ClosedBin, Lane, LaneAggregator
from kuzet.traffic.stats import LaneBin, rollup

FPS = 5.0
T0 = 1_800_000_000.0  # a minute boundary (divisible by 60)
# 10 px = 1 m: image square 100 px -> ground square 10 m
H = homography(
    np.array([(0, 0), (100, 0), (100, 100), (0, 100)], float),
    np.array([(0, 0), (10, 0), (10, 10), (0, 10)], float),
)
LANE = np.array([(0, 0), (200, 0), (200, 1000), (0, 1000)], float)  # 20 m x 100 m
LANE2 = np.array([(300, 0), (500, 0), (500, 1000), (300, 1000)], float)


@dataclass
class Car:
    tid: int
    cls: str
    t_in: float  # seconds after T0 when it appears at y=-50 px (outside the lane)
    kmh: float
    x: float = 100.0
    stop_y: float | None = None  # stops here and stays

    def at(self, t: float) -> tuple[float, float] | None:
        dt = t - self.t_in
        if dt < 0:
            return None
        y = -50.0 + dt * self.kmh / 3.6 * 10.0
        if self.stop_y is not None:
            y = min(y, self.stop_y)
        if y > 1050:
            return None
        return (self.x, y)


def drive(agg: LaneAggregator, cars: list[Car], until: float) -> list[ClosedBin]:
    out: list[ClosedBin] = []
    for k in range(int(until * FPS) + 1):
        t = k / FPS
        seen = [(c, p) for c in cars if (p := c.at(t)) is not None]
        tids = np.array([c.tid for c, _ in seen], np.int64)
        pts = np.array([p for _, p in seen], float).reshape(-1, 2)
        out += agg.update(T0 + t, tids, [c.cls for c, _ in seen], pts)
    return out


def agg(**kw: object) -> LaneAggregator:
    lanes = [Lane("north", "n1", "seg-n", LANE, np.array([10.0, 10.0]))]
    return LaneAggregator(lanes, TrafficConfig(**kw), H)  # type: ignore[arg-type]


def test_counts_by_class_per_minute() -> None:
    cars = [Car(1, "car", 0, 36), Car(2, "car", 5, 36), Car(3, "bus", 10, 36),
            Car(4, "truck", 65, 36), Car(5, "car", 70, 36), Car(6, "person", 5, 36)]  # fmt: skip
    closed = drive(agg(), cars, 125)
    assert [c.start - T0 for c in closed] == [0, 60]
    first, second = closed[0].lanes[0][1], closed[1].lanes[0][1]
    assert first.counts == {"car": 2, "bus": 1}  # the person is not a vehicle
    assert second.counts == {"truck": 1, "car": 1}


def test_mean_speed_through_the_calibration() -> None:
    cars = [Car(1, "car", 0, 36), Car(2, "car", 2, 54), Car(3, "car", 4, 72, x=50)]
    closed = drive(agg(), cars, 61)
    b = closed[0].lanes[0][1]
    assert b.speed_n == 3
    assert b.figures()["mean_speed_kmh"] == pytest.approx((36 + 54 + 72) / 3, abs=0.01)


def test_occupancy_is_the_share_of_time_a_vehicle_is_in_the_lane() -> None:
    # 100 m lane at 12 km/h: from y=0 to y=1000 px takes 30 s exactly (entry 0.5 s after t_in)
    closed = drive(agg(), [Car(1, "car", 10, 12)], 60)
    b = closed[0].lanes[0][1]
    assert b.observed_s == pytest.approx(60.0)
    # frames are 0.2 s apart: the anchor is first inside at the frame at or after 10.5 s
    # and last inside at the frame at or before 40.5 s -> 30 s within one frame
    assert b.occupied_s == pytest.approx(30.0, abs=0.21)
    assert b.figures()["occupancy"] == pytest.approx(0.5, abs=0.004)


def test_unobserved_gap_is_not_counted_as_time() -> None:
    a = agg(max_gap_s=2.0)
    a.update(T0, np.array([1]), ["car"], np.array([[100.0, 500.0]]))
    a.update(T0 + 1, np.array([1]), ["car"], np.array([[100.0, 500.0]]))
    a.update(T0 + 30, np.array([1]), ["car"], np.array([[100.0, 500.0]]))  # 29 s gap
    closed = a.update(T0 + 61, np.empty(0, np.int64), [], np.empty((0, 2)))
    b = closed[0].lanes[0][1]
    assert b.observed_s == pytest.approx(1.0)
    assert b.occupied_s == pytest.approx(1.0)


def test_queue_in_vehicles_and_metres() -> None:
    # three cars stop at 30, 45 and 60 m from the top; the lane head is at y=100 px (10 m)
    cars = [Car(1, "car", 0, 36, stop_y=300), Car(2, "car", 3, 36, stop_y=450),
            Car(3, "car", 6, 36, stop_y=600)]  # fmt: skip
    closed = drive(agg(), cars, 60)
    f = closed[0].lanes[0][1].figures()
    assert f["queue_max_veh"] == 3
    assert f["queue_max_m"] == pytest.approx(50.0, abs=0.01)  # 60 m - the head's 10 m
    # all three stand still from ~12 s on (car 3 arrives at 6 + 65/10 s = 12.5 s)
    assert 2.5 < f["queue_mean_veh"] < 3.0
    assert f["count"] == 3


def test_lanes_are_kept_apart() -> None:
    lanes = [Lane("north", "n1", "seg", LANE), Lane("north", "n2", "seg", LANE2)]
    a = LaneAggregator(lanes, TrafficConfig(), H)
    cars = [Car(1, "car", 0, 36), Car(2, "car", 1, 36, x=400), Car(3, "car", 2, 36, x=400)]
    closed = drive(a, cars, 60)
    counts = [b.count for _, b in closed[0].lanes]
    assert counts == [1, 2]


def test_finish_closes_the_open_minute_as_partial() -> None:
    a = agg()
    drive(a, [Car(1, "car", 0, 36)], 20)
    closed = a.finish()
    assert len(closed) == 1 and closed[0].partial
    assert closed[0].lanes[0][1].speed_n == 1  # booked at the end of the source


def test_rollup_sums_minutes_into_quarter_hours() -> None:
    rows = []
    for m in range(30):
        b = LaneBin(counts={"car": m}, speed_n=1, speed_sum_kmh=30.0 + m,
                    observed_s=60.0, occupied_s=6.0 * (m % 2), queue_max_veh=m % 7)  # fmt: skip
        rows.append((T0 + 60 * m, b))
    q = rollup(rows, 900)
    assert [s - T0 for s, _ in q] == [0, 900]
    assert q[0][1].count == sum(range(15))
    assert q[1][1].count == sum(range(15, 30))
    f = q[0][1].figures()
    assert f["mean_speed_kmh"] == pytest.approx(30 + 7.0)
    assert f["occupancy"] == pytest.approx(7 * 6 / 900, abs=1e-4)
    assert f["queue_max_veh"] == 6
    five = rollup(rows, 300)
    assert len(five) == 6 and five[0][1].count == sum(range(5))
