"""Every rule type fires through `kuzet analyze` (reader, node, tracker, rules, JSON out).

The video is synthetic (composited flame and smoke, painted objects) and the detector is
scripted -- this checks the wiring of every rule end to end, not detection quality.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from tests.rules.synth import background, flame, smoke, textured

from kuzet.config import parse_site
from kuzet.core import COCO_CLASSES, Detections
from kuzet.pipeline import analyze as analyze_mod

N = 120
W, H = 640, 480
SITE = """
analysis: {fps: 5, motion: {enabled: false}}
cameras:
  - id: synthetic
    main_url: unused
    rules:
      - type: scene
        zones:
          - {name: yard, points: [[0, 200], [320, 200], [320, 330], [0, 330]]}
          - {name: plaza, points: [[330, 200], [640, 200], [640, 330], [330, 330]]}
          - {name: lane, points: [[0, 340], [640, 340], [640, 480], [0, 480]]}
          - {name: dump, points: [[220, 20], [420, 20], [420, 180], [220, 180]]}
        lines:
          - {name: gate, points: [[160, 200], [160, 330]], in_point: [300, 260]}
        calibration:
          image_points: [[0, 0], [100, 0], [100, 100], [0, 100]]
          world_points: [[0, 0], [5, 0], [5, 5], [0, 5]]
        rules:
          - {type: intrusion, name: r_intrusion, zone: yard}
          - {type: loitering, name: r_loiter, zone: yard, min_dwell_s: 2}
          - {type: line_crossing, name: r_line, line: gate}
          - {type: crowd, name: r_crowd, zone: plaza, min_count: 3, min_duration_s: 1}
          - {type: fight, name: r_fight, zone: plaza, min_duration_s: 1}
          - {type: wrong_way, name: r_wrong, zone: lane, direction: [[0, 0], [100, 0]]}
          - {type: speeding, name: r_speed, zone: lane, limit_kmh: 5}  # car: 50 px/s = 9 km/h
          - {type: stopped_vehicle, name: r_stop, zone: lane, min_duration_s: 2}
          - {type: abandoned_object, name: r_abandon, min_still_s: 2, owner_radius: 60,
             static_fallback: false}
          - {type: object_removed, name: r_removed, min_present_s: 2, static_fallback: false}
          - {type: illegal_dump, name: r_dump, zone: dump, min_still_s: 2}
          - {type: bin_overflow, name: r_bins, zone: dump, threshold: 0.2, min_duration_s: 1}
          - {type: fire, name: r_fire}
          - {type: smoke, name: r_smoke}
"""


def boxes(i: int) -> list[tuple[int, tuple[float, float, float, float], str]]:
    """Scripted detections of frame i: (id for bookkeeping, box, class)."""
    out = []
    if i < 40:  # a walker crossing the gate inside the yard
        x = 40 + 6 * i
        out.append((1, (x - 12, 230.0, x + 12, 300.0), "person"))
    if 50 <= i < 90:  # three people in the plaza, two of them fighting
        out += [
            (2, (400.0, 220.0, 436.0, 320.0), "person"),
            (3, (438.0, 220.0, 474.0, 320.0), "person"),
            (4, (560.0, 220.0, 596.0, 320.0), "person"),
        ]
    if i < 60:  # a car against the lane, fast, then parked from frame 30
        x = 600 - 10 * min(i, 30)
        out.append((5, (x - 40.0, 380.0, x + 40.0, 440.0), "car"))
    if 10 <= i < 100:  # a suitcase left alone, removed at frame 100
        out.append((6, (100.0, 440.0, 130.0, 470.0), "suitcase"))
    return out


def picture(i: int, bg: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    img = bg.copy()
    if i >= 30:
        img = textured(img, (250, 60, 400, 170), seed=5)  # rubbish dumped at frame 30
    if 50 <= i < 90:
        for _ in range(8):
            cx, cy = int(rng.integers(405, 470)), int(rng.integers(230, 310))
            a = rng.uniform(0, np.pi)
            p1 = (int(cx - 25 * np.cos(a)), int(cy - 25 * np.sin(a)))
            p2 = (int(cx + 25 * np.cos(a)), int(cy + 25 * np.sin(a)))
            cv2.line(img, p1, p2, (30, 30, 40), 7)
    if 60 <= i < 100:
        img = flame(img, 80, 180, 70, i)
    if 60 <= i < 110:
        t = i - 60
        img = smoke(img, 560, 160 - 2 * t, 30 + t // 2)
    return img


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
                    xyxy=np.array([b for _, b, _ in rows], np.float32).reshape(-1, 4),
                    confidence=np.full(len(rows), 0.9, np.float32),
                    class_id=np.array([COCO_CLASSES.index(c) for *_, c in rows], np.int32),
                )
            )
        return out


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import av

    path = tmp_path_factory.mktemp("synthetic") / "scene.mkv"
    bg, rng = background(H, W, seed=2), np.random.default_rng(7)
    with av.open(str(path), "w") as out:
        st = out.add_stream("ffv1", rate=5)  # lossless: the flame colours survive
        st.width, st.height, st.pix_fmt = W, H, "yuv420p"
        for i in range(N):
            frame = av.VideoFrame.from_ndarray(picture(i, bg, rng), format="bgr24")
            out.mux(st.encode(frame))
        out.mux(st.encode(None))
    return path


def test_every_rule_type_fires_in_analyze(
    video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze_mod, "create_detector", lambda cfg: ScriptedDetector())
    site = parse_site(SITE)
    out = tmp_path / "events.jsonl"
    stats = analyze_mod.analyze_file(str(video), out, site, fps=5.0)
    assert stats.error is None and stats.frames == N
    events = [json.loads(line) for line in out.read_text().splitlines()]
    fired = {(e["type"], e["phase"]) for e in events}
    expected = {
        ("intrusion", "start"),
        ("loitering", "start"),
        ("line_crossing", "instant"),
        ("crowd", "start"),
        ("fight", "start"),
        ("wrong_way", "start"),
        ("speeding", "instant"),
        ("stopped_vehicle", "start"),
        ("abandoned_object", "start"),
        ("object_removed", "instant"),
        ("illegal_dump", "start"),
        ("bin_overflow", "start"),
        ("fire", "start"),
        ("smoke", "start"),
    }
    assert expected <= fired, sorted(expected - fired)
    line = [e for e in events if e["type"] == "line_crossing"]
    assert [(e["attributes"]["direction"], e["attributes"]["count_in"]) for e in line] == [
        ("in", 1)
    ]
    assert all(e["camera_id"] == "analyze" for e in events)
