"""Open incidents hold their video: while an incident is open, the recorded segments of
its camera around its events are kept from retention; closing it releases them.

Called with every incident change (the incident engine's listener); it knows incidents
only by the few fields below, so the recorder does not import the incidents package.
A hold is extended in steps of ``step_s`` while events keep joining, so a busy incident
adds one audited hold every few minutes, not one per event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, select

from kuzet.record.holds import Auditor, EvidenceHolds
from kuzet.record.tables import SegmentRow

log = logging.getLogger(__name__)
CLOSED = frozenset({"resolved", "false_alarm"})
ACTOR = "kuzet:incidents"


class IncidentLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def camera_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def event_ts(self) -> datetime: ...
    @property
    def last_event_at(self) -> datetime: ...


class ChangeLike(Protocol):
    """One change the incident engine reports (``kuzet.incidents.model.Change``)."""

    @property
    def incident(self) -> IncidentLike: ...


class RecordedCameras:
    """Whether a camera has recorded video in the index (any process's recorder): an
    engine in a process that does not record (an API replica, the city's incident engine
    actor) holds only what some recorder keeps. A camera found recorded stays so; one not
    found is asked again after ``ttl_s`` (its recorder may have just started)."""

    def __init__(self, engine: Engine, ttl_s: float = 60.0) -> None:
        self.engine, self.ttl_s = engine, ttl_s
        self._recorded: set[str] = set()
        self._not_until: dict[str, float] = {}

    def __call__(self, camera_id: str) -> bool:
        if camera_id in self._recorded:
            return True
        if time.monotonic() < self._not_until.get(camera_id, 0.0):
            return False
        stmt = select(SegmentRow.id).where(SegmentRow.camera_id == camera_id).limit(1)
        with self.engine.connect() as c:
            found = c.execute(stmt).first() is not None
        if found:
            self._recorded.add(camera_id)
        else:
            self._not_until[camera_id] = time.monotonic() + self.ttl_s
        return found


class IncidentHolds:
    def __init__(
        self, holds: EvidenceHolds, pre_s: float = 60.0, post_s: float = 60.0,
        step_s: float = 600.0, recorded: Callable[[str], bool] | None = None,
    ) -> None:  # fmt: skip
        """``recorded``: hold only cameras it says are recorded (None: every camera, as
        in the process that records them)."""
        self.holds = holds
        self.recorded = recorded
        self.pre, self.post = timedelta(seconds=pre_s), timedelta(seconds=post_s)
        self.step = timedelta(seconds=max(step_s, post_s))
        self._held_until: dict[str, datetime] = {}  # open incident -> end of its held video
        self._lock = threading.Lock()  # the engine calls from its ingest and SLA threads

    @classmethod
    def of_recorders(cls, engine: Engine, audit: Auditor | None) -> IncidentHolds:
        """For an engine in a process that records nothing (an API replica, the city's
        incident engine actor): it holds the cameras some recorder keeps."""
        return cls(EvidenceHolds(engine, audit), recorded=RecordedCameras(engine))

    def __call__(self, changes: Iterable[ChangeLike]) -> None:
        for change in changes:
            inc = change.incident
            try:
                self._one(inc)
            except Exception:  # a hold is a safeguard: never stop the incident engine
                log.exception("evidence hold for incident %s failed", inc.id)

    def _one(self, inc: IncidentLike) -> None:
        state = str(getattr(inc.state, "value", inc.state))
        with self._lock:
            if state in CLOSED:
                self._held_until.pop(inc.id, None)
                released = self.holds.release_ref(
                    "incident", inc.id, actor=ACTOR, reason=f"incident {state}"
                )
                if released:
                    log.info("incident %s closed: %d holds released", inc.id, released)
                return
            if self.recorded is not None and not self.recorded(inc.camera_id):
                return
            needed = inc.last_event_at + self.post
            held = self._held_until.get(inc.id)
            if held is not None and needed <= held:
                return
            start = inc.event_ts - self.pre if held is None else held
            end = needed + self.step  # room for the next events, in one audited step
            self.holds.place(
                inc.camera_id, start, end, kind="incident", ref=inc.id, actor=ACTOR,
                reason=f"open incident {inc.id}",
            )  # fmt: skip
            self._held_until[inc.id] = end
