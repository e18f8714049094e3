"""Scripted tracks for scenario tests: exact inputs, exact expected events."""

from __future__ import annotations

from typing import Any

import numpy as np

from kuzet.config.rules import SceneRuleSetConfig
from kuzet.core import COCO_CLASSES, Detections, Event, Frame
from kuzet.rules import create_rule

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC; schedule tests pass their own start
IMG = np.zeros((480, 640, 3), np.uint8)

Row = tuple[Any, ...]  # (track id, foot x, foot y[, class name[, score[, w, h]]])


def dets(*rows: Row) -> Detections:
    """Boxes whose bottom-centre (foot) is at (x, y); default a 20x40 person, score 0.9."""
    xyxy, conf, cls, tid = [], [], [], []
    for r in rows:
        t, x, y = r[0], r[1], r[2]
        name = r[3] if len(r) > 3 else "person"
        score = r[4] if len(r) > 4 else 0.9
        w, h = (r[5], r[6]) if len(r) > 6 else (20.0, 40.0)
        xyxy.append([x - w / 2, y - h, x + w / 2, y])
        conf.append(score)
        cls.append(COCO_CLASSES.index(name))
        tid.append(t)
    return Detections(
        xyxy=np.array(xyxy, np.float32).reshape(-1, 4),
        confidence=np.array(conf, np.float32),
        class_id=np.array(cls, np.int32),
        tracker_id=np.array(tid, np.int64),
    )


def scene(**kw: Any) -> SceneRuleSetConfig:
    return SceneRuleSetConfig.model_validate(kw)


def run_events(
    cfg: SceneRuleSetConfig,
    script: list[list[Row]],
    fps: float = 5.0,
    t0: float = T0,
    finish: bool = False,
    images: list[np.ndarray] | None = None,
) -> list[Event]:
    engine = create_rule("cam", cfg)
    if images is None:
        engine.has_image = False  # type: ignore[attr-defined]
    out: list[Event] = []
    for i, rows in enumerate(script):
        img = IMG if images is None else images[i]
        out += engine.update(Frame("cam", i, i / fps, t0 + i / fps, img), dets(*rows), COCO_CLASSES)
    if finish:
        out += engine.finish()  # type: ignore[attr-defined]
    return out


def run(cfg: SceneRuleSetConfig, script: list[list[Row]], **kw: Any) -> list[tuple[Any, ...]]:
    """(frame index, rule, phase, track id) per event; frame index = round(pts * fps)."""
    fps = kw.get("fps", 5.0)
    return [
        (round(e.pts * fps), e.rule, e.phase, e.track_id) for e in run_events(cfg, script, **kw)
    ]
