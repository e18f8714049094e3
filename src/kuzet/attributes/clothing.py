"""Upper and lower clothing colour names of a person box, from HSV pixel votes.

Each pixel of the torso (upper) and legs (lower) region votes for one of eleven
colour names by hue, saturation and value; the name with most votes wins. Regions are
inset from the box edges, so background between arms and legs votes less. Votes add up
over several looks at the track, so one frame with a bag or shadow does not decide.
Between the legs of a walking person the road shows through: the colours of the box's
outer strips (mostly background) at the same height are subtracted, at half weight
(on vtest.avi that turned a red-top woman's legs from "white" road to "blue" jeans).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import cv2
import numpy as np

from kuzet.attributes.bags import bag_scores, best_bag
from kuzet.attributes.demographics import Demographics
from kuzet.core import Detections, Event, Frame
from kuzet.core.event import event_id

NAMES = ("black", "grey", "white", "red", "orange", "brown", "yellow", "green", "blue",
         "purple", "pink")  # fmt: skip
# (x1, y1, x2, y2) as fractions of the person box
UPPER = (0.25, 0.2, 0.75, 0.5)
LOWER = (0.3, 0.55, 0.7, 0.9)


def name_pixels(hsv: np.ndarray) -> np.ndarray:
    """Colour-name index (into :data:`NAMES`) of each pixel of an OpenCV HSV image."""
    h, s, v = (hsv[..., i].astype(np.int16) for i in range(3))
    out = np.full(h.shape, NAMES.index("grey"), np.int8)
    chroma = s >= 60
    hue = np.select(
        [h < 8, h < 20, h < 33, h < 85, h < 130, h < 150, h < 165],
        [3, 4, 6, 7, 8, 9, 10],
        3,  # 165..180 wraps to red
    )
    hue = np.where((hue == 4) & (v < 150), NAMES.index("brown"), hue)
    out = np.where(chroma, hue, out)
    out = np.where(~chroma & (v > 180) & (s < 40), NAMES.index("white"), out)
    out = np.where(v < 55, NAMES.index("black"), out)
    return out.astype(np.int8)


def region(image: np.ndarray, box: np.ndarray, frac: tuple[float, ...]) -> np.ndarray:
    x1, y1, x2, y2 = (float(v) for v in box[:4])
    w, h = x2 - x1, y2 - y1
    H, W = image.shape[:2]
    rx1, ry1 = int(max(0, x1 + frac[0] * w)), int(max(0, y1 + frac[1] * h))
    rx2, ry2 = int(min(W, x1 + frac[2] * w)), int(min(H, y1 + frac[3] * h))
    return image[ry1:ry2, rx1:rx2]


def votes(bgr: np.ndarray) -> Counter[str]:
    if bgr.size == 0:
        return Counter()
    idx = name_pixels(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)).ravel()
    counts = np.bincount(idx, minlength=len(NAMES))
    return Counter({NAMES[i]: int(c) for i, c in enumerate(counts) if c})


def person_votes(
    image: np.ndarray, box: np.ndarray, frac: tuple[float, ...], bg_weight: float = 0.5
) -> Counter[str]:
    """Votes of one region minus (scaled) those of the box's side strips beside it."""
    v = votes(region(image, box, frac))
    n = sum(v.values())
    bg = votes(region(image, box, (0.0, frac[1], 0.12, frac[3])))
    bg += votes(region(image, box, (0.88, frac[1], 1.0, frac[3])))
    m = sum(bg.values()) or 1
    out = Counter({c: round(k - bg_weight * n * bg[c] / m) for c, k in v.items()})
    return Counter({c: k for c, k in out.items() if k > 0})


def clothing_colours(image: np.ndarray, box: np.ndarray) -> dict[str, str | None]:
    """``{"upper_colour": ..., "lower_colour": ...}`` of one look at one person."""
    up, low = person_votes(image, box, UPPER), person_votes(image, box, LOWER)
    return {
        "upper_colour": up.most_common(1)[0][0] if up else None,
        "lower_colour": low.most_common(1)[0][0] if low else None,
    }


class FaceReader(Protocol):
    """What :class:`ClothingColours` needs of a face reader (:class:`.demographics.PersonFace`)."""

    gender: bool
    age: bool

    def __call__(self, image: np.ndarray, box: np.ndarray) -> Demographics | None: ...


