"""Camera URL passwords sealed at rest (``rtsp://user:<sealed>@host/...``).

The registry keeps camera URLs for operators and the API, which only ever shows them
masked (``user:***@``); the pipeline reads its own site file. So the password in the
database is sealed with the access key ring (bound to the camera id), percent-encoded
so the URL stays a URL, and opened only where a connection needs it
(:meth:`CameraSecrets.open_url`). URLs written before sealing are sealed at the next
service start (:meth:`CameraSecrets.seal_all`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from kuzet.core.records import CameraInfo
from kuzet.crypto import KeyRing, is_sealed, open_text, seal_text
from kuzet.store.ports import StoreReader

# scheme://user:password@ — as kuzet.obs.redact finds it
_PASSWORD = re.compile(
    r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s]*:)(?P<pw>[^@\s]+)(?P<tail>@.*)$"
)


def _context(camera_id: str) -> str:
    return f"cameras.url|{camera_id}"


class CameraSecrets:
    def __init__(self, ring: Callable[[], KeyRing]) -> None:
        self._ring = ring

    def seal_url(self, camera_id: str, url: str | None) -> str | None:
        m = None if url is None else _PASSWORD.match(url)
        if m is None or is_sealed(unquote(m["pw"])):
            return url
        token = quote(seal_text(self._ring(), m["pw"], _context(camera_id)), safe="")
        return f"{m['head']}{token}{m['tail']}"

    def open_url(self, camera_id: str, url: str | None) -> str | None:
        """The URL with its real password, for connecting (``KeyRingError`` if sealed
        under a key no longer in the ring)."""
        m = None if url is None else _PASSWORD.match(url)
        if m is None or not is_sealed(unquote(m["pw"])):
            return url
        pw = open_text(self._ring(), unquote(m["pw"]), _context(camera_id))
        return f"{m['head']}{pw}{m['tail']}"

    def seal(self, cam: CameraInfo) -> CameraInfo:
        main, sub = self.seal_url(cam.id, cam.main_url), self.seal_url(cam.id, cam.sub_url)
        if main == cam.main_url and sub == cam.sub_url:
            return cam
        return cam.model_copy(update={"main_url": main, "sub_url": sub})

    def seal_all(self, store: StoreReader) -> int:
        """Seal the passwords of registry rows written before sealing; returns how many."""
        done = 0
        for cam in store.list_cameras():
            sealed = self.seal(cam)
            if sealed is not cam:
                store.upsert_camera(sealed)
                done += 1
        return done
