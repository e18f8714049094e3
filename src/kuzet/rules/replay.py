"""Rules over recorded tracks, without video: MOTChallenge text or Kuzet JSON lines.

How integrators evaluate rules on their own tracker output, and how tests pin the
engine's behaviour exactly. Image rules (fight, fire, smoke, static foreground) need
pixels and stay silent here.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from kuzet.config.loader import ConfigError, _describe, _lines
from kuzet.config.rules import SceneRuleSetConfig
from kuzet.core import COCO_CLASSES, Detections, Event, Frame
from kuzet.rules.engine import SceneEngine

# MOT17 ground-truth classes -> COCO names (1 pedestrian, 2 person on vehicle, 3 car, ...)
MOT_CLASSES = {1: "person", 2: "person", 3: "car", 4: "bicycle", 5: "motorcycle", 7: "person"}
_BLANK = np.zeros((1, 1, 3), np.uint8)


def load_scene(path: str | Path) -> SceneRuleSetConfig:
    """A scene YAML (zones, lines, schedules, calibration, rules); errors name field and line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        root, data = yaml.compose(text), yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError(str(p), [f"cannot read: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(p), [f"YAML syntax error: {exc}"]) from None
    if not isinstance(data, dict):
        raise ConfigError(str(p), ["line 1: a scene file must be a mapping"])
    lines: dict[tuple[Any, ...], int] = {}
    if root is not None:
        _lines(root, (), lines)
    try:
        return SceneRuleSetConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(str(p), [_describe(e, lines) for e in exc.errors()]) from None


@dataclass(slots=True)
class _Row:
    tid: int
    box: tuple[float, float, float, float]
    score: float
    cls: int


def _class_id(value: Any, labels: tuple[str, ...], mot: bool) -> int:
    if isinstance(value, str):
        return labels.index(value) if value in labels else -1
    c = int(value)
    if mot:
        name = MOT_CLASSES.get(c)
        return labels.index(name) if name in labels else -1
    return c if c >= 0 else labels.index("person")


def _read_mot(path: Path, labels: tuple[str, ...], mot: bool) -> dict[int, list[_Row]]:
    frames: dict[int, list[_Row]] = defaultdict(list)
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        f = line.replace(" ", "").split(",")
        if len(f) < 6:
            raise ValueError(f"{path}:{n}: expected frame,id,left,top,width,height,...")
        conf = float(f[6]) if len(f) > 6 else 1.0
        if mot and conf == 0:
            continue  # MOT ground truth: 0 marks boxes to ignore
        x, y, w, h = (float(v) for v in f[2:6])
        cls = _class_id(int(float(f[7])) if len(f) > 7 else -1, labels, mot)
        frames[int(float(f[0]))].append(
            _Row(int(float(f[1])), (x, y, x + w, y + h), min(max(conf, 0.0), 1.0), cls)
        )
    return frames


def _read_jsonl(path: Path, labels: tuple[str, ...]) -> dict[int, list[_Row]]:
    frames: dict[int, list[_Row]] = defaultdict(list)
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            rows = obj.get("tracks", [obj])
            for r in rows:
                x1, y1, x2, y2 = (float(v) for v in r["box"])
                cls = _class_id(r.get("class", "person"), labels, False)
                frames[int(obj["frame"])].append(
                    _Row(int(r["id"]), (x1, y1, x2, y2), float(r.get("score", 1.0)), cls)
                )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a Kuzet track line ({exc})") from None
    return frames


def read_tracks(
    path: str | Path, labels: tuple[str, ...] = COCO_CLASSES, mot_classes: bool = False
) -> Iterator[tuple[int, Detections]]:
    """(frame number, tracks) in order, with empty frames filled in at the file's frame step."""
    p = Path(path)
    head = p.read_text()[:200].lstrip()
    frames = _read_jsonl(p, labels) if head.startswith("{") else _read_mot(p, labels, mot_classes)
    if not frames:
        return
    keys = sorted(frames)
    step = math.gcd(*(b - a for a, b in itertools.pairwise(keys))) if len(keys) > 1 else 1
    for f in range(keys[0], keys[-1] + 1, max(step, 1)):
        rows = frames.get(f, [])
        yield (
            f,
            Detections(
                xyxy=np.array([r.box for r in rows], np.float32).reshape(-1, 4),
                confidence=np.array([r.score for r in rows], np.float32),
                class_id=np.array([r.cls for r in rows], np.int32),
                tracker_id=np.array([r.tid for r in rows], np.int64),
            ),
        )


def replay(
    scene: SceneRuleSetConfig,
    tracks: Iterator[tuple[int, Detections]],
    fps: float,
    *,
    camera_id: str = "replay",
    start_time: float = 0.0,
    labels: tuple[str, ...] = COCO_CLASSES,
    flush: bool = True,
) -> Iterator[Event]:
    """Events of the scene's rules; frame n is at media time (n - 1) / fps (MOT is 1-based)."""
    engine = SceneEngine(camera_id, scene)
    engine.has_image = False
    for n, dets in tracks:
        pts = (n - 1) / fps
        yield from engine.update(Frame(camera_id, n, pts, start_time + pts, _BLANK), dets, labels)
    if flush:
        yield from engine.finish()
