"""stopped_vehicle, wrong_way, speeding; abandoned_object and object_removed from tracks."""

from __future__ import annotations

from tests.rules.helpers import run, run_events, scene

ROAD = {"name": "road", "points": [[0, 0], [640, 0], [640, 480], [0, 480]]}
CAL = {
    "image_points": [[0, 0], [100, 0], [100, 100], [0, 100]],
    "world_points": [[0, 0], [10, 0], [10, 10], [0, 10]],
}  # 0.1 m per pixel


def car(tid: int, x: float, y: float = 300) -> tuple:
    return (tid, x, y, "car", 0.9, 60, 40)


def test_stopped_vehicle_start_and_end_when_it_drives_off() -> None:
    c = scene(
        zones=[ROAD],
        rules=[
            {
                "type": "stopped_vehicle",
                "name": "stop",
                "zone": "road",
                "min_duration_s": 2.0,
                "exit_after_s": 1.0,
            }
        ],
    )
    script = [[car(1, 100 + 20 * i)] for i in range(5)]  # driving
    script += [[car(1, 180 + (i % 2))] for i in range(15)]  # parked (1 px jitter) from frame 4
    script += [[car(1, 200 + 20 * i)] for i in range(10)]  # drives off at frame 20
    # still since frame 4 (t=0.8): 2 s at frame 14, two frames (min_frames) -> start at 15;
    # moving from frame 20 (last still t=3.8): end once 1 s has passed, frame 25
    assert run(c, script) == [(15, "stop", "start", 1), (25, "stop", "end", 1)]


def test_wrong_way_only_against_the_lane() -> None:
    ww = {
        "type": "wrong_way",
        "name": "ww",
        "zone": "road",
        "direction": [[0, 0], [100, 0]],
        "min_speed": 20,
        "min_duration_s": 1.0,
        "exit_after_s": 1.0,
    }
    c = scene(zones=[ROAD], rules=[ww])
    right = [[car(1, 50 + 10 * i)] for i in range(20)]  # 50 px/s along the lane
    assert run(c, right) == []
    left = [[car(2, 600 - 10 * i)] for i in range(20)] + [[]] * 8
    # moving from frame 1 (two sightings), wrong for 1 s -> start at 6; gone after 19 -> end
    assert run(c, left) == [(6, "ww", "start", 2), (25, "ww", "end", 2)]
    slow = [[car(3, 600 - 2 * i)] for i in range(20)]  # 10 px/s: below min_speed
    assert run(c, slow) == []


def test_speeding_through_the_homography_fires_once_per_track() -> None:
    sp = {"type": "speeding", "name": "sp", "zone": "road", "limit_kmh": 5.0, "min_duration_s": 0.6}
    c = scene(zones=[ROAD], rules=[sp], calibration=CAL)
    fast = [[car(1, 50 + 5 * i)] for i in range(30)]  # 25 px/s = 2.5 m/s = 9 km/h
    evs = run_events(c, fast)
    assert [(round(e.pts * 5), e.phase, e.track_id) for e in evs] == [(4, "instant", 1)]
    assert evs[0].attributes["speed_kmh"] == 9.0
    assert run(c, [[car(2, 50 + 1 * i)] for i in range(30)]) == []  # 1.8 km/h


def test_speeding_requires_calibration() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="calibration"):
        scene(zones=[ROAD], rules=[{"type": "speeding", "name": "sp", "limit_kmh": 50}])


def bag(tid: int, x: float = 300, y: float = 300) -> tuple:
    return (tid, x, y, "suitcase", 0.8, 30, 30)


def test_abandoned_when_owner_walks_away_cleared_when_picked_up() -> None:
    ab = {
        "type": "abandoned_object",
        "name": "ab",
        "min_still_s": 2.0,
        "owner_radius": 100,
        "exit_after_s": 1.0,
    }
    c = scene(rules=[ab])
    with_owner = [[bag(5), (1, 330, 300)]] * 15  # still 3 s, owner beside it: nothing
    owner_leaves = [[bag(5), (1, 330 + 40 * i, 300)] for i in range(1, 8)]  # > 100 px at i=3
    picked = [[bag(5, 300 + 30 * i)] for i in range(1, 10)]  # carried away
    got = run(c, with_owner + owner_leaves + picked)
    # owner > 100 px away from frame 16, two frames -> start at 17; bag carried from frame 22
    # (last still t=4.2) -> end when more than 1 s has passed: frame 27
    assert got == [(17, "ab", "start", 5), (27, "ab", "end", 5)]


def test_object_removed_after_it_stood_long_enough() -> None:
    rm = {"type": "object_removed", "name": "rm", "min_present_s": 2.0, "exit_after_s": 1.0}
    c = scene(rules=[rm])
    assert run(c, [[bag(5)]] * 5 + [[]] * 10) == []  # stood only 0.8 s
    evs = run_events(c, [[bag(6)]] * 15 + [[]] * 10)
    assert [(round(e.pts * 5), e.phase, e.track_id, e.attributes["reason"]) for e in evs] == [
        (20, "instant", 6, "gone")
    ]
    evs = run_events(c, [[bag(7)]] * 15 + [[bag(7, 300 + 30 * i)] for i in range(1, 4)])
    assert [(round(e.pts * 5), e.attributes["reason"]) for e in evs] == [(15, "moved")]
