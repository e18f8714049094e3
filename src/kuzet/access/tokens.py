"""Opaque random tokens and API keys; the database keeps only their SHA-256.

Opaque rather than self-contained (JWT): every request looks its session up, so
logout and revocation take effect on the very next request.
"""

from __future__ import annotations

import hashlib
import secrets

ACCESS_PREFIX = "kza_"
REFRESH_PREFIX = "kzr_"
KEY_PREFIX = "kzk_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_access() -> str:
    return ACCESS_PREFIX + secrets.token_urlsafe(32)


def new_refresh() -> str:
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """``(key_id, full_key)``; the id is public (shown in lists), the rest is secret."""
    key_id = secrets.token_hex(8)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def api_key_id(key: str) -> str | None:
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, _ = key[len(KEY_PREFIX) :].partition("_")
    return key_id if sep and len(key_id) == 16 else None
