"""What readers of the store (the API, the access scope) need of it, as a protocol.

Readers depend on this, not on :class:`~kuzet.store.Store`, so tests can hand in fakes.
"""

from __future__ import annotations

from typing import Protocol

from kuzet.core.event import Event
from kuzet.core.records import CameraInfo, EventQuery


class StoreReader(Protocol):
    def list_cameras(
        self, *, category: str | None = None, district: str | None = None
    ) -> list[CameraInfo]: ...
    def get_camera(self, camera_id: str) -> CameraInfo | None: ...
    def upsert_camera(self, cam: CameraInfo) -> CameraInfo: ...
    def delete_camera(self, camera_id: str) -> bool: ...
    def get_event(self, event_id: str) -> Event | None: ...
    def query_events(self, q: EventQuery) -> tuple[list[Event], str | None]: ...
