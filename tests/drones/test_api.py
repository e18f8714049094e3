"""``/api/drones``: a drone's path (from a SYNTHETIC pymavlink .tlog) for the map, scoped
like the camera entry of the same id."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.access.conftest import City, city  # noqa: F401  (the fixture)
from tests.drones.flightlog import Sample, write_tlog

from kuzet.access.model import Role, Scope
from kuzet.core.records import CameraInfo
from kuzet.drones.mavlink import read_mavlink
from kuzet.drones.tracks import DroneTracks

T0 = 1_796_000_000.0


def test_track_geojson_and_scope(city: City, tmp_path: Path) -> None:  # noqa: F811
    city.store.upsert_camera(
        CameraInfo(
            id="drone-1", category="public_safety", district="Medeu", main_url="file:drone.mp4"
        )
    )
    samples = [
        Sample(t=T0 + i * 0.5, lat=43.2389 + i * 1e-5, lon=76.8897, alt=30.0 + i, yaw=0.0)
        for i in range(11)
    ]
    tracks = DroneTracks()
    tracks.add_telemetry(
        "drone-1",
        read_mavlink(write_tlog(tmp_path / "f.tlog", samples)),
        name="DJI M30 #1",
        flight="2026-12-06-a",
    )
    city.app.state.kuzet.drones = tracks
    city.user("medeu", "city-police", Role.OPERATOR, scope=Scope(districts=frozenset({"Medeu"})))
    city.user("almaly", "city-police", Role.OPERATOR, scope=Scope(districts=frozenset({"Almaly"})))

    r = city.client.get("/api/drones/drone-1/track", headers=city.h("medeu"))
    assert r.status_code == 200, r.text
    f = r.json()
    assert f["type"] == "Feature" and f["geometry"]["type"] == "LineString"
    coords = f["geometry"]["coordinates"]
    assert len(coords) == 6  # 5 s of flight thinned to one point a second
    assert coords[0] == pytest.approx([76.8897, 43.2389, 30.0])
    assert coords[-1] == pytest.approx([76.8897, 43.2390, 40.0])
    assert f["properties"]["times"][-1] == pytest.approx(T0 + 5.0)
    since = city.client.get(
        "/api/drones/drone-1/track", params={"since": T0 + 3.5}, headers=city.h("medeu")
    ).json()
    assert len(since["geometry"]["coordinates"]) == 2

    listed = city.client.get("/api/drones", headers=city.h("medeu")).json()
    assert [d["id"] for d in listed] == ["drone-1"]
    assert listed[0]["last"]["alt_m"] == pytest.approx(40.0) and listed[0]["name"] == "DJI M30 #1"

    # another district sees neither the drone nor its path
    assert city.client.get("/api/drones", headers=city.h("almaly")).json() == []
    r = city.client.get("/api/drones/drone-1/track", headers=city.h("almaly"))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = city.client.get("/api/drones/nope/track", headers=city.h("medeu"))
    assert r.status_code == 404
