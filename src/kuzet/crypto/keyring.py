"""AES-GCM sealing with a ring of named keys: biometric material (templates, photos,
crops, the index file), TOTP secrets, anything sealed at rest.

Keys come from an environment variable (``id:base64key,...``; faces use
``KUZET_FACE_KEYS``) or a file named by another (one ``id:base64key`` a line). The
first key seals; every key listed opens, so rotation is: put the new key first, run
``kuzet faces rekey``, then drop the old one. The key id and a caller-chosen context
are bound as associated data, so a ciphertext moved to another row or column does not
open.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class KeyRingError(RuntimeError):
    """No usable key, or a ciphertext that does not open (wrong key, tampered)."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    blob: bytes  # nonce || ciphertext || tag


class KeyRing:
    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyRingError("an empty key ring: give at least one key")
        for kid, key in keys:
            if len(key) != 32 or not kid or len(kid) > 32:
                raise KeyRingError(f"key {kid!r}: need a 1-32 char id and a 256-bit key")
        self._keys = dict(keys)
        self.active = keys[0][0]
        self._aead: dict[str, AESGCM] = {}  # one cipher object per key: bulk opens

    @staticmethod
    def generate(key_id: str = "k1") -> str:
        """A new ``id:base64key`` line for the environment or the key file."""
        return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        pairs = []
        for item in text.replace(",", "\n").splitlines():
            item = item.strip()
            if item and not item.startswith("#"):
                kid, _, b64 = item.partition(":")
                pairs.append((kid.strip(), base64.b64decode(b64.strip())))
        return cls(pairs)

    @classmethod
    def from_env(
        cls,
        keys_env: str = "KUZET_FACE_KEYS",
        file_env: str = "KUZET_FACE_KEY_FILE",
        hint: str = "make one with `kuzet faces keygen`",
    ) -> KeyRing:
        """The ring from ``$keys_env`` or the file ``$file_env`` names; errors name both."""
        if text := os.environ.get(keys_env):
            try:
                return cls.parse(text)
            except (ValueError, KeyRingError) as exc:
                raise KeyRingError(f"{keys_env}: {exc}") from None
        if path := os.environ.get(file_env):
            try:
                return cls.parse(Path(path).read_text())
            except (OSError, ValueError, KeyRingError) as exc:
                raise KeyRingError(f"{file_env}={path}: {exc}") from None
        raise KeyRingError(
            f"no key is set: set {keys_env} ('id:base64key,...', {hint}) or {file_env}"
        )

    def _cipher(self, key_id: str) -> AESGCM:
        """One cipher object per key, reused: bulk opens (a search loads whole hours)."""
        aead = self._aead.get(key_id)
        if aead is None:
            if (key := self._keys.get(key_id)) is None:
                raise KeyRingError(
                    f"key {key_id!r} is not in the key ring (rotated out too early?)"
                )
            aead = self._aead[key_id] = AESGCM(key)
        return aead

    def seal(self, data: bytes, context: str) -> Sealed:
        nonce = secrets.token_bytes(_NONCE)
        aad = f"{self.active}|{context}".encode()
        return Sealed(self.active, nonce + self._cipher(self.active).encrypt(nonce, data, aad))

    def open(self, key_id: str, blob: bytes, context: str) -> bytes:
        aead = self._cipher(key_id)
        try:
            return aead.decrypt(blob[:_NONCE], blob[_NONCE:], f"{key_id}|{context}".encode())
        except Exception as exc:  # InvalidTag: wrong key, other row, or tampering
            raise KeyRingError(f"ciphertext does not open under key {key_id!r}") from exc

    def open_many(self, key_ids: list[str], blobs: list[bytes], contexts: list[str]) -> list[bytes]:
        """:meth:`open` for many rows at once, same errors."""
        return [self.open(k, b, c) for k, b, c in zip(key_ids, blobs, contexts, strict=True)]

    def reseal(self, key_id: str, blob: bytes, context: str) -> Sealed:
        """Open with the old key and seal with the active one (rotation)."""
        return self.seal(self.open(key_id, blob, context), context)
