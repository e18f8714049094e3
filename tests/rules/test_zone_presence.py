"""Scenario tests with exact expected events (synthetic tracks: this is logic, not vision)."""

import numpy as np

from kuzet.config import ZonePresenceRuleConfig
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.rules import create_rule

IMG = np.zeros((100, 200, 3), np.uint8)
ZONE = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]  # left half of the frame


def frame(i: int, fps: float = 5.0) -> Frame:
    return Frame("cam", i, i / fps, 1_700_000_000 + i / fps, IMG)


def tracks(*rows: tuple[int, float, int, float]) -> Detections:
    """rows: (track id, foot x, class id, score)."""
    if not rows:
        d = Detections.empty()
        d.tracker_id = np.empty(0, np.int64)
        return d
    return Detections(
        xyxy=[[x - 5, 40, x + 5, 60] for _, x, _, _ in rows],
        confidence=[s for *_, s in rows],
        class_id=[c for _, _, c, _ in rows],
        tracker_id=[t for t, *_ in rows],
    )


def run(rule_cfg: ZonePresenceRuleConfig, script: list[Detections]) -> list[tuple[int, str, int]]:
    rule = create_rule("cam", rule_cfg)
    out = []
    for i, t in enumerate(script):
        for ev in rule.update(frame(i), t, COCO_CLASSES):
            out.append((i, ev.phase, ev.track_id))
    return out


CFG = ZonePresenceRuleConfig(name="left", zone=ZONE, min_frames=2, exit_after_s=1.0)


def test_start_after_min_frames_and_end_after_absence() -> None:
    script = [tracks((1, 50, 0, 0.9))] * 4 + [tracks()] * 8
    # in at frames 0..3 -> start at frame 1; last in at t=0.6 s; end when t - 0.6 > 1.0 -> frame 9
    assert run(CFG, script) == [(1, "start", 1), (9, "end", 1)]


def test_one_stray_frame_never_fires() -> None:
    script = [tracks((1, 50, 0, 0.9)), tracks(), tracks((1, 50, 0, 0.9)), tracks()] * 3
    assert run(CFG, script) == []


def test_outside_zone_wrong_class_low_score_are_ignored() -> None:
    script = [tracks((1, 150, 0, 0.9), (2, 50, 2, 0.9), (3, 50, 0, 0.1))] * 5
    assert run(CFG, script) == []


def test_short_track_loss_does_not_split_presence() -> None:
    on = tracks((7, 50, 0, 0.9))
    script = [on, on, tracks(), tracks(), on, on, *([tracks()] * 7)]
    events = run(CFG, script)
    assert events == [(1, "start", 7), (11, "end", 7)]


def test_simultaneous_tracks_each_get_their_own_events() -> None:
    both = tracks((1, 20, 0, 0.9), (2, 80, 0, 0.8))
    events = run(CFG, [both, both, *([tracks()] * 7)])
    assert sorted(events) == [(1, "start", 1), (1, "start", 2), (7, "end", 1), (7, "end", 2)]


def test_normalized_zone_and_dwell_and_ids_are_deterministic() -> None:
    cfg = ZonePresenceRuleConfig(
        name="n", zone=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)], normalized=True, exit_after_s=0.5
    )
    rule_a, rule_b = create_rule("cam", cfg), create_rule("cam", cfg)
    evs = []
    for rule in (rule_a, rule_b):
        got = []
        for i, t in enumerate([tracks((3, 50, 0, 0.9))] * 6 + [tracks()] * 4):
            got += rule.update(frame(i), t, COCO_CLASSES)
        evs.append(got)
    assert [e.id for e in evs[0]] == [e.id for e in evs[1]]
    end = next(e for e in evs[0] if e.phase == "end")
    assert end.attributes["dwell_s"] == 0.8  # in from t=0.2 (start) to t=1.0
