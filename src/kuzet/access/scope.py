"""The store as one principal may see it: lists, single reads and searches all filtered.

Routes read through a :class:`ScopedStore` instead of the raw store, so no handler
can forget a scope check. Anything out of scope reads as *not found*, never as
*forbidden*, so ids of other agencies' data cannot be probed.
"""

from __future__ import annotations

from typing import Any

from kuzet.access.cursors import CursorSeal, process_seal
from kuzet.access.errors import Forbidden
from kuzet.access.model import DataClass, Principal
from kuzet.access.policy import (
    BIOMETRIC_ATTRIBUTES,
    BIOMETRIC_EVENT_TYPES,
    PLATE_ATTRIBUTES,
    PLATE_EVENT_TYPES,
)
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo, DeviceInfo, EventQuery
from kuzet.store.cursor import encode_cursor
from kuzet.store.ports import StoreReader

# Rows read past hidden ones to fill one page before it is cut short (with a cursor)
MAX_SCAN_PAGES = 20


def event_view(p: Principal, ev: Event) -> Event | None:
    """The event as ``p`` may see it: hidden without the clearance its type needs,
    with plate / face attributes removed without theirs."""
    if ev.type in BIOMETRIC_EVENT_TYPES and not p.cleared(DataClass.BIOMETRICS):
        return None
    if ev.type in PLATE_EVENT_TYPES and not p.cleared(DataClass.PLATES):
        return None
    if ev.type in ("watchlist_hit", "plate_match") and p.agency_id not in (
        ev.attributes.get("visible_to") or ()
    ):
        return None  # a list's hits are for the agencies it is shared with, no one else
    drop: set[str] = set()
    if not p.cleared(DataClass.BIOMETRICS):
        drop |= BIOMETRIC_ATTRIBUTES
    if not p.cleared(DataClass.PLATES):
        drop |= PLATE_ATTRIBUTES
    if drop & ev.attributes.keys():
        attrs: dict[str, Any] = {k: v for k, v in ev.attributes.items() if k not in drop}
        ev = ev.model_copy(update={"attributes": attrs})
    if ev.snapshot is not None and not p.cleared(DataClass.VIDEO):
        ev = ev.model_copy(update={"snapshot": None})
    return ev


class ScopedStore:
    def __init__(
        self, store: StoreReader, principal: Principal, cursors: CursorSeal | None = None
    ) -> None:
        self.store = store
        self.p = principal
        self.cursors = cursors or process_seal()

    def _cam_ok(self, cam: CameraInfo | DeviceInfo) -> bool:
        return self.p.scope.camera_allowed(cam.id, cam.category, cam.district)

    # ------------------------------------------------------------ cameras
    def allowed_camera_ids(self) -> frozenset[str] | None:
        """``None``: every camera. Resolved now, so it follows category changes. Devices
        share the cameras' id space (their events carry the device id): in scope alike."""
        if self.p.scope.unlimited_cameras:
            return None
        cams: list[CameraInfo | DeviceInfo] = [*self.store.list_cameras()]
        cams += self.store.list_devices()
        return frozenset(c.id for c in cams if self._cam_ok(c))

    def list_cameras(
        self, *, category: str | None = None, district: str | None = None
    ) -> list[CameraInfo]:
        cams = self.store.list_cameras(category=category, district=district)
        return [c for c in cams if self._cam_ok(c)]

    def get_camera(self, camera_id: str) -> CameraInfo | None:
        cam = self.store.get_camera(camera_id)
        return cam if cam is not None and self._cam_ok(cam) else None

    def may_hold(self, cam: CameraInfo) -> bool:
        """Whether ``cam`` (its category and district) would be in the caller's scope."""
        return self._cam_ok(cam)

    def upsert_camera(self, cam: CameraInfo) -> CameraInfo:
        if not self._cam_ok(cam):
            raise Forbidden("the camera's category or district is outside your scope")
        return self.store.upsert_camera(cam)

    def delete_camera(self, camera_id: str) -> bool:
        return self.get_camera(camera_id) is not None and self.store.delete_camera(camera_id)

    # ------------------------------------------------------------ devices
    def list_devices(self) -> list[DeviceInfo]:
        return [d for d in self.store.list_devices() if self._cam_ok(d)]

    def get_device(self, device_id: str) -> DeviceInfo | None:
        dev = self.store.get_device(device_id)
        return dev if dev is not None and self._cam_ok(dev) else None

    # ------------------------------------------------------------ events
    def get_event(self, event_id: str) -> Event | None:
        ev = self.store.get_event(event_id)
        if ev is None or not self.p.scope.type_allowed(ev.type):
            return None
        cam = self.store.get_camera(ev.camera_id) or self.store.get_device(ev.camera_id)
        if not self.p.scope.unlimited_cameras and (cam is None or not self._cam_ok(cam)):
            return None
        return event_view(self.p, ev)

    def query_events(self, q: EventQuery) -> tuple[list[Event], str | None]:
        """Scope is pushed into the query; what clearance hides (face and plate events,
        other agencies' watchlist hits) is skipped here, reading on until the page is
        full. The cursor is sealed and made from the last *visible* event, so neither it
        nor its presence says anything about hidden ones: it is given only when another
        visible event follows (or, past ``MAX_SCAN_PAGES`` pages of hidden ones, where
        the reading stopped)."""
        allowed = self.allowed_camera_ids()
        cams = q.camera_id
        if allowed is not None:
            cams = sorted(allowed if cams is None else set(cams) & allowed)
        types = q.type
        if self.p.scope.event_types is not None:
            types = sorted(
                self.p.scope.event_types if types is None else set(types) & self.p.scope.event_types
            )
        if cams == [] or types == []:
            return [], None
        holder = self.p.api_key_id or self.p.user_id
        raw = None if q.cursor is None else encode_cursor(*self.cursors.open(q.cursor, holder))
        base = q.model_copy(update={"camera_id": cams, "type": types})
        visible: list[Event] = []
        last: Event | None = None
        for _ in range(MAX_SCAN_PAGES):
            items, raw = self.store.query_events(base.model_copy(update={"cursor": raw}))
            for ev in items:
                last = ev
                if (v := event_view(self.p, ev)) is not None:
                    if len(visible) == q.limit:  # one more visible: there is a next page
                        end = visible[-1]
                        return visible, self.cursors.seal(end.ts, end.id, holder)
                    visible.append(v)
            if raw is None:
                return visible, None
        assert last is not None  # MAX_SCAN_PAGES pages read, none of them empty
        return visible, self.cursors.seal(last.ts, last.id, holder)
