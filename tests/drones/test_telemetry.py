"""Reading MAVLink .tlog files (SYNTHETIC, written in the test with pymavlink) and bad telemetry."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.drones.flightlog import Sample, write_tlog

from kuzet.drones import TelemetryError, TelemetryGap
from kuzet.drones.mavlink import read_mavlink

T0 = 1_796_000_000.0


def hover(n: int = 9, dt: float = 0.25, **kw: float) -> list[Sample]:
    base = {"lat": 43.2389, "lon": 76.8897, "alt": 30.0, "yaw": 45.0}
    base.update(kw)
    return [Sample(t=T0 + i * dt, **base) for i in range(n)]  # type: ignore[arg-type]


def test_tlog_round_trip_and_interpolation(tmp_path: Path) -> None:
    samples = hover(gimbal_pitch=-45.0)
    samples[4].yaw = 355.0  # wraps through north
    samples[5].yaw = 5.0
    samples[5].alt = 40.0
    tel = read_mavlink(write_tlog(tmp_path / "f.tlog", samples))
    assert tel.start == pytest.approx(T0) and tel.end == pytest.approx(T0 + 2.0)
    p = tel.pose_at(T0 + 0.25 * 4.5)  # halfway between position samples 4 and 5
    assert p.lat == pytest.approx(43.2389, abs=1e-7) and p.lon == pytest.approx(76.8897, abs=1e-7)
    assert p.alt_m == pytest.approx(35.0, abs=0.01)
    assert p.alt_amsl_m == pytest.approx(835.0, abs=0.01)
    a = tel.pose_at(T0 + 0.25 * 4.5 + 0.01)  # attitude is written 10 ms after position
    assert a.yaw_deg == pytest.approx(0.0, abs=0.01)  # 355 -> 5 through 0, not 180
    assert p.gimbal_pitch_deg == pytest.approx(-45.0, abs=0.01)
    assert not p.gimbal_yaw_absolute


def test_no_position_messages_is_a_clear_error(tmp_path: Path) -> None:
    path = write_tlog(tmp_path / "nopos.tlog", hover(), position=False)
    with pytest.raises(TelemetryError, match=r"nopos\.tlog: no position \(GLOBAL_POSITION_INT"):
        read_mavlink(path)


def test_no_attitude_messages_is_a_clear_error(tmp_path: Path) -> None:
    path = write_tlog(tmp_path / "noatt.tlog", hover(), attitude=False)
    with pytest.raises(TelemetryError, match=r"noatt\.tlog: no attitude \(ATTITUDE"):
        read_mavlink(path)


def test_missing_file_and_garbage_file(tmp_path: Path) -> None:
    with pytest.raises(TelemetryError, match="no such telemetry file"):
        read_mavlink(tmp_path / "absent.tlog")
    junk = tmp_path / "junk.tlog"
    junk.write_bytes(b"not a mavlink log at all" * 50)
    with pytest.raises(TelemetryError, match="no position"):
        read_mavlink(junk)


def test_no_gps_fix_names_the_message(tmp_path: Path) -> None:
    samples = hover()
    samples[3].lat = samples[3].lon = 0.0
    with pytest.raises(TelemetryError, match=r"message 7 \(GLOBAL_POSITION_INT\): position 0,0"):
        read_mavlink(write_tlog(tmp_path / "nofix.tlog", samples))


def test_time_gap_refuses_a_pose(tmp_path: Path) -> None:
    samples = hover(n=4) + hover(n=4, dt=0.25)
    for s in samples[4:]:
        s.t += 10.0  # 10 s of silence in the middle of the flight
    tel = read_mavlink(write_tlog(tmp_path / "gap.tlog", samples))
    tel.pose_at(T0 + 0.5)
    with pytest.raises(TelemetryGap, match=r"position \(GLOBAL_POSITION_INT\) gap of 9\.2 s"):
        tel.pose_at(T0 + 5.0)
    with pytest.raises(TelemetryGap, match="outside"):
        tel.pose_at(T0 + 100.0)
    assert tel.pose_at(T0 + 10.9).alt_m == pytest.approx(30.0)
