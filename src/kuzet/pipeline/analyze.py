"""``kuzet analyze``: one file through the whole pipeline, as fast as the machine allows.

Events carry the video's own time: ``ts`` = the video's start + the frame's pts, where the
start is ``--start``, else the container's ``creation_time``, else the Unix epoch
(1970-01-01T00:00:00Z, so ``ts`` reads as the offset into the file). Schedules and
snapshot keys use the same clock, so analysing yesterday's recording today gives the
events of yesterday, and the same file always gives the same events.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.config.rules import IntrusionRuleConfig, SceneRuleSetConfig
from kuzet.core import CameraState, Event
from kuzet.pipeline.node import Node
from kuzet.pipeline.probe import Probe
from kuzet.sources import SourceKind, UnsupportedURLError, source_kind
from kuzet.sources.urls import file_path
from kuzet.vision import create_detector


@dataclass(slots=True)
class AnalyzeStats:
    frames: int = 0
    detected: int = 0
    events: int = 0
    seconds: float = 0.0
    error: str | None = None


class _Counter(Probe):
    def __init__(self, on_frame: Callable[[int], None] | None) -> None:
        self.frames = 0
        self.detected = 0
        self._on_frame = on_frame

    def frame(self, camera_id: str, detect: bool) -> None:
        self.frames += 1
        self.detected += int(detect)
        if self._on_frame is not None:
            self._on_frame(self.frames)


def expected_frames(video: str, fps: float) -> int | None:
    """Frames the analysis will take from a file (for a progress bar); None if unknown."""
    import av

    try:
        with av.open(file_path(video)) as c:
            if c.duration:
                return max(1, round(c.duration / 1_000_000 * fps))
    except (av.FFmpegError, OSError):
        return None
    return None


EPOCH = 0.0
"""Start of a file that names none (no ``--start``, no ``creation_time``): 1970-01-01 UTC."""


def video_start(video: str) -> float | None:
    """The container's ``creation_time`` (format or video stream tag) as a Unix time."""
    import av

    try:
        with av.open(file_path(video)) as c:
            tags = [c.metadata, *(s.metadata for s in c.streams.video[:1])]
    except (av.FFmpegError, OSError):
        return None
    for tag in tags:
        value = tag.get("creation_time")
        if not value:
            continue
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            continue
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC).timestamp()
        return when.timestamp()
    return None


def analysis_camera(
    video: str, site: SiteConfig, classes: list[str], fps: float | None
) -> CameraConfig:
    """The site's first camera rules applied to this video, else a whole-frame intrusion
    rule (an episode per track: 'start' when it appears, 'end' when it leaves)."""
    rules = site.cameras[0].rules if site.cameras else []
    if not rules:
        rules = [SceneRuleSetConfig(rules=[IntrusionRuleConfig(name="presence", classes=classes)])]
    return CameraConfig(id="analyze", main_url=video, rules=rules, fps=fps)


def analyze_file(
    video: str,
    out: Path,
    site: SiteConfig,
    *,
    fps: float | None = None,
    classes: list[str] | None = None,
    snapshot_dir: Path | None = None,
    on_frame: Callable[[int], None] | None = None,
    start: float | None = None,
) -> AnalyzeStats:
    """``on_frame(n)`` is called with the count of frames read so far (progress);
    ``start`` is the Unix time of the first frame (see the module's note)."""
    try:
        kind = source_kind(video)
    except UnsupportedURLError as exc:
        raise ValueError(str(exc)) from None
    if kind is SourceKind.FILE and not Path(file_path(video)).exists():
        raise FileNotFoundError(f"video not found: {video}")
    cam = analysis_camera(video, site, classes or ["person"], fps)
    rate = fps or cam.fps or site.analysis.fps
    problems = [f"rules[{i}].rules[{k}] ({r.rules[k].name}).{msg}"
                for i, r in enumerate(cam.rules) for k, msg in r.frame_problems(rate)]  # fmt: skip
    if problems:
        raise ValueError("\n".join(problems))
    origin: float | None = None  # a live URL keeps the wall clock
    if kind is SourceKind.FILE:
        origin = start if start is not None else video_start(video)
        origin = EPOCH if origin is None else origin
    run_site = site.model_copy(update={"cameras": [cam]})
    try:
        detector = create_detector(site.detector)
    except Exception as exc:  # ONNX Runtime's errors share no base class but Exception
        raise ValueError(f"cannot load the detector model {site.detector.model}: {exc}") from None
    lock = threading.Lock()
    stats = AnalyzeStats()
    probe = _Counter(on_frame)
    out.parent.mkdir(parents=True, exist_ok=True)

    def put_blob(key: str, data: bytes) -> None:
        assert snapshot_dir is not None
        path = snapshot_dir / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    with out.open("w", encoding="utf-8") as fh:

        def publish(ev: Event) -> None:
            with lock:
                fh.write(json.dumps(ev.model_dump(mode="json")) + "\n")
                stats.events += 1

        node = Node(
            run_site,
            detector,
            publish,
            put_blob=put_blob if snapshot_dir else None,
            realtime=False,
            probe=probe,
            media_origin=origin,
        )
        t0 = time.perf_counter()
        node.start()
        try:
            node.wait()
        finally:
            node.stop()
        stats.seconds = time.perf_counter() - t0
    status = node.statuses()[0]
    if status.state == CameraState.FAILED:
        stats.error = status.reason
    stats.frames, stats.detected = probe.frames, probe.detected
    return stats
