"""Two whole flights (SYNTHETIC: videos rendered from tests/drones/scene.py's flat ground,
telemetry written with pymavlink) -> the one dump added between them, reported once."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from tests.drones import scene
from tests.drones.flightlog import Sample, write_tlog
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.config.drones import DroneCameraConfig, DroneConfig, MavlinkTelemetryConfig
from kuzet.drones.compare import compare_flights, passes_from_flight
from kuzet.drones.mavlink import read_mavlink
from kuzet.drones.projection import latlon_to_offset

T0 = 1_796_000_000.0
FPS = 2


def fly(tmp: Path, name: str, east0: float, ground: np.ndarray, *, gps_error_m: float,
        relit: bool) -> tuple[DroneConfig, Path]:  # fmt: skip
    """A 4 s pass eastwards at 2 m/s, 60 m up, camera straight down."""
    n = 4 * FPS
    true = [scene.view(0.0, east0 + 2.0 * i / FPS, 60.0, 0.0) for i in range(n)]
    video = scene.write_flight(tmp / f"{name}.mp4", true, ground, FPS, relit)
    told = [scene.place(0.0, east0 + 2.0 * i / FPS + gps_error_m) for i in range(n)]
    samples = [
        Sample(t=T0 + i / FPS, lat=lat, lon=lon, alt=60.0, yaw=0.0, gimbal_pitch=-90.0)
        for i, (lat, lon) in enumerate(told)
    ]
    log = write_tlog(tmp / f"{name}.tlog", samples)
    drone = DroneConfig(
        id="drone-1", url=str(video), telemetry=MavlinkTelemetryConfig(url=str(log)),
        camera=DroneCameraConfig(hfov_deg=60.0),
    )  # fmt: skip
    return drone, video


Flights = tuple[DroneConfig, Path, DroneConfig, Path]


@pytest.fixture(scope="module")
def flights(tmp_path_factory: pytest.TempPathFactory) -> Flights:
    tmp = tmp_path_factory.mktemp("flights")
    g = scene.ground()
    dumped = scene.add_dump(g, 5.0, -2.0, 5.0, 4.0)
    d1, v1 = fly(tmp, "monday", -4.0, g, gps_error_m=0.0, relit=False)
    d2, v2 = fly(tmp, "friday", -3.0, dumped, gps_error_m=2.5, relit=True)
    return d1, v1, d2, v2


def near_dump(lat: float, lon: float) -> float:
    n, e = latlon_to_offset(scene.LAT0, scene.LON0, np.array([lat]), np.array([lon]))
    return math.hypot(float(n[0]) - 5.0, float(e[0]) + 2.0)


def test_two_flights_find_the_added_dump_once(flights: Flights) -> None:
    d1, v1, d2, v2 = flights
    before = passes_from_flight(d1, str(v1), read_mavlink(d1.telemetry.url), every_s=1.0)  # type: ignore[union-attr]
    after = passes_from_flight(d2, str(v2), read_mavlink(d2.telemetry.url), every_s=1.0)  # type: ignore[union-attr]
    assert len(before) == 4 and len(after) == 4
    results = compare_flights(before, after)
    assert len(results) == 4 and all(r.registration == "orb" for r in results)
    changes = [c for r in results for c in r.changes]
    assert len(changes) == 1, [(c.lat, c.lon, c.area_m2) for c in changes]
    assert near_dump(changes[0].lat, changes[0].lon) < 1.5


def test_compare_command(flights: Flights, tmp_path: Path) -> None:
    d1, v1, d2, v2 = flights
    site = tmp_path / "site.yaml"
    site.write_text(
        f"drones:\n  - id: drone-1\n    url: {v1}\n"
        f"    telemetry: {{type: mavlink, url: {d1.telemetry.url}}}\n"  # type: ignore[union-attr]
        "    camera: {hfov_deg: 60}\n    district: Medeu\n"
    )
    out = tmp_path / "changes"
    args = ["drones", "compare", str(site), "drone-1", "--before-video", str(v1),
            "--before-telemetry", d1.telemetry.url, "--after-video", str(v2),  # type: ignore[union-attr]
            "--after-telemetry", d2.telemetry.url, "-o", str(out)]  # type: ignore[union-attr]  # fmt: skip
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "4 frame pairs compared (registration: orb), 1 changes" in r.output
    (line,) = (out / "events.jsonl").read_text().splitlines()
    ev = json.loads(line)
    a = ev["attributes"]
    assert ev["type"] == "drone_change" and a["district"] == "Medeu"
    assert a["before_flight"] == "monday.mp4" and a["after_flight"] == "friday.mp4"
    assert near_dump(a["lat"], a["lon"]) < 1.5
    for key in (a["before_crop"], a["after_crop"]):
        assert (out / key).read_bytes()[:2] == b"\xff\xd8"  # JPEG
    # the second flight's telemetry missing: a clear error, exit 2
    args[args.index("--after-telemetry") + 1] = str(tmp_path / "absent.tlog")
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "no such telemetry file" in r.output