@dataclass
class _Track:
    upper: Counter[str] = field(default_factory=Counter)
    lower: Counter[str] = field(default_factory=Counter)
    looks: int = 0
    last_seen: int = 0
    last_look: int = -(10**9)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    bags: dict[str, float] = field(default_factory=dict)  # best score per bag kind
    gender: tuple[str, float] | None = None  # most confident look
    done: bool = False


class ClothingColours:
    """Enricher: one ``person_attributes`` event per person track, once it was seen
    ``looks`` times at least ``min_height`` px tall (or when the track ends). Bags
    (:mod:`.bags`) are checked on every frame until then, not only on looks. With
    ``face`` (e.g. :class:`.demographics.PersonFace`) each look also reads the face:
    the most confident gender is kept, the age is the median of the looks.
    """

    def __init__(
        self,
        camera_id: str,
        *,
        person_class: int = 0,
        looks: int = 3,
        every_n: int = 5,
        min_height: float = 80.0,
        forget_after: int = 30,
        face: FaceReader | None = None,
    ) -> None:
        self.camera_id, self.face = camera_id, face
        self.person_class, self.looks, self.every_n = person_class, looks, every_n
        self.min_height, self.forget_after = min_height, forget_after
        self._tracks: dict[int, _Track] = {}
        self._last: Frame | None = None

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        self._last = frame
        out: list[Event] = []
        if tracks.tracker_id is not None:
            for i in np.flatnonzero(tracks.class_id == self.person_class):
                tid, box = int(tracks.tracker_id[i]), tracks.xyxy[i]
                t = self._tracks.setdefault(tid, _Track())
                t.last_seen = frame.index
                if not t.done:
                    for kind, score in bag_scores(box, tracks).items():
                        t.bags[kind] = max(t.bags.get(kind, 0.0), score)
                if t.done or frame.index - t.last_look < self.every_n:
                    continue
                if box[3] - box[1] < self.min_height:
                    continue
                t.last_look, t.looks = frame.index, t.looks + 1
                t.box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
                t.upper += person_votes(frame.image, box, UPPER)
                t.lower += person_votes(frame.image, box, LOWER)
                if self.face is not None:
                    self._read_face(t, self.face(frame.image, box))
                if t.looks >= self.looks:
                    out.append(self._event(frame, tid, t))
        for tid in [
            k for k, t in self._tracks.items() if frame.index - t.last_seen > self.forget_after
        ]:
            t = self._tracks.pop(tid)
            if not t.done and t.looks and self._last is not None:
                out.append(self._event(self._last, tid, t))
        return out

    @staticmethod
    def _read_face(t: _Track, d: Demographics | None) -> None:
        if d is None:
            return
        if d.gender is not None and (t.gender is None or d.gender_confidence > t.gender[1]):
            t.gender = (d.gender, d.gender_confidence)

    def finish(self) -> list[Event]:
        out = [
            self._event(self._last, tid, t)
            for tid, t in self._tracks.items()
            if not t.done and t.looks and self._last is not None
        ]
        self._tracks.clear()
        return out

    def _event(self, frame: Frame | None, tid: int, t: _Track) -> Event:
        assert frame is not None
        t.done = True

        def top(c: Counter[str]) -> tuple[str | None, float]:
            total = sum(c.values())
            if not total:
                return None, 0.0
            name, n = c.most_common(1)[0]
            return name, round(n / total, 3)

        (up, up_share), (low, low_share) = top(t.upper), top(t.lower)
        bag, bag_score = best_bag(t.bags)
        attrs: dict[str, object] = {
            "upper_colour": up, "upper_share": up_share,
            "lower_colour": low, "lower_share": low_share, "looks": t.looks,
            "carried_bag": bag, "bag_score": bag_score,
        }  # fmt: skip
        if self.face is not None and self.face.gender:
            gender, conf = t.gender or (None, 0.0)
            attrs["gender"], attrs["gender_confidence"] = gender, round(conf, 3)
        return Event(
            id=event_id(self.camera_id, "person_attributes", tid, frame.index),
            type="person_attributes",
            camera_id=self.camera_id,
            ts=datetime.fromtimestamp(frame.wall_time, UTC),
            pts=frame.pts,
            track_id=tid,
            class_name="person",
            box=t.box,
            attributes=attrs,
        )
