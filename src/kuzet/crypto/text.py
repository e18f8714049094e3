"""Short texts sealed in place: ``kzs1:<key id>:<urlsafe base64>``, bound to a context.

For values that live in ordinary text columns (a person's name on a watchlist, a
camera URL's password): the column keeps its type, a plain value from before sealing
still reads as itself, and a sealed one copied into another row (another context)
does not open.
"""

from __future__ import annotations

import base64
import binascii

from kuzet.crypto.keyring import KeyRing, KeyRingError

PREFIX = "kzs1:"


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def sealed_with(stored: str, key_id: str) -> bool:
    return stored.startswith(f"{PREFIX}{key_id}:")


def seal_text(ring: KeyRing, text: str, context: str) -> str:
    sealed = ring.seal(text.encode(), context)
    return f"{PREFIX}{sealed.key_id}:{base64.urlsafe_b64encode(sealed.blob).decode().rstrip('=')}"


def open_text(ring: KeyRing, stored: str, context: str) -> str:
    """The text; a value that is not sealed is returned as it is (written before
    sealing). :class:`KeyRingError` when a sealed one does not open."""
    if not is_sealed(stored):
        return stored
    key_id, sep, b64 = stored[len(PREFIX) :].partition(":")
    try:
        blob = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except (ValueError, binascii.Error):
        blob = b""
    if not sep or not blob:
        raise KeyRingError("sealed text is malformed")
    return ring.open(key_id, blob, context).decode()
