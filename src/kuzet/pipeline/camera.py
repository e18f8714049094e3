"""What happens to one camera's frames after detection: track, rules, snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from kuzet.config.models import CameraConfig
from kuzet.core import Detections, Event, Frame
from kuzet.core.enrich import Enricher, EventObserver, PutBlob
from kuzet.pipeline.snapshot import render_snapshot
from kuzet.rules import Rule, create_rule
from kuzet.store.blobs import snapshot_key
from kuzet.tracking import ByteTracker, TrackerSettings


class CameraPipeline:
    """Per-camera state (tracker, rules). Frames must arrive in media-time order."""

    def __init__(
        self,
        camera: CameraConfig,
        labels: tuple[str, ...],
        put_blob: PutBlob | None = None,
        *,
        tracker: TrackerSettings | None = None,
        snapshot_quality: int = 85,
        enrichers: Sequence[Enricher] = (),
    ) -> None:
        self.camera = camera
        self.labels = labels
        self.tracker = ByteTracker(tracker or TrackerSettings(fps=camera.fps or 5.0))
        self.rules: list[Rule] = [create_rule(camera.id, r) for r in camera.rules]
        self._put_blob = put_blob
        self._quality = snapshot_quality
        self.last_tracks = Detections.empty()
        self.enrichers = list(enrichers)
        self._observers = [
            cast(EventObserver, e) for e in self.enrichers if callable(getattr(e, "observe", None))
        ]

    def process(self, frame: Frame, detections: Detections) -> list[Event]:
        tracks = self.tracker.update(detections)
        self.last_tracks = tracks
        events: list[Event] = []
        for rule in self.rules:
            events.extend(rule.update(frame, tracks, self.labels))
        for enricher in self.enrichers:
            events.extend(enricher.enrich(frame, tracks))
        if self._put_blob is not None:
            events = [self._with_snapshot(frame, ev) for ev in events]
        if events:
            for observer in self._observers:
                observer.observe(events)
        return events

    @property
    def needs_every_frame(self) -> bool:
        """Rules that read pixels (fire, smoke, static objects, fights) must see every
        analysed frame, not only those the motion gate lets through."""
        return any(getattr(e, "needs_every_frame", True) for e in self.enrichers) or any(
            getattr(rule, "has_image", False) for rule in self.rules
        )

    def finish(self) -> list[Event]:
        """End of a finite source: close open episodes (their 'end' events)."""
        events: list[Event] = []
        for rule in self.rules:
            finish = getattr(rule, "finish", None)
            if finish is not None:
                events.extend(finish())
        for enricher in self.enrichers:
            events.extend(enricher.finish())
        for observer in self._observers:
            observer.observe(events)
        return events

    def _with_snapshot(self, frame: Frame, event: Event) -> Event:
        if event.phase == "end":
            return event  # the start event already holds the picture; the object is gone
        key = snapshot_key(event.camera_id, event.id, event.ts)
        assert self._put_blob is not None
        self._put_blob(key, render_snapshot(frame.image, event, self._quality))
        return event.model_copy(update={"snapshot": key})
