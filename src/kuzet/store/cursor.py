"""Opaque keyset cursors: the (ts, id) of the last row of a page, URL-safe."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime


class InvalidCursor(ValueError):
    """The client sent a cursor this store did not make (the API answers 400)."""


def encode_cursor(ts: datetime, event_id: str) -> str:
    raw = f"{ts.astimezone(UTC).isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        ts_text, event_id = raw.split("|", 1)
        ts = datetime.fromisoformat(ts_text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor(f"invalid cursor {cursor!r}") from exc
    if ts.tzinfo is None or not event_id:
        raise InvalidCursor(f"invalid cursor {cursor!r}")
    return ts, event_id
