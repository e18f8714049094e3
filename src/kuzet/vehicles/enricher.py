"""Per-camera enricher: one ``vehicle_attributes`` event per vehicle track.

A track is a vehicle when its detector label is in ``types`` (car, truck, bus,
motorcycle, bicycle by default). Every ``every_n`` analysed frames it gets a look while
the box is at least ``min_width`` px wide: the body colour shares (:mod:`.colour`) and,
with a make/model slot, the classifier's scores are added to the track's votes. After
``looks`` looks (or when the track ends) the event goes out with the winning colour, the
type most frames agreed on and the make/model if the averaged score is high enough.
Looks at a box cut by the frame's edge (its body band may be the bumper) decide the
colour only when the track had no whole look. The track index
(:mod:`kuzet.archive.collector`) reads ``vehicle_*`` from the event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from kuzet.core import Detections, Event, Frame
from kuzet.core.event import event_id
from kuzet.vehicles.colour import DEFAULT, ColourVote, Palette, colour_shares
from kuzet.vehicles.makemodel import MakeModelClassifier

EVENT_TYPE = "vehicle_attributes"


@dataclass
class _Track:
    first_index: int
    colour: ColourVote = field(default_factory=ColourVote)
    cut_colour: ColourVote = field(default_factory=ColourVote)  # boxes cut by the frame
    labels: Counter[str] = field(default_factory=Counter)
    scores: np.ndarray | None = None  # summed make/model probabilities
    looks: int = 0
    last_seen: float = 0.0
    last_look: int = -(10**9)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    score: float = 0.0
    done: bool = False


class VehicleAttributes:
    needs_every_frame = False  # moving vehicles pass the motion gate; still ones were seen

    def __init__(
        self,
        camera_id: str,
        labels: Sequence[str],
        types: Mapping[str, str],
        *,
        looks: int = 5,
        every_n: int = 3,
        min_width: float = 32.0,
        forget_after_s: float = 3.0,
        make_model: MakeModelClassifier | None = None,
        palette: Palette = DEFAULT,
    ) -> None:
        self.camera_id, self.labels, self.types = camera_id, tuple(labels), dict(types)
        self.looks, self.every_n, self.min_width = looks, every_n, min_width
        self.forget_after_s, self.make_model, self.palette = forget_after_s, make_model, palette
        self._vehicle_ids = np.array(
            [i for i, name in enumerate(self.labels) if name in self.types], np.int64
        )
        self._tracks: dict[int, _Track] = {}
        self._last: Frame | None = None

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        self._last = frame
        out: list[Event] = []
        if tracks.tracker_id is not None and len(tracks):
            for i in np.flatnonzero(np.isin(tracks.class_id, self._vehicle_ids)):
                ev = self._see(frame, tracks, int(i))
                if ev is not None:
                    out.append(ev)
        now = frame.wall_time
        for tid in [k for k, t in self._tracks.items() if now - t.last_seen > self.forget_after_s]:
            t = self._tracks.pop(tid)
            if not t.done and t.looks:
                out.append(self._event(frame, tid, t))
        return out

    def _see(self, frame: Frame, tracks: Detections, i: int) -> Event | None:
        assert tracks.tracker_id is not None
        tid, box = int(tracks.tracker_id[i]), tracks.xyxy[i]
        t = self._tracks.setdefault(tid, _Track(frame.index))
        t.last_seen = frame.wall_time
        if t.done:
            return None
        t.labels[self.labels[int(tracks.class_id[i])]] += 1
        if frame.index - t.last_look < self.every_n or box[2] - box[0] < self.min_width:
            return None
        shares = colour_shares(frame.image, box, self.palette)
        if not shares:
            return None
        t.last_look, t.looks = frame.index, t.looks + 1
        H, W = frame.image.shape[:2]
        cut = box[0] <= 1 or box[1] <= 1 or box[2] >= W - 1 or box[3] >= H - 1
        (t.cut_colour if cut else t.colour).add(shares)
        conf = float(tracks.confidence[i])
        if conf >= t.score or t.looks == 1:
            t.box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
            t.score = conf
        if self.make_model is not None:
            crop = _crop(frame.image, box)
            if crop.size:
                s = self.make_model.scores(crop)
                t.scores = s if t.scores is None else t.scores + s
        return self._event(frame, tid, t) if t.looks >= self.looks else None

    def finish(self) -> list[Event]:
        frame = self._last
        out = [
            self._event(frame, tid, t)
            for tid, t in self._tracks.items()
            if not t.done and t.looks and frame is not None
        ]
        self._tracks.clear()
        return out

    def _event(self, frame: Frame | None, tid: int, t: _Track) -> Event:
        assert frame is not None
        t.done = True
        colour, share = (t.colour if t.colour.looks else t.cut_colour).winner()
        label = t.labels.most_common(1)[0][0] if t.labels else None
        attrs: dict[str, object] = {
            "vehicle_type": self.types.get(label) if label else None,
            "vehicle_class": label,
            "vehicle_colour": colour,
            "colour_share": share,
            "looks": t.looks,
        }
        if self.make_model is not None and t.scores is not None:
            mm = self.make_model.decide(t.scores / t.looks)
            attrs |= {
                "vehicle_make": mm.make,
                "vehicle_model": mm.model,
                "make_model_confidence": mm.confidence,
            }
        return Event(
            id=event_id(self.camera_id, EVENT_TYPE, tid, t.first_index),
            type=EVENT_TYPE,
            camera_id=self.camera_id,
            ts=datetime.fromtimestamp(frame.wall_time, UTC),
            pts=frame.pts,
            track_id=tid,
            class_name=label,
            score=round(t.score, 3),
            box=t.box,
            attributes=attrs,
        )


def _crop(image: np.ndarray, box: np.ndarray) -> np.ndarray:
    H, W = image.shape[:2]
    x1, y1 = max(0, int(box[0])), max(0, int(box[1]))
    x2, y2 = min(W, int(np.ceil(box[2]))), min(H, int(np.ceil(box[3])))
    return image[y1:y2, x1:x2]
