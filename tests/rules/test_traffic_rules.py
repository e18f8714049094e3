"""stop_line, bus_lane, solid_line, illegal_stopping and speeding's uncertainty.

Tracks are synthetic (scripted logic inputs); signals come from a controller board so no
picture is needed.
"""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pydantic import ValidationError
from tests.rules.helpers import T0, dets, run, run_events, scene

from kuzet.config.rules import CalibrationConfig
from kuzet.core import COCO_CLASSES, Event, Frame
from kuzet.rules.engine import SceneEngine
from kuzet.rules.signals import SignalBoard
from kuzet.rules.speed_error import calibration_relative_error, ema_noise_gain

FPS = 5.0
ROAD = {"name": "road", "points": [[0, 0], [640, 0], [640, 480], [0, 480]]}
STOP = {"name": "stop", "points": [[100, 300], [600, 300]], "in_point": [350, 200]}
CROSSWALK = {"name": "crosswalk", "points": [[100, 240], [600, 240], [600, 299], [100, 299]]}


def car(tid: int, x: float, y: float, cls: str = "car") -> tuple:
    return (tid, x, y, cls, 0.9, 60, 40)


def run_board(cfg: object, board: SignalBoard, script: list[list[tuple]]) -> list[Event]:
    engine = SceneEngine("cam", cfg, board=board)  # type: ignore[arg-type]
    engine.has_image = False
    out: list[Event] = []
    for i, rows in enumerate(script):
        frame = Frame("cam", i, i / FPS, T0 + i / FPS, np.zeros((1, 1, 3), np.uint8))
        out += engine.update(frame, dets(*rows), COCO_CLASSES)
    return out


def test_stop_line_creeping_over_on_red_and_stopping() -> None:
    board = SignalBoard()
    board.put("cam", "ctl", "red", T0 - 10)
    cfg = scene(
        lines=[STOP],
        zones=[CROSSWALK],
        signals=[{"name": "ctl", "source": "controller"}],
        rules=[
            {"type": "stop_line", "name": "sl", "signal": "ctl", "line": "stop",
             "zone": "crosswalk", "min_duration_s": 2.0},
            {"type": "red_light", "name": "rl", "signal": "ctl", "line": "stop",
             "zone": "crosswalk", "confirm_s": 1.0},
        ],
    )  # fmt: skip
    # car 1 creeps from y=330 to y=280 (20 px past the line) by frame 5 and stands there
    creep = [[car(1, 350, max(280.0, 330 - 10 * i))] for i in range(30)]
    # car 2 stops 2 px short of the line: never past it
    short = [[car(2, 250, max(302.0, 340 - 10 * i))] for i in range(30)]
    script = [a + b for a, b in zip(creep, short, strict=True)]
    events = run_board(cfg, board, script)
    stop = [e for e in events if e.type == "stop_line"]
    assert [(e.track_id, round(e.pts * FPS)) for e in stop] == [(1, 15)]
    a = stop[0].attributes
    assert a["violation"] is True and a["signal_state"] == "red"
    assert a["signal_source"] == "controller" and a["stopped_s"] == pytest.approx(2.0)
    assert a["overrun_px"] == pytest.approx(20.0)
    # red_light with the crosswalk as 'junction': the creeping car reached it too. The
    # two rules say different things and both are reported; a site picks what it enforces.
    assert [e.track_id for e in events if e.type == "red_light"] == [1]


def test_stop_line_not_when_the_light_turns_green_before_it_counts() -> None:
    board = SignalBoard()
    board.put("cam", "ctl", "red", T0 - 10)
    board.put("cam", "ctl", "green", T0 + 1.6)  # frame 8: before 2 s of standing
    cfg = scene(
        lines=[STOP],
        signals=[{"name": "ctl", "source": "controller"}],
        rules=[{"type": "stop_line", "name": "sl", "signal": "ctl", "line": "stop",
                "min_duration_s": 2.0}],
    )  # fmt: skip
    script = [[car(1, 350, max(280.0, 330 - 10 * i))] for i in range(30)]
    assert run_board(cfg, board, script) == []


