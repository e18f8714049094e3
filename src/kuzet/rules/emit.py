"""Events out of rules: deterministic ids, cooldown and de-duplication in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kuzet.config.rules import _RuleBase
from kuzet.core import Event, Frame, event_id

Box = tuple[float, float, float, float]


class Emitter:
    """Builds one rule's events and applies its cooldown.

    A 'start' or 'instant' inside the cooldown is dropped, and so is the 'end' of an
    episode whose 'start' was dropped, so consumers never see an end without a start.
    """

    def __init__(self, camera_id: str, cfg: _RuleBase, event_type: str) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        self.type = event_type
        self._last: dict[int | None, float] = {}
        self._muted: set[tuple[int | None, float]] = set()

    def emit(
        self,
        frame: Frame,
        phase: str,
        *,
        track_id: int | None,
        started_pts: float,
        box: Box | None = None,
        class_name: str | None = None,
        score: float | None = None,
        attributes: dict[str, Any] | None = None,
        key: str = "",
    ) -> Event | None:
        episode = (track_id, round(started_pts, 6))
        if phase == "end":
            if episode in self._muted:
                self._muted.discard(episode)
                return None
        else:
            scope = track_id if self.cfg.dedup == "track" else None
            last = self._last.get(scope)
            if last is not None and frame.pts - last < self.cfg.cooldown_s:
                if phase == "start":
                    self._muted.add(episode)
                return None
            self._last[scope] = frame.pts
        return Event(
            id=event_id(self.camera_id, self.cfg.name, track_id, round(started_pts, 6), phase, key),
            type=self.type,
            camera_id=self.camera_id,
            ts=datetime.fromtimestamp(frame.wall_time, UTC),
            pts=frame.pts,
            phase=phase,
            rule=self.cfg.name,
            track_id=track_id,
            class_name=class_name,
            score=None if score is None else round(float(score), 4),
            box=None if box is None else tuple(round(float(v), 1) for v in box),
            attributes=attributes or {},
            snapshot=None,
        )
