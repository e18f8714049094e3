"""Change detection on two SYNTHETIC passes (tests/drones/scene.py: a real photo laid flat
as the ground, rendered from two made-up poses, one day with a dump added)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
from tests.drones import scene

from kuzet.drones.change import Pass, detect_changes, pair_passes
from kuzet.drones.change_events import change_events
from kuzet.drones.projection import latlon_to_offset
from kuzet.store.blobs import LocalBlobStore

DUMP_N, DUMP_E, DUMP_W, DUMP_H = 5.0, -8.0, 5.0, 4.0  # a 20 m² dump, 9.4 m from the origin


def passes(with_dump: bool) -> tuple[Pass, Pass]:
    g = scene.ground()
    before_view = scene.view(0.0, 0.0, 60.0, 0.0)
    true_after = scene.view(3.0, 2.0, 58.0, 8.0)
    after_ground = scene.add_dump(g, DUMP_N, DUMP_E, DUMP_W, DUMP_H) if with_dump else g
    after_img = scene.relight(scene.render(true_after, after_ground), 1.15, 8.0, 2.0)
    # the second flight's telemetry is off: GPS 3 m east, compass 2°, barometer 1 m
    told = scene.view(3.0, 5.0, 59.0, 10.0)
    return Pass(scene.render(before_view, g), before_view), Pass(after_img, told)


def metres_from(lat: float, lon: float, north: float, east: float) -> float:
    n, e = latlon_to_offset(scene.LAT0, scene.LON0, np.array([lat]), np.array([lon]))
    return math.hypot(float(n[0]) - north, float(e[0]) - east)


def test_added_dump_is_found_where_it_was_put() -> None:
    before, after = passes(with_dump=True)
    res = detect_changes(before, after)
    assert res.registration == "orb" and res.inliers >= 25
    assert res.overlap > 0.7
    assert len(res.changes) == 1, [(c.box, c.area_m2) for c in res.changes]
    c = res.changes[0]
    assert metres_from(c.lat, c.lon, DUMP_N, DUMP_E) < 1.5
    assert 14.0 < c.area_m2 < 30.0
    for crop in (c.before_crop, c.after_crop):
        img = cv2.imdecode(np.frombuffer(crop, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[0] > 40 and img.shape[1] > 40


def test_unchanged_scene_reports_nothing() -> None:
    before, after = passes(with_dump=False)
    res = detect_changes(before, after)
    assert res.registration == "orb"
    assert res.changes == []


def test_telemetry_alone_is_too_coarse_which_is_why_features_register() -> None:
    # the same pair registered by the (wrong) telemetry only: the shifted scene lights up
    from kuzet.drones.change import ChangeSettings

    before, after = passes(with_dump=False)
    res = detect_changes(before, after, ChangeSettings(min_inliers=10**6))
    assert res.registration == "telemetry"
    assert len(res.changes) > 0


def test_featureless_field_falls_back_to_telemetry_and_says_so() -> None:
    field = np.full((1080, 810, 3), (60, 140, 90), np.uint8)  # a plain green field
    v = scene.view(0.0, 0.0, 60.0, 0.0)
    before = Pass(scene.render(v, field), v)
    after = Pass(scene.render(v, scene.add_dump(field, DUMP_N, DUMP_E, DUMP_W, DUMP_H)), v)
    res = detect_changes(before, after)
    assert res.registration == "telemetry"
    assert len(res.changes) == 1
    assert metres_from(res.changes[0].lat, res.changes[0].lon, DUMP_N, DUMP_E) < 1.0


def test_change_events_keep_crops_and_map_position(tmp_path: Path) -> None:
    before, after = passes(with_dump=True)
    res = detect_changes(before, after)
    blobs = LocalBlobStore(tmp_path)
    ts = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    events = change_events("drone-1", "flight-a", "flight-b", res, ts, blobs, district="Medeu")
    assert len(events) == 1
    e = events[0]
    a = e.attributes
    assert e.type == "drone_change" and a["projection"] == "flat_ground"
    assert a["registration"] == "orb" and a["district"] == "Medeu"
    assert metres_from(a["lat"], a["lon"], DUMP_N, DUMP_E) < 1.5
    assert blobs.get(a["before_crop"]) == res.changes[0].before_crop
    assert blobs.get(a["after_crop"]) == res.changes[0].after_crop == blobs.get(e.snapshot or "")
    again = change_events("drone-1", "flight-a", "flight-b", res, ts, blobs)
    assert again[0].id == e.id


def test_pairing_picks_the_image_over_the_same_ground() -> None:
    g = scene.ground()
    near, far = scene.view(0.0, 0.0, 60.0, 0.0), scene.view(40.0, 0.0, 60.0, 0.0)
    other = scene.view(2.0, 1.0, 60.0, 5.0)
    img = scene.render(near, g)
    pairs = pair_passes([Pass(img, far), Pass(img, near)], [Pass(img, other)])
    assert len(pairs) == 1 and pairs[0][0].view is near
    assert pair_passes([Pass(img, far)], [Pass(img, replace(other))], max_distance_m=10.0) == []
