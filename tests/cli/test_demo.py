"""`kuzet demo`: varied scenes whose episodes close, the sign-in box and its 0600 file,
--host, bounded retention."""

from __future__ import annotations

import stat
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.config import SiteConfig
from kuzet.demo import CREDENTIALS_FILE, announce_first_admin, demo_site
from kuzet.rules.replay import read_tracks, replay
from kuzet.rules.schedule import Schedule

ALMATY = ZoneInfo("Asia/Almaty")
TRACKS = Path(__file__).parents[1] / "rules" / "data" / "vtest_tracks.txt"
WEDNESDAY_NOON = datetime(2026, 12, 2, 12, 10, tzinfo=ALMATY)  # school open
runner = CliRunner()


def test_four_cameras_four_different_scenes() -> None:
    site = demo_site(4, now=WEDNESDAY_NOON)
    kinds = [tuple(r.type for r in cam.rules[0].rules) for cam in site.cameras]
    assert kinds == [("line_crossing",), ("intrusion",), ("loitering",), ("crowd",)]
    assert len({cam.name for cam in site.cameras}) == 4
    assert site.access.retention.events_days == site.access.retention.snapshots_days == 1


@pytest.mark.parametrize(
    "now",
    [
        WEDNESDAY_NOON,
        datetime(2026, 12, 2, 22, 30, tzinfo=ALMATY),  # a weekday night
        datetime(2026, 12, 5, 9, 0, tzinfo=ALMATY),  # Saturday morning
        datetime(2026, 12, 2, 18, 30, tzinfo=ALMATY),  # half an hour before closing
    ],
)
def test_the_after_hours_schedule_is_armed_when_the_demo_runs(now: datetime) -> None:
    scene = demo_site(4, now=now).cameras[1].rules[0]
    sched = Schedule(scene.schedules[0])
    assert sched.active(now.timestamp())
    assert sched.active(now.timestamp() + 2 * 3600)  # still armed two hours later
    # the school's real closed hours are kept: Monday 03:00 and Sunday noon, never Tuesday 14:00
    assert sched.active(datetime(2026, 11, 30, 3, tzinfo=ALMATY).timestamp())
    assert sched.active(datetime(2026, 12, 6, 12, tzinfo=ALMATY).timestamp())
    tuesday = datetime(2026, 12, 1, 14, tzinfo=ALMATY)
    assert not sched.active(tuesday.timestamp()) or tuesday.weekday() == now.weekday()


def test_each_scene_fires_on_the_real_tracks_and_its_episodes_close() -> None:
    """vtest.avi's recorded tracks (NanoDet + ByteTrack, 10 fps numbering) through each
    camera's scene: each fires within one 80 s loop, and every 'start' gets its 'end'."""
    site = demo_site(4, now=WEDNESDAY_NOON)
    t0 = WEDNESDAY_NOON.timestamp()
    for cam in site.cameras:
        scene = cam.rules[0]
        events = list(replay(scene, read_tracks(TRACKS), 10.0, camera_id=cam.id, start_time=t0))
        phases = Counter(e.phase for e in events)
        if scene.rules[0].type == "line_crossing":
            assert phases == {"instant": phases["instant"]} and phases["instant"] >= 10
            continue
        assert 1 <= phases["start"] == phases["end"], (cam.id, phases)
        left = [e for e in events if e.phase == "end" and e.attributes["reason"] != "end_of_stream"]
        assert len(left) >= phases["end"] - 1, cam.id  # they end in the video, not by the flush


def test_the_box_and_the_private_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = demo_site(1, data_dir=tmp_path / "var", port=8443)
    path = announce_first_admin(site, "admin", "Tq7-secret-XY")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("+--") and out[-1] == out[0]
    assert all(line.startswith("| ") and line.endswith(" |") for line in out[1:-1])
    assert len({len(line) for line in out}) == 1
    text = "\n".join(out)
    assert "https://127.0.0.1:8443/" in text and "Tq7-secret-XY" in text and "admin" in text
    assert path == tmp_path / "var" / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "one_time_password: Tq7-secret-XY" in path.read_text()
    before = path.read_text()
    path.chmod(0o644)
    announce_first_admin(site, "admin", None)  # a later run: the admin exists
    again = capsys.readouterr().out
    assert "Tq7" not in again and str(path) in again and path.read_text() == before


def test_demo_host_option_and_the_box_after_the_start_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real service start (store, access, TLS) with the web server not started."""
    import uvicorn

    import kuzet.demo
    from kuzet import serve as service

    seen: dict[str, Any] = {}
    original = service.run_service

    def run(site: SiteConfig, **kw: Any) -> None:
        seen["site"] = site
        original(site.model_copy(update={"cameras": []}), **kw)

    monkeypatch.setattr(service, "run_service", run)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: None)
    monkeypatch.setattr(kuzet.demo, "ensure", lambda name: tmp_path / name)
    data = tmp_path / "var"
    res = runner.invoke(app, ["demo", "--host", "0.0.0.0", "--data-dir", str(data)])
    assert res.exit_code == 0, res.output
    assert seen["site"].api.host == "0.0.0.0"
    out = capsys.readouterr().out + res.output
    start = out.index("API https://0.0.0.0:8080")
    box = out.index("| One-time password: ")
    assert start < box, out
    assert "https://localhost:8080/  (all addresses of this machine)" in out
    assert stat.S_IMODE((data / CREDENTIALS_FILE).stat().st_mode) == 0o600
