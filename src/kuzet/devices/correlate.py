"""An SOS press or a fire alarm: the cameras that see the place come to the operator.

Listens to the incident engine. When a device's alarm opens an incident, the worker takes
the linked cameras (or the nearest ones on the map when none are linked), a picture of
each (the frame tap's newest frame, waiting briefly for a fresh one; else an older frame
or the camera's newest event snapshot, labelled as such), stores the pictures, holds the
cameras' recorded video for the incident (released with the incident's own holds when it
closes) and writes one timeline entry, pushed to the operators' screens, which open those
cameras. Its own thread: the incident engine never waits for a camera.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from kuzet.core.records import CameraInfo, EventQuery
from kuzet.devices.ports import DeviceDirectory, DeviceLike
from kuzet.devices.respond_tables import IncidentCameraRow
from kuzet.devices.settings import ResponseSettings
from kuzet.incidents.engine import OpsEngine
from kuzet.incidents.model import Change
from kuzet.store.ports import StoreReader

log = logging.getLogger(__name__)
ACTOR = "kuzet:devices"
EARTH_M = 6_371_000.0


class Frames(Protocol):
    def latest(self, camera_id: str) -> tuple[int, bytes, float] | None: ...


class Blobs(Protocol):
    def put(self, key: str, data: bytes) -> None: ...


class Holds(Protocol):
    def place(
        self, camera_id: str, start: datetime, end: datetime, *, kind: str, ref: str,
        actor: str, reason: str,
    ) -> Any: ...  # fmt: skip


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


@dataclass(frozen=True, slots=True)
class Pick:
    camera: CameraInfo
    linked: bool
    distance_m: float | None


def pick_cameras(dev: DeviceLike, cams: Sequence[CameraInfo], s: ResponseSettings) -> list[Pick]:
    """The device's linked cameras that exist, else the nearest within reach."""
    by_id = {c.id: c for c in cams}
    here = (dev.latitude, dev.longitude)

    def dist(c: CameraInfo) -> float | None:
        if here[0] is None or here[1] is None or c.latitude is None or c.longitude is None:
            return None
        return distance_m(here[0], here[1], c.latitude, c.longitude)

    linked = [by_id[i] for i in dev.linked_cameras if i in by_id]
    if linked:
        return [Pick(c, True, dist(c)) for c in linked]
    near = [(d, c) for c in cams if c.enabled and (d := dist(c)) is not None]
    near = sorted((x for x in near if x[0] <= s.nearest_max_m), key=lambda x: x[0])
    return [Pick(c, False, d) for d, c in near[: s.nearest_cameras]]


@dataclass(frozen=True, slots=True)
class Picture:
    jpeg: bytes | None
    ts: datetime | None
    source: str  # live (fresh frame), stale (older frame), event (event snapshot), none


class Grabber:
    """A picture of a camera now: a fresh tap frame, waiting up to ``wait_s`` (watching the
    camera makes the tap encode it), else the best older picture there is."""

    def __init__(
        self, frames: Frames | None, store: StoreReader, blobs: Any, s: ResponseSettings
    ) -> None:
        self.frames, self.store, self.blobs, self.s = frames, store, blobs, s

    def __call__(self, camera_id: str) -> Picture:
        got = self.frames.latest(camera_id) if self.frames is not None else None
        if got is not None and time.time() - got[2] <= self.s.fresh_s:
            return Picture(got[1], _ts(got[2]), "live")
        newer = self._wait(camera_id, got[0] if got else 0)
        if newer is not None:
            return Picture(newer[1], _ts(newer[2]), "live")
        if got is not None:
            return Picture(got[1], _ts(got[2]), "stale")
        return self._from_events(camera_id)

    def _wait(self, camera_id: str, seq: int) -> tuple[int, bytes, float] | None:
        watch = getattr(self.frames, "watch", None)
        wait = getattr(self.frames, "wait_newer", None)
        if watch is None or wait is None:
            return None
        with watch(camera_id):
            got: tuple[int, bytes, float] | None = wait(camera_id, seq, self.s.snapshot_wait_s)
            return got

    def _from_events(self, camera_id: str) -> Picture:
        try:
            evs, _ = self.store.query_events(EventQuery(camera_id=[camera_id], limit=20))
        except Exception:
            log.exception("devices: event snapshot lookup failed for %s", camera_id)
            return Picture(None, None, "none")
        for ev in evs:
            if ev.snapshot and (data := self.blobs.get(ev.snapshot)) is not None:
                return Picture(data, ev.ts, "event")
        return Picture(None, None, "none")


