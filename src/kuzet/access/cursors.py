"""Sealed page cursors: a caller can neither read nor forge where a page ends.

The store's cursor is the (time, id) of a page's last row; handed out as is, it names an
event. :class:`CursorSeal` seals it (AES-GCM, the access key ring, bound to the caller),
so the cursor says nothing, opens for no one else, and cannot be edited into a probe.
The rows a cursor is made from are the caller's visible ones only
(:meth:`kuzet.access.scope.ScopedStore.query_events`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime

from kuzet.crypto import KeyRing, KeyRingError
from kuzet.store.cursor import InvalidCursor

_CONTEXT = "events.cursor|"


class CursorSeal:
    def __init__(self, ring: KeyRing | Callable[[], KeyRing]) -> None:
        self._ring = ring

    @property
    def ring(self) -> KeyRing:
        return self._ring if isinstance(self._ring, KeyRing) else self._ring()

    def seal(self, ts: datetime, event_id: str, holder: str) -> str:
        """``holder``: who may use it (a user id, or an API key id)."""
        sealed = self.ring.seal(json.dumps([ts.isoformat(), event_id]).encode(), _CONTEXT + holder)
        kid = sealed.key_id.encode()
        raw = bytes([len(kid)]) + kid + sealed.blob
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def open(self, cursor: str, holder: str) -> tuple[datetime, str]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            kid, blob = raw[1 : 1 + raw[0]].decode(), raw[1 + raw[0] :]
            ts_text, event_id = json.loads(self.ring.open(kid, blob, _CONTEXT + holder))
            ts = datetime.fromisoformat(ts_text)
        except (ValueError, IndexError, TypeError, binascii.Error, KeyRingError):
            raise InvalidCursor("invalid cursor (not issued to you, or from an old key)") from None
        if ts.tzinfo is None or not isinstance(event_id, str) or not event_id:
            raise InvalidCursor("invalid cursor")
        return ts, event_id


_process = CursorSeal(KeyRing.parse(KeyRing.generate("p")))


def process_seal() -> CursorSeal:
    """A seal with a key of this process: for apps built without an access service."""
    return _process
