"""Drones in the site file: strict, with errors that name the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.config import ConfigError, load_site
from kuzet.config.drones import MavlinkTelemetryConfig, MqttTelemetryConfig

SITE = """
cameras:
  - id: gate-1
    main_url: file:gate.mp4
drones:
  - id: drone-1
    url: rtsp://10.0.0.5/live
    telemetry: {type: mavlink, url: flights/monday.tlog}
    camera: {hfov_deg: 84}
  - id: drone-2
    url: http://10.0.0.6:8080/stream.ts
    telemetry: {type: mqtt, topic: drones/2/telemetry, fields: {yaw: heading}}
    camera: {hfov_deg: 70, mount_pitch_deg: -60}
    max_gap_s: 1.5
"""


def test_drones_load(tmp_path: Path) -> None:
    p = tmp_path / "site.yaml"
    p.write_text(SITE)
    site = load_site(p)
    d1, d2 = site.drones
    assert isinstance(d1.telemetry, MavlinkTelemetryConfig) and d1.camera.mount_pitch_deg == -90
    assert isinstance(d2.telemetry, MqttTelemetryConfig) and d2.telemetry.fields == {
        "yaw": "heading"
    }
    assert d2.max_gap_s == 1.5


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("camera: {hfov_deg: 84}", "camera: {hfov_deg: 84, zoom: 2}",
         "line 9: drones[0].camera.zoom: Extra inputs are not permitted"),
        ("telemetry: {type: mavlink,", "telemetry: {type: dji,", "line 8: drones[0].telemetry"),
        ("camera: {hfov_deg: 84}", "camera: {hfov_deg: 190}", "drones[0].camera.hfov_deg"),
        ("  - id: drone-2", "  - id: drone-1", "drone id 'drone-1' appears twice"),
        ("http://10.0.0.6:8080/stream.ts", "srt://10.0.0.6:9000",
         "line 11: drones[1].url: Value error, unsupported video URL scheme 'srt'"),
        ("  - id: drone-2", "  - id: gate-1", "drones.gate-1: a fixed camera has that id already"),
    ],
)  # fmt: skip
def test_bad_drones_are_refused(tmp_path: Path, old: str, new: str, expected: str) -> None:
    p = tmp_path / "site.yaml"
    p.write_text(SITE.replace(old, new, 1))
    with pytest.raises(ConfigError) as exc:
        load_site(p)
    assert expected in str(exc.value), str(exc.value)
