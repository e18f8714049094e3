"""Object of class C present in zone Z: 'start' when a track settles in, 'end' when it leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from kuzet.config.models import ZonePresenceRuleConfig
from kuzet.core import Detections, Event, Frame, event_id
from kuzet.rules.base import RULES
from kuzet.rules.geometry import points_in_polygon


@dataclass(slots=True)
class _TrackState:
    frames_in: int = 0
    started_pts: float | None = None
    last_in_pts: float = 0.0
    class_name: str = ""
    best_score: float = 0.0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


@RULES.register("zone_presence")
class ZonePresenceRule:
    """Debounced presence per track.

    ``min_frames`` consecutive frames inside before 'start' (no event from one stray
    box); 'end' only after ``exit_after_s`` of media time outside or unseen, so a
    track lost for a moment does not produce end/start pairs.
    """

    def __init__(self, camera_id: str, cfg: ZonePresenceRuleConfig) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        self.name = cfg.name
        self._classes = set(cfg.classes)
        self._state: dict[int, _TrackState] = {}

    def _polygon(self, frame: Frame) -> np.ndarray | None:
        if self.cfg.zone is None:
            return None
        poly = np.asarray(self.cfg.zone, dtype=np.float64)
        if self.cfg.normalized:
            poly = poly * np.array([frame.width, frame.height])
        return poly

    def update(self, frame: Frame, tracks: Detections, labels: tuple[str, ...]) -> list[Event]:
        events: list[Event] = []
        if tracks.tracker_id is None:
            return events
        names = np.array([labels[c] if 0 <= c < len(labels) else "" for c in tracks.class_id])
        wanted = np.isin(names, list(self._classes)) & (tracks.confidence >= self.cfg.min_score)
        poly = self._polygon(frame)
        inside = wanted.copy()
        if poly is not None and len(tracks):
            inside &= points_in_polygon(tracks.anchor("bottom_center"), poly)
        seen_in: set[int] = set()
        for i in np.flatnonzero(inside):
            tid = int(tracks.tracker_id[i])
            seen_in.add(tid)
            st = self._state.setdefault(tid, _TrackState())
            st.frames_in += 1
            st.last_in_pts = frame.pts
            st.class_name = str(names[i])
            box = tuple(float(v) for v in tracks.xyxy[i])
            if float(tracks.confidence[i]) >= st.best_score:
                st.best_score = float(tracks.confidence[i])
                st.box = box  # type: ignore[assignment]
            if st.started_pts is None and st.frames_in >= self.cfg.min_frames:
                st.started_pts = frame.pts
                events.append(self._event(frame, tid, st, "start", box))  # type: ignore[arg-type]
        for tid, st in list(self._state.items()):
            if tid in seen_in:
                continue
            if st.started_pts is None:
                st.frames_in = 0  # debounce restarts: needs consecutive frames
                if frame.pts - st.last_in_pts > self.cfg.exit_after_s:
                    del self._state[tid]
                continue
            if frame.pts - st.last_in_pts > self.cfg.exit_after_s:
                ev = self._event(frame, tid, st, "end", st.box)
                dwell = round(st.last_in_pts - st.started_pts, 3)
                events.append(ev.model_copy(update={"attributes": {"dwell_s": dwell}}))
                del self._state[tid]
        return events

    def _event(
        self,
        frame: Frame,
        tid: int,
        st: _TrackState,
        phase: str,
        box: tuple[float, float, float, float],
    ) -> Event:
        return Event(
            id=event_id(self.camera_id, self.name, tid, st.started_pts, phase),
            type="zone_presence",
            camera_id=self.camera_id,
            ts=datetime.fromtimestamp(frame.wall_time, UTC),
            pts=frame.pts,
            phase=phase,
            rule=self.name,
            track_id=tid,
            class_name=st.class_name,
            score=round(st.best_score, 4),
            box=box,
            snapshot=None,
        )
