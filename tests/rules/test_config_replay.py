"""Scene config validation (errors name the field) and `kuzet rules replay`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from tests.rules.helpers import scene
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.config import ConfigError, parse_site
from kuzet.rules.replay import load_scene, read_tracks

runner = CliRunner()
SCENE = """\
zones:
  - name: yard
    points: [[0, 0], [200, 0], [200, 200], [0, 200]]
lines:
  - name: gate
    points: [[100, 0], [100, 200]]
    in_point: [150, 100]
rules:
  - type: line_crossing
    name: gate_count
    line: gate
  - type: intrusion
    name: yard_intrusion
    zone: yard
    exit_after_s: 0.4
"""


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"type": "intrusion", "name": "a", "zone": "nowhere"}], "rules[0] (a).zone: no zone"),
        ([{"type": "line_crossing", "name": "a", "line": "x"}], "rules[0] (a).line: no line"),
        ([{"type": "intrusion", "name": "a", "schedule": "s"}], "schedule: no schedule"),
        (
            [{"type": "intrusion", "name": "a"}, {"type": "crowd", "name": "a"}],
            "name 'a' appears twice",
        ),
        ([{"type": "intrusion", "name": "a", "colour": "red"}], "colour"),
        ([{"type": "teleport", "name": "a"}], "teleport"),
    ],
)
def test_validation_errors_name_the_field(rules: list, message: str) -> None:
    with pytest.raises(
        ValidationError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        scene(rules=rules)


def test_geometry_validation() -> None:
    with pytest.raises(ValidationError, match="no area"):
        scene(zones=[{"name": "z", "points": [[0, 0], [10, 10], [20, 20]]}])
    with pytest.raises(ValidationError, match="in_point"):
        scene(lines=[{"name": "l", "points": [[0, 0], [10, 0]], "in_point": [5, 0]}])
    with pytest.raises(ValidationError, match="end points must differ"):
        scene(lines=[{"name": "l", "points": [[3, 3], [3, 3]], "in_point": [5, 0]}])
    with pytest.raises(ValidationError, match="unknown time zone"):
        scene(schedules=[{"name": "s", "timezone": "Mars/Olympus"}])


def test_site_file_scene_errors_carry_the_line(tmp_path: Path) -> None:
    site = (
        "cameras:\n  - id: c1\n    main_url: x.mp4\n    rules:\n      - type: scene\n"
        "        rules:\n          - type: intrusion\n            name: a\n            zone: 5\n"
    )
    with pytest.raises(ConfigError, match=r"line \d+: cameras\[0\]\.rules\[0\]"):
        parse_site(site)
    bad = tmp_path / "s.yaml"
    bad.write_text(SCENE.replace("exit_after_s: 0.4", "exit_after_s: -1"))
    with pytest.raises(ConfigError, match=r"line 15: rules\[1\]\.exit_after_s"):
        load_scene(bad)


def test_mot_and_jsonl_give_the_same_tracks(tmp_path: Path) -> None:
    mot = tmp_path / "t.txt"
    mot.write_text("1,4,10,20,30,40,0.9,0,-1,-1\n3,4,12,20,30,40,0.8,2,-1,-1\n")
    js = tmp_path / "t.jsonl"
    js.write_text(
        json.dumps(
            {
                "frame": 1,
                "tracks": [{"id": 4, "box": [10, 20, 40, 60], "class": "person", "score": 0.9}],
            }
        )
        + "\n"
        + json.dumps({"frame": 3, "id": 4, "box": [12, 20, 42, 60], "class": "car", "score": 0.8})
        + "\n"
    )
    a, b = list(read_tracks(mot)), list(read_tracks(js))
    assert [n for n, _ in a] == [n for n, _ in b] == [1, 3]  # step 2 detected, no gap frames
    for (_, x), (_, y) in zip(a, b, strict=True):
        assert x.xyxy.tolist() == y.xyxy.tolist() and x.class_id.tolist() == y.class_id.tolist()
    gt = tmp_path / "gt.txt"
    gt.write_text("1,1,0,0,10,10,1,1,1\n1,2,0,0,10,10,0,1,1\n1,3,0,0,10,10,1,3,1\n")
    ((_, d),) = list(read_tracks(gt, mot_classes=True))
    assert d.tracker_id.tolist() == [1, 3] and d.class_id.tolist() == [0, 2]  # person, car


def test_replay_cli_counts_and_events(tmp_path: Path) -> None:
    (tmp_path / "scene.yaml").write_text(SCENE)
    rows = [f"{f},1,{40 + 10 * f},150,20,40,0.9,0,-1,-1" for f in range(1, 16)]
    rows += [f"{f},2,{180 - 10 * f},60,20,40,0.9,0,-1,-1" for f in range(1, 16)]
    (tmp_path / "t.txt").write_text("\n".join(rows) + "\n")
    out = tmp_path / "ev.jsonl"
    res = runner.invoke(
        app,
        [
            "rules",
            "replay",
            str(tmp_path / "t.txt"),
            "--scene",
            str(tmp_path / "scene.yaml"),
            "--fps",
            "5",
            "--out",
            str(out),
            "--start",
            "2025-01-15T18:00:00+05:00",
        ],
    )
    assert res.exit_code == 0, res.output
    evs = [json.loads(line) for line in out.read_text().splitlines()]
    lines = [
        (e["track_id"], e["attributes"]["direction"]) for e in evs if e["type"] == "line_crossing"
    ]
    assert lines == [(1, "in"), (2, "out")]
    assert "gate_count line_crossing/instant/in: 1" in res.output
    assert evs[0]["ts"].startswith("2025-01-15T13:00")
    assert runner.invoke(app, ["rules", "check", str(tmp_path / "scene.yaml")]).exit_code == 0
    bad = runner.invoke(
        app,
        [
            "rules",
            "replay",
            str(tmp_path / "none.txt"),
            "--scene",
            str(tmp_path / "scene.yaml"),
            "--fps",
            "5",
        ],
    )
    assert bad.exit_code == 2 and "not found" in bad.output
