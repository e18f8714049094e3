"""Cryptography every feature shares: the AES-GCM key ring that seals data at rest.

A neutral package (it imports nothing of Kuzet), so access, faces, exports and the
audit log all use one implementation without importing each other.
"""

from kuzet.crypto.keyring import KeyRing, KeyRingError, Sealed

__all__ = ["KeyRing", "KeyRingError", "Sealed"]
