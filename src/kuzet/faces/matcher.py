"""Live matching: keep each person track's best face, search it 1:N, raise one
``watchlist_hit`` per (track, person) and at most one per (person, camera) a cooldown.

An enricher for :class:`kuzet.pipeline.camera.CameraPipeline`: ``enrich(frame, tracks)``.
Faces are searched in the head region of person boxes, which gives BlazeFace far more
pixels per face than the whole frame. A track is re-examined only when its face got
clearly better, so the cost is per track, not per frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import cv2
import numpy as np

from kuzet.core import Detections, Event, Frame
from kuzet.core.event import event_id
from kuzet.faces.embedder import Face, FaceEmbedder
from kuzet.faces.gallery import Gallery, Match
from kuzet.faces.hits import Hits
from kuzet.faces.quality import QualityPolicy
from kuzet.faces.sightings import Sighting, Sightings

PutBlob = Callable[[str, bytes], None]


@dataclass
class _Best:
    face: Face
    crop: np.ndarray
    ts: datetime
    hit: bool = False
    last_try: int = -(10**9)
    last_seen: int = 0


class FaceMatcher:
    def __init__(
        self,
        camera_id: str,
        embedder: FaceEmbedder,
        gallery: Gallery,
        *,
        person_class: int = 0,
        sightings: Sightings | None = None,
        hits: Hits | None = None,
        put_blob: PutBlob | None = None,
        policy: QualityPolicy | None = None,
        cooldown_s: float = 60.0,
        every_n: int = 2,
        improve: float = 0.1,
        forget_after: int = 30,
    ) -> None:
        self.camera_id = camera_id
        self.embedder, self.gallery, self.sightings = embedder, gallery, sightings
        self.hits = hits
        self.person_class = person_class
        self.policy = policy or QualityPolicy.live()
        self.cooldown_s, self.every_n, self.improve = cooldown_s, every_n, improve
        self.forget_after = forget_after
        self._put_blob = put_blob
        self._best: dict[int, _Best] = {}
        self._last_hit: dict[str, float] = {}  # person_id -> wall time

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        events: list[Event] = []
        if tracks.tracker_id is not None:
            for i in np.flatnonzero(tracks.class_id == self.person_class):
                tid = int(tracks.tracker_id[i])
                ev = self._look(frame, tid, tracks.xyxy[i])
                if ev is not None:
                    events.append(ev)
        self._forget(frame.index)
        return events

    def finish(self) -> list[Event]:
        for tid in list(self._best):
            self._close(tid)
        return []

    def _look(self, frame: Frame, tid: int, box: np.ndarray) -> Event | None:
        best = self._best.get(tid)
        if best is not None:
            best.last_seen = frame.index
            if best.hit or frame.index - best.last_try < self.every_n:
                return None
            best.last_try = frame.index
        face = self._face_in(frame.image, box)
        if face is None or face.template is None:
            return None
        if best is not None and face.quality.score <= best.face.quality.score * (1 + self.improve):
            return None
        ts = datetime.fromtimestamp(frame.wall_time, UTC)
        crop = face.crop(frame.image)
        best = _Best(
            face, crop, ts, hit=bool(best and best.hit), last_try=frame.index, last_seen=frame.index
        )
        self._best[tid] = best
        matches = self.gallery.search(face.template)
        if not matches:
            return None
        m = matches[0]
        last = self._last_hit.get(m.entry.person_id)
        best.hit = True  # once per track, even when the cooldown swallows this one
        if last is not None and frame.wall_time - last < self.cooldown_s:
            return None
        self._last_hit[m.entry.person_id] = frame.wall_time
        ev = self._event(frame, tid, face, crop, m)
        if self.hits is not None:
            self.hits.record(ev)
        return ev

    def _face_in(self, image: np.ndarray, box: np.ndarray) -> Face | None:
        x1, y1, x2, y2 = (float(v) for v in box)
        w, h = x2 - x1, y2 - y1
        hx1, hy1 = int(max(0, x1 - 0.1 * w)), int(max(0, y1 - 0.1 * h))
        hx2 = int(min(image.shape[1], x2 + 0.1 * w))
        hy2 = int(min(image.shape[0], y1 + 0.5 * h))  # the head is in the upper half
        region = image[hy1:hy2, hx1:hx2]
        if region.size == 0:
            return None
        boxes = self.embedder.finder.find(region)
        if len(boxes) == 0:
            return None
        big = boxes[np.argmax((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))]
        shifted = tuple(float(v) for v in big + np.array([hx1, hy1, hx1, hy1], np.float32))
        return self.embedder.analyze(image, shifted, self.policy)

    def _event(self, frame: Frame, tid: int, face: Face, crop: np.ndarray, m: Match) -> Event:
        eid = event_id(self.camera_id, "watchlist_hit", tid, m.entry.person_id, frame.index)
        key = None
        if self._put_blob is not None:
            key = f"faces/hits/{self.camera_id}/{eid}.jpg"
            self._put_blob(key, cv2.imencode(".jpg", crop)[1].tobytes())
        return Event(
            id=eid,
            type="watchlist_hit",
            camera_id=self.camera_id,
            ts=datetime.fromtimestamp(frame.wall_time, UTC),
            pts=frame.pts,
            track_id=tid,
            class_name="person",
            score=round(m.score, 4),
            box=face.box,
            snapshot=key,
            attributes={
                "watchlist_id": m.entry.watchlist_id,
                "person_id": m.entry.person_id,
                "photo_id": m.entry.photo_id,
                "threshold": m.threshold,
                "visible_to": list(m.visible_to),  # the API shows the hit to these agencies
                "priority": m.priority,
                "live_crop": key,
                "face_quality": face.quality.as_dict(),
            },
        )

    def _forget(self, index: int) -> None:
        for tid in [t for t, b in self._best.items() if index - b.last_seen > self.forget_after]:
            self._close(tid)

    def _close(self, tid: int) -> None:
        """Track gone: keep its best face for retrospective search, drop the rest."""
        best = self._best.pop(tid)
        if self.sightings is not None and best.face.template is not None:
            ok, jpg = cv2.imencode(".jpg", best.crop)
            sid = self.sightings.record(
                Sighting(
                    camera_id=self.camera_id,
                    track_id=tid,
                    ts=best.ts,
                    box=best.face.box,
                    quality=best.face.quality.score,
                    template=best.face.template,
                    crop_jpeg=jpg.tobytes() if ok else None,
                    listed=best.hit,
                    embedder=self.embedder.name,
                )
            )
            if best.hit and self.hits is not None:
                self.hits.link_sighting(self.camera_id, tid, sid)