def _ts(wall: float) -> datetime:
    return datetime.fromtimestamp(wall, UTC)


class Correlator:
    """The incident engine's listener for device alarms (see the module's docstring)."""

    def __init__(
        self,
        ops: OpsEngine,
        registry: DeviceDirectory,
        store: StoreReader,
        blobs: Blobs,
        grab: Callable[[str], Picture],
        settings: ResponseSettings,
        holds: Holds | None = None,
    ) -> None:
        self.ops, self.registry, self.store, self.blobs = ops, registry, store, blobs
        self.grab, self.s, self.holds = grab, settings, holds
        self._maker = sessionmaker(ops.book.engine, expire_on_commit=False)
        self._jobs: queue.Queue[tuple[Any, DeviceLike] | None] = queue.Queue()
        self._seen: set[str] = set()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(8, thread_name_prefix="device-grab")
        self.done = 0  # alarms answered (tests, metrics)

    def start(self) -> None:
        self.ops.listen(self)
        self._thread = threading.Thread(target=self._work, name="device-respond", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.ops.unlisten(self)
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __call__(self, changes: Iterable[Change]) -> None:
        """From the engine's thread: only picks the new device alarms out, never blocks."""
        for ch in changes:
            inc = ch.incident
            if inc.type not in self.s.triggers or inc.id in self._seen or ch.log is not None:
                continue
            dev = self.registry.get(inc.camera_id)
            if dev is None:
                continue
            self._seen.add(inc.id)
            self._jobs.put((inc, dev))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            inc, dev = job
            try:
                self.answer(inc, dev)
            except Exception:
                log.exception("devices: answering incident %s of %s failed", inc.id, dev.id)

    def answer(self, inc: Any, dev: DeviceLike) -> list[IncidentCameraRow]:
        """Pictures, holds, rows and the timeline entry for one device alarm."""
        with self._maker() as s:
            done = s.scalars(
                select(IncidentCameraRow).where(IncidentCameraRow.incident_id == inc.id)
            ).all()
            if done:  # another node (or a restart) answered it already
                return list(done)
        picks = pick_cameras(dev, self.store.list_cameras(), self.s)
        pictures = list(self._pool.map(lambda p: self.grab(p.camera.id), picks))
        now = datetime.now(UTC)
        rows = []
        for pick, pic in zip(picks, pictures, strict=True):
            key = None
            if pic.jpeg is not None:
                key = f"devices/{now:%Y/%m/%d}/{inc.id}/{pick.camera.id}.jpg"
                self.blobs.put(key, pic.jpeg)
            rows.append(
                IncidentCameraRow(
                    incident_id=inc.id, camera_id=pick.camera.id, device_id=dev.id,
                    linked=pick.linked, distance_m=pick.distance_m, snapshot_key=key,
                    frame_ts=pic.ts, source=pic.source, hold_id=self._hold(inc, pick),
                    added_at=now,
                )
            )  # fmt: skip
        with self._maker.begin() as s:
            s.add_all(rows)
        detail = {
            "device": dev.id,
            "cameras": [r.camera_id for r in rows],
            "pictures": {r.camera_id: r.source for r in rows},
            "held": [r.camera_id for r in rows if r.hold_id],
        }
        change = self.ops.book.system_entry(inc.id, "cameras", detail)
        if change is not None:
            self.ops.notify([change])
        self.ops.book.audit.record(
            ACTOR, "device.alarm.cameras", target=f"incident/{inc.id}",
            agency_id=inc.agency_id, detail=detail,
        )  # fmt: skip
        self.done += 1
        return rows

    def _hold(self, inc: Any, pick: Pick) -> str | None:
        if self.holds is None:
            return None
        start = inc.event_ts - timedelta(seconds=self.s.hold_pre_s)
        end = inc.event_ts + timedelta(seconds=self.s.hold_post_s)
        try:
            hold = self.holds.place(
                pick.camera.id, start, end, kind="incident", ref=inc.id, actor=ACTOR,
                reason=f"device alarm, incident {inc.id}",
            )  # fmt: skip
        except Exception:
            log.exception("devices: evidence hold on %s failed", pick.camera.id)
            return None
        hold_id = getattr(hold, "id", None)
        return str(hold_id) if hold_id is not None else None
