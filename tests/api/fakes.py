"""In-memory stand-ins for kuzet.store.Store, a BlobStore and kuzet.events.Bus.

They follow the same contract as the real ones (newest-first keyset pagination with
an opaque cursor, group fan-out on the bus) so the API tests exercise real semantics.
"""

from __future__ import annotations

import base64
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kuzet.core.event import Event
from kuzet.core.records import CameraInfo, DeviceInfo, EventQuery


class FakeStore:
    def __init__(self, url: str = "memory://") -> None:
        self._lock = threading.Lock()
        self._cams: dict[str, CameraInfo] = {}
        self._events: dict[str, Event] = {}
        self.healthy = True

    def list_cameras(
        self, *, category: str | None = None, district: str | None = None
    ) -> list[CameraInfo]:
        with self._lock:
            cams = sorted(self._cams.values(), key=lambda c: c.id)
        return [
            c
            for c in cams
            if (category is None or c.category == category)
            and (district is None or c.district == district)
        ]

    def get_camera(self, camera_id: str) -> CameraInfo | None:
        return self._cams.get(camera_id)

    def list_devices(self) -> list[DeviceInfo]:
        return []

    def get_device(self, device_id: str) -> DeviceInfo | None:
        return None

    def upsert_camera(self, cam: CameraInfo) -> CameraInfo:
        with self._lock:
            self._cams[cam.id] = cam
        return cam

    def delete_camera(self, camera_id: str) -> bool:
        with self._lock:
            return self._cams.pop(camera_id, None) is not None

    def insert_events(self, events: Sequence[Event]) -> int:
        n = 0
        with self._lock:
            for ev in events:
                if ev.id not in self._events:
                    self._events[ev.id] = ev
                    n += 1
        return n

    def get_event(self, event_id: str) -> Event | None:
        return self._events.get(event_id)

    def query_events(self, q: EventQuery) -> tuple[list[Event], str | None]:
        key = lambda e: (e.ts, e.id)  # noqa: E731
        with self._lock:
            evs = sorted(self._events.values(), key=key, reverse=True)
        if q.cursor is not None:
            try:
                padded = q.cursor + "=" * (-len(q.cursor) % 4)
                ts, eid = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
                after = (datetime.fromisoformat(ts), eid)
            except Exception:
                raise ValueError("invalid cursor") from None
            evs = [e for e in evs if key(e) < after]
        evs = [
            e
            for e in evs
            if (q.camera_id is None or e.camera_id in q.camera_id)
            and (q.type is None or e.type in q.type)
            and (q.class_name is None or e.class_name in q.class_name)
            and (q.since is None or e.ts >= q.since)
            and (q.until is None or e.ts < q.until)
            and all(e.attributes.get(k) in v for k, v in (q.attributes or {}).items())
        ]
        page = evs[: q.limit]
        more = len(evs) > q.limit
        cursor = None
        if more:
            last = page[-1]
            raw = f"{last.ts.isoformat()}|{last.id}".encode()
            cursor = base64.urlsafe_b64encode(raw).decode()
        return page, cursor

    def count_events(self) -> int:
        return len(self._events)

    def ping(self) -> bool:
        return self.healthy

    def close(self) -> None:
        pass


class FakeBlobs:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> None:
        self.data[key] = data

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)


@dataclass
class FakeDelivery:
    event: Event

    def ack(self) -> None:
        pass


class _Group:
    def __init__(self) -> None:
        self.items: deque[Event] = deque()
        self.cond = threading.Condition()


class FakeSubscription:
    def __init__(self, bus: FakeBus, group: _Group) -> None:
        self._bus, self._group = bus, group
        self.closed = False

    def fetch(self, max_n: int, timeout: float) -> list[FakeDelivery]:
        if self._bus.broken:
            raise ConnectionError("bus down")
        g = self._group
        with g.cond:
            if not g.items:
                g.cond.wait(timeout)
            out: list[FakeDelivery] = []
            while g.items and len(out) < max_n:
                out.append(FakeDelivery(g.items.popleft()))
        return out

    def ack(self, deliveries: Sequence[FakeDelivery]) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self._bus.drop(self._group)


class FakeBus:
    """Each group gets every event once; subscriptions in one group share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: dict[str, _Group] = {}
        self.broken = False
        self.subscriptions: list[FakeSubscription] = []

    def publish(self, event: Event) -> None:
        with self._lock:
            groups = list(self._groups.values())
        for g in groups:
            with g.cond:
                g.items.append(event)
                g.cond.notify()

    def subscribe(self, group: str, *, durable: bool = True) -> FakeSubscription:
        if self.broken:
            raise ConnectionError("bus down")
        with self._lock:
            g = self._groups.setdefault(group, _Group())
        sub = FakeSubscription(self, g)
        self.subscriptions.append(sub)
        return sub

    def drop(self, group: _Group) -> None:
        with self._lock:
            self._groups = {k: v for k, v in self._groups.items() if v is not group}

    @property
    def groups(self) -> int:
        return len(self._groups)

    def close(self) -> None:
        pass
