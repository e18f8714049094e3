"""Every traffic-violation rule fires through `kuzet analyze` (reader, node, tracker, rules).

The video is synthetic (a textured background with a painted signal head that turns red
at frame 15) and the detector is scripted: this checks the wiring end to end (the picture
reaches the signal reader, tracks reach the families), not detection quality.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.rules.synth import background

from kuzet.config import parse_site
from kuzet.core import COCO_CLASSES, Detections
from kuzet.pipeline import analyze as analyze_mod

N = 60
W, H = 640, 480
RED_FROM = 15
SITE = """
analysis: {fps: 5, motion: {enabled: false}}
cameras:
  - id: junction
    main_url: unused
    rules:
      - type: scene
        zones:
          - {name: bus, points: [[500, 150], [640, 150], [640, 480], [500, 480]]}
          - {name: kerb, points: [[0, 380], [90, 380], [90, 480], [0, 480]]}
        lines:
          - {name: stop, points: [[100, 300], [400, 300]], in_point: [250, 200]}
        markings:
          - {name: centre, points: [[460, 100], [460, 480]]}
        signals:
          - {name: main, box: [600, 10, 630, 94]}
        calibration:
          image_points: [[0, 0], [100, 0], [100, 100], [0, 100]]
          world_points: [[0, 0], [5, 0], [5, 5], [0, 5]]
        rules:
          - {type: red_light, name: r_red, signal: main, line: stop}
          - {type: stop_line, name: r_stopline, signal: main, line: stop, min_duration_s: 2}
          - {type: bus_lane, name: r_bus, zone: bus, min_duration_s: 3}
          - {type: solid_line, name: r_solid, marking: centre}
          - {type: illegal_stopping, name: r_kerb, zone: kerb, min_duration_s: 5}
          - {type: speeding, name: r_speed, limit_kmh: 5}
"""


def boxes(i: int) -> list[tuple[float, float, str]]:
    """Foot points (x, y) and class of frame i's scripted cars."""
    out: list[tuple[float, float, str]] = [(45.0, 450.0, "car")]  # parked on the kerb
    if i >= 20:  # runs the red light: y = 300 at frame 32
        out.append((150.0, 420.0 - 10 * (i - 20), "car"))
    if i >= 20:  # creeps over the line on red and stops 15 px past it
        out.append((300.0, max(285.0, 340.0 - 5 * (i - 20)), "car"))
    if i < 40:  # drives slowly up the bus lane
        out.append((570.0, 460.0 - 2 * i, "car"))
    if 40 <= i < 52:  # crosses the solid centre line going right
        out.append((400.0 + 8 * (i - 40), 200.0, "car"))
    return out


class ScriptedDetector:
    labels = COCO_CLASSES

    def __init__(self) -> None:
        self.i = 0

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        out = []
        for _ in images:
            rows = boxes(self.i)
            self.i += 1
            out.append(
                Detections(
                    xyxy=np.array(
                        [(x - 30, y - 40, x + 30, y) for x, y, _ in rows], np.float32
                    ).reshape(-1, 4),
                    confidence=np.full(len(rows), 0.9, np.float32),
                    class_id=np.array([COCO_CLASSES.index(c) for *_, c in rows], np.int32),
                )
            )
        return out


def picture(i: int, bg: np.ndarray) -> np.ndarray:
    img = bg.copy()
    cv2.rectangle(img, (600, 10), (630, 94), (30, 30, 30), -1)
    lit = "red" if i >= RED_FROM else "green"
    for name, cy, colour in (("red", 24, (40, 40, 255)), ("green", 80, (170, 255, 0))):
        cv2.circle(img, (615, cy), 11, colour if name == lit else (50, 50, 50), -1)
    return img


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import av

    path = tmp_path_factory.mktemp("junction") / "junction.mkv"
    bg = background(H, W, seed=3)
    with av.open(str(path), "w") as out:
        st = out.add_stream("ffv1", rate=5)
        st.width, st.height, st.pix_fmt = W, H, "yuv420p"
        for i in range(N):
            frame = av.VideoFrame.from_ndarray(picture(i, bg), format="bgr24")
            out.mux(st.encode(frame))
        out.mux(st.encode(None))
    return path


def test_every_traffic_rule_fires_in_analyze(
    video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze_mod, "create_detector", lambda cfg: ScriptedDetector())
    out = tmp_path / "events.jsonl"
    stats = analyze_mod.analyze_file(str(video), out, parse_site(SITE), fps=5.0)
    assert stats.error is None and stats.frames == N
    events = [json.loads(line) for line in out.read_text().splitlines()]
    starts = sorted({e["type"] for e in events if e["phase"] in ("start", "instant")})
    assert starts == [
        "bus_lane", "illegal_stopping", "red_light", "solid_line", "speeding", "stop_line"
    ]  # fmt: skip
    for e in events:
        if e["phase"] != "end":
            assert e["attributes"]["violation"] is True
            assert e["attributes"]["vehicle_class"] == "car"
    reds = [e for e in events if e["type"] == "red_light"]
    assert len(reds) == 2  # the runner and the creeper both crossed on red
    assert {e["attributes"]["signal_source"] for e in reds} == {"picture"}
    assert all(e["attributes"]["signal_state"] == "red" for e in reds)
    # red from frame 15 of a file without a start time: 1970-01-01 + 3 s
    assert {e["attributes"]["signal_since"] for e in reds} == {"1970-01-01T00:00:03+00:00"}
    (stop,) = [e for e in events if e["type"] == "stop_line"]
    assert stop["attributes"]["overrun_px"] == pytest.approx(15.0, abs=3)