def test_bus_lane_only_non_buses_only_in_the_schedule_and_long_enough() -> None:
    lane = {"name": "bus", "points": [[500, 0], [640, 0], [640, 480], [500, 480]]}
    peak = {"name": "peak", "windows": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                         "start": "07:00", "end": "10:00"}]}  # fmt: skip
    cfg = scene(
        zones=[lane],
        schedules=[peak],
        rules=[{"type": "bus_lane", "name": "bl", "zone": "bus", "schedule": "peak",
                "min_duration_s": 3.0, "exit_after_s": 1.0}],
    )  # fmt: skip
    # 10 s in the lane: a car, a bus; and a car cutting across it for 1 s (a right turn)
    script = [[car(1, 560, 450 - 8 * i), car(2, 600, 450 - 8 * i, "bus")] for i in range(50)]
    script += [[] for _ in range(10)]
    turn = [[car(3, 480 + 30 * i, 200)] for i in range(8)]  # x 480..690: in the lane ~1 s
    monday_8 = datetime(2025, 3, 3, 8, 0, tzinfo=ZoneInfo("Asia/Almaty")).timestamp()
    sunday_8 = datetime(2025, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Almaty")).timestamp()
    got = run(cfg, script + turn, t0=monday_8)
    # in the lane from frame 0; 3 s (and 2 frames) -> start at 15; gone after 49 -> end 55
    assert got == [(15, "bl", "start", 1), (55, "bl", "end", 1)]
    ev = run_events(cfg, script, t0=monday_8)[0]
    assert ev.attributes["violation"] is True and ev.attributes["vehicle_class"] == "car"
    assert ev.attributes["zone"] == "bus" and ev.attributes["schedule"] == "peak"
    assert run(cfg, script + turn, t0=sunday_8) == []  # outside the bus-lane hours


def test_solid_line_crossed_either_way_once_and_not_by_riding_it() -> None:
    # a bent solid line: down x=300 from y=0 to 240, then down-right to (400, 480)
    solid = {"name": "solid", "points": [[300, 0], [300, 240], [400, 480]], "min_distance": 6}
    cfg = scene(markings=[solid], rules=[{"type": "solid_line", "name": "sl", "marking": "solid"}])
    right = [[car(1, 250 + 10 * i, 100)] for i in range(12)]  # crosses x=300 going right
    left = [[car(2, 420 - 10 * i, 400)] for i in range(12)]  # crosses the slanted part going left
    # car 3 rides the paint: wanders within 5 px of the line, never clear on the far side
    ride = [[car(3, 300 + (4 if i % 2 else -4), 50 + 5 * i)] for i in range(20)]
    # car 4 drives past the open end below y=480... approximated by going round the top end
    around = [[car(4, 280 + 10 * i, -20)] for i in range(6)]
    n = max(len(right), len(left), len(ride), len(around))
    script = [[r[i][0] for r in (right, left, ride, around) if i < len(r)] for i in range(n)]
    events = run_events(cfg, script)
    assert sorted((e.track_id, round(e.pts * FPS)) for e in events) == [(1, 6), (2, 6)]
    assert all(e.attributes["violation"] and e.attributes["line"] == "solid" for e in events)


def test_illegal_stopping_in_the_zone_during_no_stopping_hours() -> None:
    kerb = {"name": "kerb", "points": [[0, 250], [640, 250], [640, 350], [0, 350]]}
    hours = {"name": "day", "windows": [{"start": "08:00", "end": "20:00"}]}
    cfg = scene(
        zones=[kerb],
        schedules=[hours],
        rules=[{"type": "illegal_stopping", "name": "ns", "zone": "kerb", "schedule": "day",
                "min_duration_s": 5.0, "exit_after_s": 1.0}],
    )  # fmt: skip
    parked = [[car(1, 200, 300), car(2, 400, 420)] for _ in range(40)]  # 2 stops off the kerb
    noon = datetime(2025, 3, 3, 12, 0, tzinfo=ZoneInfo("Asia/Almaty")).timestamp()
    night = datetime(2025, 3, 3, 23, 0, tzinfo=ZoneInfo("Asia/Almaty")).timestamp()
    events = run_events(cfg, parked, t0=noon)
    assert [(e.track_id, e.phase) for e in events] == [(1, "start")]
    a = events[0].attributes
    assert a["violation"] is True and a["vehicle_class"] == "car" and a["schedule"] == "day"
    assert a["stopped_s"] >= 5.0
    assert run_events(cfg, parked, t0=night) == []


CAL = {
    "image_points": [[0, 0], [100, 0], [100, 100], [0, 100]],
    "world_points": [[0, 0], [10, 0], [10, 10], [0, 10]],
}  # 0.1 m per pixel


def test_speeding_uncertainty_matches_the_jitter_it_claims() -> None:
    """200 cars at 20 m/s (72 km/h) with 2 px foot jitter: the spread of the measured
    speeds is what speed_uncertainty_kmh says (k = 2), calibration error switched off."""
    cfg = scene(
        zones=[ROAD],
        calibration={**CAL, "point_error_m": 0.0, "point_error_px": 0.0},
        rules=[{"type": "speeding", "name": "sp", "zone": "road", "limit_kmh": 30.0,
                "box_jitter_px": 2.0}],
    )  # fmt: skip
    rng = np.random.default_rng(7)
    script: list[list[tuple]] = [[] for _ in range(12)]
    for tid in range(200):
        x0, y = 20.0, 5.0 + 2.3 * tid  # 200 px/s = 20 m/s to the right, each on its row
        for i in range(12):
            jx, jy = rng.normal(0, 2.0, 2)
            script[i].append((tid, x0 + 40 * i + jx, y + jy, "car", 0.9, 4, 4))
    events = run_events(cfg, script)
    assert len(events) == 200
    speeds = np.array([e.attributes["speed_kmh"] for e in events])
    claimed = {e.attributes["speed_uncertainty_kmh"] for e in events}
    assert len(claimed) == 1  # same geometry and timing: the same uncertainty
    u = claimed.pop()
    assert speeds.std() * 2 == pytest.approx(u, rel=0.15)
    assert speeds.mean() == pytest.approx(72.0, abs=u / 4)
    a = events[0].attributes
    assert a["violation"] is True and a["limit_kmh"] == 30.0
    assert a["calibration"]["world_points"] == CAL["world_points"]
    assert np.allclose(a["calibration"]["homography"], [[0.1, 0, 0], [0, 0.1, 0], [0, 0, 1]])


def test_calibration_error_grows_outside_the_surveyed_points() -> None:
    cal = CalibrationConfig.model_validate({**CAL, "point_error_m": 0.1, "point_error_px": 0.0})
    inside = calibration_relative_error(cal, np.array([50.0, 50.0]), np.array([100.0, 0.0]))
    outside = calibration_relative_error(cal, np.array([400.0, 400.0]), np.array([100.0, 0.0]))
    assert 0.005 < inside < 0.03  # 10 cm on a 10 m square: about 1 %
    assert outside > 2 * inside


def test_ema_noise_gain_settles_to_the_closed_form() -> None:
    dt, tau = 0.2, 0.5
    alpha = 1 - math.exp(-dt / tau)
    steady = alpha * math.sqrt(2 / (2 - alpha)) / dt
    assert ema_noise_gain(2, dt, tau) == pytest.approx(math.sqrt(2) / dt)  # the raw difference
    assert ema_noise_gain(200, dt, tau) == pytest.approx(steady, rel=1e-6)


def test_beyond_uncertainty_spares_a_car_within_its_error() -> None:
    rule = {"type": "speeding", "name": "sp", "zone": "road", "limit_kmh": 70.0,
            "box_jitter_px": 2.0, "min_duration_s": 0.6}  # fmt: skip
    script = [[car(1, 20 + 40 * i, 50)] for i in range(12)]  # exactly 72 km/h, no jitter
    plain = scene(zones=[ROAD], calibration=CAL, rules=[rule])
    strict = scene(zones=[ROAD], calibration=CAL, rules=[{**rule, "beyond_uncertainty": True}])
    ev = run_events(plain, script)
    assert len(ev) == 1 and ev[0].attributes["speed_kmh"] == pytest.approx(72.0, abs=0.1)
    assert ev[0].attributes["speed_uncertainty_kmh"] > 2.0  # 72 - u is not above 70
    assert run_events(strict, script) == []


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"rules": [{"type": "red_light", "name": "r", "signal": "main", "line": "stop"}],
             "lines": [STOP]},
            "rules[0] (r).signal: no signal named 'main' (signals: none declared)",
        ),
        (
            {"rules": [{"type": "stop_line", "name": "s", "signal": "m", "line": "stp"}],
             "lines": [STOP], "signals": [{"name": "m", "source": "controller"}]},
            "rules[0] (s).line: no line named 'stp' (lines: stop)",
        ),
        (
            {"rules": [{"type": "solid_line", "name": "x", "marking": "solid"}]},
            "rules[0] (x).marking: no marking named 'solid' (markings: none declared)",
        ),
        ({"signals": [{"name": "m"}]}, "box: a picture signal needs the signal head's box"),
        ({"signals": [{"name": "m", "box": [10, 10, 5, 40]}]}, "box: x2 > x1 and y2 > y1"),
        ({"rules": [{"type": "bus_lane", "name": "b"}]}, "zone"),
        ({"markings": [{"name": "m", "points": [[1, 1], [1, 1]]}]}, "polyline has no length"),
        ({"rules": [{"type": "red_light", "name": "r", "signal": "m", "line": "stop",
                     "grace_s": -1}]}, "grace_s"),
    ],
)  # fmt: skip
def test_traffic_config_errors_name_the_field(kw: dict, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        scene(**kw)
    assert message in str(err.value)
