"""`kuzet analyze`: one rule engine that closes every episode at the end of the file, and
events that carry the video's own time (start + pts), in their ``ts`` and snapshot keys."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.config import parse_site
from kuzet.core import COCO_CLASSES, Detections
from kuzet.pipeline import analyze as analyze_mod

runner = CliRunner()
N = 40  # frames of the synthetic clip, 5 fps


class Walker:
    """Scripted detector: one person from frame 5 to 24 (the video is synthetic, the
    detector scripted: this checks times and wiring, not detection)."""

    labels = COCO_CLASSES

    def __init__(self) -> None:
        self.i = 0

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        out = []
        for _ in images:
            rows = [(10.0 + self.i, 10.0, 30.0 + self.i, 60.0)] if 5 <= self.i < 25 else []
            self.i += 1
            out.append(
                Detections(
                    xyxy=np.array(rows, np.float32).reshape(-1, 4),
                    confidence=np.full(len(rows), 0.9, np.float32),
                    class_id=np.zeros(len(rows), np.int32),
                )
            )
        return out


def clip(path: Path, creation_time: str | None = None) -> Path:
    with av.open(str(path), "w") as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        st = out.add_stream("ffv1", rate=5)
        st.width, st.height, st.pix_fmt = 96, 64, "yuv420p"
        rng = np.random.default_rng(1)
        for _ in range(N):
            img = rng.integers(0, 255, (64, 96, 3), np.uint8)
            out.mux(st.encode(av.VideoFrame.from_ndarray(img, format="bgr24")))
        out.mux(st.encode(None))
    return path


def run(video: Path, tmp_path: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    out = tmp_path / "events.jsonl"
    res = runner.invoke(app, ["analyze", str(video), "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyze_mod, "create_detector", lambda cfg: Walker())


def ts(e: dict) -> datetime:  # type: ignore[type-arg]
    return datetime.fromisoformat(e["ts"])


def at(e: dict, t0: datetime) -> bool:  # type: ignore[type-arg]
    """The event's ts is t0 + its pts (to the microseconds a float timestamp keeps)."""
    return abs(ts(e) - (t0 + timedelta(seconds=e["pts"]))) <= timedelta(microseconds=2)


@pytest.mark.usefixtures("scripted")
def test_events_carry_start_plus_pts_and_snapshots_use_it(tmp_path: Path) -> None:
    video = clip(tmp_path / "a.mkv")
    snaps = tmp_path / "snaps"
    evs = run(video, tmp_path, "--start", "2025-03-01T23:30:00+05:00", "--snapshots", str(snaps))
    assert [(e["type"], e["phase"]) for e in evs] == [("intrusion", "start"), ("intrusion", "end")]
    t0 = datetime(2025, 3, 1, 18, 30, tzinfo=UTC)
    assert all(at(e, t0) for e in evs), evs
    start = evs[0]
    assert start["snapshot"] == f"snapshots/2025/03/01/analyze/{start['id']}.jpg"
    assert (snaps / start["snapshot"]).is_file()


@pytest.mark.usefixtures("scripted")
def test_a_file_without_start_time_begins_at_the_epoch_unless_it_says(tmp_path: Path) -> None:
    evs = run(clip(tmp_path / "a.mkv"), tmp_path)
    assert evs and all(at(e, datetime(1970, 1, 1, tzinfo=UTC)) for e in evs), evs
    stamped = clip(tmp_path / "b.mkv", creation_time="2024-05-01T10:00:00.000000Z")
    evs = run(stamped, tmp_path)
    assert evs and all(at(e, datetime(2024, 5, 1, 10, tzinfo=UTC)) for e in evs), evs
    res = runner.invoke(app, ["analyze", str(stamped), "--start", "yesterday"])
    assert res.exit_code == 2 and "--start: not ISO 8601" in res.output


SCHEDULED = """
cameras:
  - id: c
    main_url: unused
    rules:
      - type: scene
        schedules:
          - name: night
            windows: [{start: "22:00", end: "06:00"}]
        rules:
          - {type: intrusion, name: after_hours, schedule: night}
"""


@pytest.mark.usefixtures("scripted")
def test_schedules_follow_the_video_clock_not_the_analysis_clock(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SCHEDULED)
    video = clip(tmp_path / "a.mkv")
    night = run(video, tmp_path, "--site", str(site), "--start", "2025-03-01T23:00:00+05:00")
    day = run(video, tmp_path, "--site", str(site), "--start", "2025-03-01T12:00:00+05:00")
    assert [e["phase"] for e in night] == ["start", "end"] and day == []


def test_zone_presence_is_gone_with_a_pointer_to_its_replacement() -> None:
    from kuzet.config import ConfigError

    text = (
        "cameras:\n  - id: a\n    main_url: x\n    rules:\n      - {type: zone_presence, name: p}\n"
    )
    with pytest.raises(ConfigError, match=r"line 5: cameras\[0\]\.rules\[0\]\.type: .*intrusion"):
        parse_site(text)


@pytest.mark.slow
def test_vtest_every_start_has_its_end_at_video_time(vtest_path: Path, tmp_path: Path) -> None:
    """Real footage, the default whole-frame rule: each episode that starts also ends."""
    snaps = tmp_path / "snaps"
    evs = run(vtest_path, tmp_path, "--start", "2025-03-01T09:00:00+05:00", "--snapshots",
              str(snaps))  # fmt: skip
    phases = Counter(e["phase"] for e in evs)
    assert phases["start"] == phases["end"] > 10, phases
    episodes = Counter((e["track_id"], e["phase"]) for e in evs)
    assert all(episodes[(t, "end")] == n for (t, p), n in episodes.items() if p == "start")
    t0 = datetime(2025, 3, 1, 4, tzinfo=UTC)
    assert all(at(e, t0) for e in evs)
    assert max(e["pts"] for e in evs) < 80  # vtest.avi is 79.5 s long
    shots = [e["snapshot"] for e in evs if e["phase"] == "start"]
    assert all(s.startswith("snapshots/2025/03/01/analyze/") for s in shots)
    assert all((snaps / s).is_file() for s in shots)
