"""Cryptography every feature shares: the AES-GCM key ring that seals data at rest.

A neutral package (it imports nothing of Kuzet), so access, faces, exports and the
audit log all use one implementation without importing each other.
"""

from kuzet.crypto.keyring import KeyRing, KeyRingError, Sealed
from kuzet.crypto.text import is_sealed, open_text, seal_text, sealed_with

__all__ = [
    "KeyRing", "KeyRingError", "Sealed", "is_sealed", "open_text", "seal_text", "sealed_with",
]  # fmt: skip
