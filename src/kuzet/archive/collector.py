"""Per-camera enricher that turns every finished track into a track-index row.

It follows each track's anchor (bottom centre of the box) on the frames the pipeline
analyses, keeps the best look at it (largest, most confident box, not cut by the frame
edge) as a small JPEG, and picks up what other stages learnt about the track from the
events they emit (clothing colours, bag, gender/age, plate; see :meth:`observe`). A
track unseen for ``end_after_s`` is finished: its trajectory is simplified and the row
goes to the writer. Long tracks are cut into rows of ``max_span_s`` and at UTC midnight,
so a row lies in one day's partition and a trajectory never grows without bound.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np

from kuzet.archive.schema import ATTRIBUTES, TrackRow
from kuzet.archive.trajectory import simplify
from kuzet.config.archive import ArchiveConfig
from kuzet.core import Detections, Event, Frame

log = logging.getLogger(__name__)
RowSink = Callable[[TrackRow, bytes | None], None]
_ALIASES = {"plate_text": "plate", "licence_plate": "plate", "license_plate": "plate"}
_MARGIN = 0.15  # snapshot crop around the box, as a fraction of its size
_BETTER = 1.2  # a new look must be this much better to replace the kept snapshot


@dataclass(slots=True)
class _Track:
    track_id: int
    t: list[float]
    x: list[float]
    y: list[float]
    part: int = 0
    frames: int = 0
    score_sum: float = 0.0
    classes: Counter[int] = field(default_factory=Counter)
    best_q: float = 0.0
    crop: np.ndarray | None = None
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def last_seen(self) -> float:
        return self.t[-1]


def _day_end(t: float) -> float:
    """Unix time of the next UTC midnight after ``t``."""
    d = datetime.fromtimestamp(t, UTC).date() + timedelta(days=1)
    return datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()


class TrackCollector:
    """Enricher (no events of its own). ``sink(row, jpeg)`` receives each finished row."""

    needs_every_frame = False  # the frames the motion gate lets through are enough

    def __init__(
        self,
        camera_id: str,
        labels: Sequence[str],
        sink: RowSink,
        cfg: ArchiveConfig | None = None,
    ) -> None:
        self.camera_id, self.labels, self.sink = camera_id, tuple(labels), sink
        self.cfg = cfg = cfg or ArchiveConfig()
        wanted = None if cfg.classes is None else set(cfg.classes)
        self._classes = None if wanted is None else {
            i for i, name in enumerate(self.labels) if name in wanted
        }  # fmt: skip
        self._open: dict[int, _Track] = {}
        self._size = (0, 0)
        self._final = False

    # ------------------------------------------------------------ enricher
    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        now = frame.wall_time
        self._size = (frame.width, frame.height)
        if tracks.tracker_id is not None and len(tracks):
            anchors = tracks.anchor("bottom_center")
            for i in range(len(tracks)):
                cid = int(tracks.class_id[i])
                if self._classes is not None and cid not in self._classes:
                    continue
                self._point(frame, int(tracks.tracker_id[i]), cid, tracks, i, anchors[i], now)
        gone = [t for t in self._open.values() if now - t.last_seen > self.cfg.end_after_s]
        for tr in gone:
            del self._open[tr.track_id]
            self._emit(tr)
        return []

    def observe(self, events: list[Event]) -> None:
        """Events of this camera's frame (rules and other enrichers): attributes they
        carry for a track land in its row. After :meth:`finish`, the finish events
        arrive here too, then every open track is written."""
        for ev in events:
            if ev.track_id is None or ev.camera_id != self.camera_id:
                continue
            tr = self._open.get(ev.track_id)
            if tr is None:
                continue
            for key, value in ev.attributes.items():
                key = _ALIASES.get(key, key)
                if key in ATTRIBUTES and isinstance(value, str) and value:
                    tr.attrs[key] = value
        if self._final:
            self.drain()

    def finish(self) -> list[Event]:
        """End of the source: rows are written once the finish events were observed."""
        self._final = True
        return []

    def drain(self) -> None:
        """Every open track becomes a row now (end of a source, or the service stops)."""
        for tr in list(self._open.values()):
            self._emit(tr)
        self._open.clear()
        self._final = False

    # ------------------------------------------------------------ per point
    def _point(
        self,
        frame: Frame,
        tid: int,
        cid: int,
        tracks: Detections,
        i: int,
        anchor: np.ndarray,
        now: float,
    ) -> None:
        ax, ay = float(anchor[0]), float(anchor[1])
        tr = self._open.get(tid)
        if tr is None:
            tr = self._open[tid] = _Track(tid, [now], [ax], [ay])
        else:
            if now <= tr.t[-1]:
                return  # a frame out of order (or twice): time must increase
            tr = self._cut(tr, now, ax, ay)
            tr.t.append(now)
            tr.x.append(ax)
            tr.y.append(ay)
        conf = float(tracks.confidence[i])
        tr.frames += 1
        tr.score_sum += conf
        tr.classes[cid] += 1
        self._look(frame, tr, tracks.xyxy[i], conf)

    def _cut(self, tr: _Track, now: float, ax: float, ay: float) -> _Track:
        """Cut the track before ``now`` when it would span midnight or ``max_span_s``."""
        start = tr.t[0]
        midnight = _day_end(start)
        if now >= midnight:
            # both pieces get the position at midnight: no crossing falls between them
            r = (midnight - tr.t[-1]) / (now - tr.t[-1])
            mx, my = tr.x[-1] + r * (ax - tr.x[-1]), tr.y[-1] + r * (ay - tr.y[-1])
            if midnight - 1e-6 > tr.t[-1]:
                tr.t.append(midnight - 1e-6)
                tr.x.append(mx)
                tr.y.append(my)
            nxt = _Track(tr.track_id, [midnight], [mx], [my], part=tr.part + 1)
        elif now - start >= self.cfg.max_span_s:
            nxt = _Track(tr.track_id, [tr.t[-1]], [tr.x[-1]], [tr.y[-1]], part=tr.part + 1)
        else:
            return tr
        nxt.attrs = tr.attrs  # shared: attributes learnt later belong to every piece
        nxt.classes = tr.classes.copy()
        self._emit(tr)
        self._open[tr.track_id] = nxt
        return nxt

    def _look(self, frame: Frame, tr: _Track, box: np.ndarray, conf: float) -> None:
        x1, y1, x2, y2 = (float(v) for v in box[:4])
        w, h = x2 - x1, y2 - y1
        if w <= 1 or h <= 1:
            return
        q = conf * float(np.sqrt(w * h))
        fw, fh = frame.width, frame.height
        if x1 <= 1 or y1 <= 1 or x2 >= fw - 1 or y2 >= fh - 1:
            q *= 0.5  # cut by the frame's edge: a worse picture of the object
        if q <= tr.best_q * _BETTER:
            return
        mx, my = _MARGIN * w, _MARGIN * h
        cx1, cy1 = max(0, int(x1 - mx)), max(0, int(y1 - my))
        cx2, cy2 = min(fw, int(x2 + mx + 1)), min(fh, int(y2 + my + 1))
        crop = frame.image[cy1:cy2, cx1:cx2]
        if crop.size == 0:
            return
        target = self.cfg.snapshot_height
        if crop.shape[0] > target:
            width = max(1, round(crop.shape[1] * target / crop.shape[0]))
            crop = cv2.resize(crop, (width, target), interpolation=cv2.INTER_AREA)
        else:
            crop = crop.copy()  # never keep a view of the decoder's frame alive
        tr.best_q, tr.crop = q, crop

    # ------------------------------------------------------------ rows
    def _emit(self, tr: _Track) -> None:
        if tr.frames == 0 and len(tr.t) < 2:
            return  # a piece made of the cut point alone
        t = np.asarray(tr.t)
        keep = simplify(t, np.asarray(tr.x), np.asarray(tr.y), self.cfg.simplify_px)
        start_us = round(t[0] * 1e6)
        cid = tr.classes.most_common(1)[0][0] if tr.classes else -1
        name = self.labels[cid] if 0 <= cid < len(self.labels) else str(cid)
        jpeg: bytes | None = None
        if tr.crop is not None:
            ok, buf = cv2.imencode(
                ".jpg", tr.crop, [cv2.IMWRITE_JPEG_QUALITY, self.cfg.snapshot_quality]
            )
            jpeg = buf.tobytes() if ok else None
        w, h = self._size
        row = TrackRow(
            camera_id=self.camera_id,
            track_id=tr.track_id,
            part=tr.part,
            start_us=start_us,
            end_us=round(t[-1] * 1e6),
            class_name=name,
            score=round(tr.score_sum / tr.frames, 3) if tr.frames else 0.0,
            frames=tr.frames,
            frame_w=min(w, 32767),
            frame_h=min(h, 32767),
            xs=np.clip(np.round(np.asarray(tr.x)[keep]), -32768, 32767).astype(np.int16),
            ys=np.clip(np.round(np.asarray(tr.y)[keep]), -32768, 32767).astype(np.int16),
            ts_ms=np.round((t[keep] - t[0]) * 1000).astype(np.int32),
            attributes=dict(tr.attrs),
            snapshot=jpeg is not None,
        )
        try:
            self.sink(row, jpeg)
        except Exception:  # the index must never stop the analysis
            log.exception("track index row lost", extra={"camera": self.camera_id})
