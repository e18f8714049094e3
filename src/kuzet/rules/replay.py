"""Rules over recorded tracks, without video: MOTChallenge text or Kuzet JSON lines.

How integrators evaluate rules on their own tracker output, and how tests pin the
engine's behaviour exactly. Image rules (fight, fire, smoke, static foreground) need
pixels and stay silent here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from kuzet.config.loader import ConfigError, _describe, _lines
from kuzet.config.rules import SceneRuleSetConfig
from kuzet.core import COCO_CLASSES, Detections, Event, Frame
from kuzet.rules.engine import SceneEngine
from kuzet.rules.track_file import MOT_CLASSES, TrackFile, TrackFileError

__all__ = ["MOT_CLASSES", "TrackFile", "TrackFileError", "load_scene", "read_tracks", "replay"]
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


def read_tracks(
    path: str | Path, labels: tuple[str, ...] = COCO_CLASSES, mot_classes: bool = False
) -> TrackFile:
    """(frame number, tracks) of the frames present, in order; see :class:`TrackFile`."""
    return TrackFile(path, labels, mot_classes)


def replay(
    scene: SceneRuleSetConfig,
    tracks: Iterable[tuple[int, Detections]],
    fps: float,
    *,
    camera_id: str = "replay",
    start_time: float = 0.0,
    labels: tuple[str, ...] = COCO_CLASSES,
    flush: bool = True,
    step: int | None = None,
) -> Iterator[Event]:
    """Events of the scene's rules; frame n is at media time (n - 1) / fps (MOT is 1-based).

    Missing frames at the file's frame ``step`` are replayed as empty frames, so absences
    count, but only until the engine has settled (every track forgotten): a gap of a
    million frames costs what a gap of a few seconds does.
    """
    engine = SceneEngine(camera_id, scene)
    engine.has_image = False
    step_ = int(getattr(tracks, "step", 1)) if step is None else step
    settle = math.ceil(engine.settle_s * fps / step_) + 1  # empty frames that still matter
    empty = Detections.empty()
    empty.tracker_id = np.empty(0, np.int64)

    def run(n: int, dets: Detections) -> list[Event]:
        pts = (n - 1) / fps
        return engine.update(Frame(camera_id, n, pts, start_time + pts, _BLANK), dets, labels)

    prev: int | None = None
    for n, dets in tracks:
        if prev is not None:
            for f in range(prev + step_, min(n, prev + step_ * (settle + 1)), step_):
                yield from run(f, empty)
        yield from run(n, dets)
        prev = n
    if flush:
        yield from engine.finish()
