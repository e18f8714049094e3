"""The plate enricher: reads vehicle tracks, votes, emits one event per track.

``plate_read`` when the vote settles (``early_votes`` agreeing reads, or the track
ended with a clear winner), ``plate_unread`` with ``no_read_reason`` otherwise — never
both, never twice for a track (the contract in docs/plates.md). The event id is
``event_id(camera, type, track, track start pts)``: replays give the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np

from kuzet.core import Detections, Event, Frame, event_id
from kuzet.core.enrich import PutBlob
from kuzet.core.labels import COCO_CLASSES
from kuzet.plates.reader import FrameRead, PlateReader
from kuzet.plates.vote import Ballot, Outcome

VEHICLES = ("car", "truck", "bus", "motorcycle")


@dataclass
class _Track:
    class_name: str
    start_pts: float
    ballot: Ballot
    last_seen: int = 0
    last_read: int = -(10**9)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    frame: tuple[int, float, float] = (0, 0.0, 0.0)  # index, pts, wall of the best look
    vehicle: np.ndarray | None = None  # vehicle crop of the best read's frame
    best_conf: float = -1.0
    small: int = 0  # looks skipped as too small
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class PlateEnricher:
    needs_every_frame = False  # a parked car need not keep the motion gate open

    def __init__(
        self,
        camera_id: str,
        reader: PlateReader,
        put_blob: PutBlob | None = None,
        *,
        classes: tuple[str, ...] = VEHICLES,
        labels: tuple[str, ...] = COCO_CLASSES,
        min_vehicle_height: float = 40.0,
        min_share: float = 0.6,
        every_n: int = 2,
        max_reads: int = 8,
        early_votes: int = 3,
        forget_after: int = 15,
        emit_unread: bool = True,
    ) -> None:
        self.camera_id, self.reader, self.put_blob = camera_id, reader, put_blob
        self.class_of = {labels.index(c): c for c in classes if c in labels}
        self.min_vehicle_height, self.min_share = min_vehicle_height, min_share
        self.every_n, self.max_reads, self.early_votes = every_n, max_reads, early_votes
        self.forget_after, self.emit_unread = forget_after, emit_unread
        self._tracks: dict[int, _Track] = {}
        self._last: Frame | None = None

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        self._last = frame
        out: list[Event] = []
        if tracks.tracker_id is not None:
            for i in range(len(tracks)):
                name = self.class_of.get(int(tracks.class_id[i]))
                if name is None:
                    continue
                tid = int(tracks.tracker_id[i])
                t = self._tracks.get(tid)
                if t is None:
                    t = _Track(name, frame.pts, Ballot(self.min_share))
                    self._tracks[tid] = t
                t.last_seen = frame.index
                if t.done or len(t.ballot.reads) >= self.max_reads:
                    continue
                if frame.index - t.last_read < self.every_n:
                    continue
                box = tracks.xyxy[i]
                if box[3] - box[1] < self.min_vehicle_height:
                    t.small += 1
                    continue
                t.last_read = frame.index
                self._look(frame, t, box, self.reader.read(frame.image, box))
                if t.ballot.settled(self.early_votes) and (ev := self._event(tid, t)):
                    out.append(ev)
        for tid in [
            k for k, t in self._tracks.items() if frame.index - t.last_seen > self.forget_after
        ]:
            t = self._tracks.pop(tid)
            if not t.done and (ev := self._event(tid, t)) is not None:
                out.append(ev)
        return out

    def finish(self) -> list[Event]:
        out = [
            ev
            for tid, t in self._tracks.items()
            if not t.done and (ev := self._event(tid, t)) is not None
        ]
        self._tracks.clear()
        return out

    # ------------------------------------------------------------------ internals
    def _look(self, frame: Frame, t: _Track, box: np.ndarray, read: FrameRead) -> None:
        t.ballot.add(read)
        conf = read.confidence if read.text is not None else -0.5
        if conf > t.best_conf or t.vehicle is None:
            t.best_conf = conf
            t.box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
            t.frame = (frame.index, frame.pts, frame.wall_time)
            x1, y1, x2, y2 = (round(v) for v in t.box)
            t.vehicle = frame.image[max(0, y1) : max(0, y2), max(0, x1) : max(0, x2)].copy()

    def _event(self, tid: int, t: _Track) -> Event | None:
        t.done = True
        o = t.ballot.tally()
        if not o.reads:
            if t.small == 0 or not self.emit_unread:
                return None  # never a readable look: a track seen once in passing
            o = Outcome(None, None, 0.0, 0, 0, "too_small")
        if o.text is None and not self.emit_unread:
            return None
        kind = "plate_read" if o.text is not None else "plate_unread"
        eid = event_id(self.camera_id, kind, tid, t.start_pts)
        _, pts, wall = t.frame
        attrs: dict[str, Any] = {
            "vehicle_class": t.class_name,
            "plate_reads": o.reads,
            "plate_votes": o.votes,
        }
        if o.text is not None and o.best is not None:
            attrs |= {
                "plate": o.text,
                "plate_display": o.best.display,
                "plate_format": "|".join(o.formats),
                "plate_country": "|".join(o.countries),
                "plate_confidence": round(o.confidence, 4),
            }
            if len(o.formats) > 1:
                attrs["plate_formats"] = list(o.formats)
        else:
            attrs["no_read_reason"] = o.reason or "no_plate_found"
        crop = o.best.crop if o.best is not None else None
        if self.put_blob is not None:
            # the pipeline's snapshot is the frame the event leaves on (the track may be
            # gone by then): the vehicle and plate of the best look are kept beside it
            if crop is not None:
                key = f"plates/crops/{self.camera_id}/{eid}.jpg"
                self.put_blob(key, _jpeg(crop))
                attrs["plate_crop"] = key
            if t.vehicle is not None and t.vehicle.size:
                key = f"plates/vehicles/{self.camera_id}/{eid}.jpg"
                self.put_blob(key, _jpeg(t.vehicle))
                attrs["vehicle_crop"] = key
        return Event(
            id=eid,
            type=kind,
            camera_id=self.camera_id,
            ts=datetime.fromtimestamp(wall, UTC),
            pts=pts,
            track_id=tid,
            class_name=t.class_name,
            score=round(o.confidence, 4) if o.text is not None else None,
            box=t.box,
            attributes=attrs,
        )


def _jpeg(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(buf.tobytes())
