"""``kuzet drones``: a recorded flight from the command line (REAL vtest.avi footage,
SYNTHETIC pymavlink telemetry) and bad input refused with a clear message, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from tests.drones.flightlog import Sample, write_tlog
from typer.testing import CliRunner

from kuzet.cli import app

T0 = 1_796_000_000.0
runner = CliRunner()


def site(tmp: Path, video: Path, tlog: Path) -> Path:
    p = tmp / "site.yaml"
    p.write_text(
        f"""
drones:
  - id: drone-1
    url: {video}
    telemetry: {{type: mavlink, url: {tlog}}}
    camera: {{hfov_deg: 60}}
"""
    )
    return p


def samples(n: int = 50) -> list[Sample]:
    return [
        Sample(t=T0 + i * 0.25, lat=43.2389, lon=76.8897, alt=30.0, yaw=45.0, gimbal_pitch=-45.0)
        for i in range(n)
    ]


def test_analyze_writes_placed_events(tmp_path: Path, vtest_clip: Path) -> None:
    s = site(tmp_path, vtest_clip, write_tlog(tmp_path / "f.tlog", samples()))
    out = tmp_path / "events.jsonl"
    r = runner.invoke(app, ["drones", "analyze", str(s), "drone-1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "events placed (flat ground)" in r.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert events and all(e["attributes"]["projection"] == "flat_ground" for e in events)
    assert all(43.23 < e["attributes"]["lat"] < 43.25 for e in events)
    # the 12.25 s log covers the 10 s clip: no frame went without telemetry
    assert "0 frames without telemetry" in r.output


def test_bad_telemetry_and_unknown_drone_are_clear_errors(tmp_path: Path) -> None:
    video = tmp_path / "none.mp4"
    missing = site(tmp_path, video, tmp_path / "absent.tlog")
    r = runner.invoke(app, ["drones", "analyze", str(missing), "drone-1"])
    assert r.exit_code == 2 and "no such telemetry file" in r.output
    assert "Traceback" not in r.output
    noatt = write_tlog(tmp_path / "noatt.tlog", samples(), attitude=False)
    r = runner.invoke(app, ["drones", "analyze", str(site(tmp_path, video, noatt)), "drone-1"])
    assert r.exit_code == 2 and "no attitude (ATTITUDE" in r.output
    r = runner.invoke(app, ["drones", "analyze", str(missing), "drone-9"])
    assert r.exit_code == 2 and "no drone 'drone-9' (drones: drone-1)" in r.output
