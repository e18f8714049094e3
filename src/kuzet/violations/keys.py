"""Each officer's own Ed25519 signing key, never stored in clear.

Enrolment makes the key in the officer's session and asks for a **signing passphrase**
(never stored). The 32-byte seed is sealed twice:

1. AES-256-GCM under a key derived from the passphrase with argon2id (salt and cost kept
   with the row), bound to the user and key id;
2. that ciphertext sealed again with the access :class:`~kuzet.crypto.KeyRing` (as TOTP
   secrets are), bound to the user and key id.

Signing needs the passphrase, typed for each decision: whoever holds the database and
the ring key still cannot sign in an officer's name without guessing it (argon2id per
guess), and a database thief alone sees two layers of AES-GCM. The public key is kept
in clear and goes into every package the officer signs.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from kuzet.crypto import KeyRing, KeyRingError, open_text, seal_text
from kuzet.crypto.signing import fingerprint
from kuzet.violations.tables import OfficerKeyRow

MIN_PASSPHRASE = 10


class KeyError_(Exception):
    """Base: a refusal with a machine-readable ``code``."""

    code = "signing_refused"


class NoSigningKey(KeyError_):
    code = "no_signing_key"


class KeyExists(KeyError_):
    code = "signing_key_exists"


class PassphraseInvalid(KeyError_):
    code = "passphrase_invalid"


class PassphraseWeak(KeyError_):
    code = "passphrase_weak"


@dataclass(frozen=True, slots=True)
class Kdf:
    """argon2id cost; the defaults are RFC 9106's second profile."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


@dataclass(frozen=True, slots=True)
class OfficerKey:
    id: str
    user_id: str
    username: str
    public_key: str
    fingerprint: str
    created_at: datetime

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "algorithm": "Ed25519",
            "owner": self.username,
            "created_at": self.created_at.isoformat(),
        }


def _context(user_id: str, key_id: str) -> str:
    return f"officer-key|{user_id}|{key_id}"


def _derive(passphrase: str, salt: bytes, p: dict[str, Any]) -> bytes:
    return hash_secret_raw(
        passphrase.encode(),
        salt,
        time_cost=int(p["t"]),
        memory_cost=int(p["m"]),
        parallelism=int(p["p"]),
        hash_len=32,
        type=Type.ID,
    )


class OfficerKeys:
    """Enrol, look up and use officers' keys. ``ring`` gives the access key ring."""

    def __init__(self, engine: Engine, ring: Callable[[], KeyRing], kdf: Kdf | None = None):
        self._maker = sessionmaker(engine, expire_on_commit=False)
        self._ring = ring
        self.kdf = kdf or Kdf()

    def active(self, user_id: str) -> OfficerKey | None:
        with self._maker() as s:
            row = s.scalars(
                select(OfficerKeyRow)
                .where(OfficerKeyRow.user_id == user_id, OfficerKeyRow.revoked_at.is_(None))
                .order_by(OfficerKeyRow.created_at.desc())
            ).first()
        if row is None:
            return None
        return OfficerKey(
            row.id, row.user_id, row.username, row.public_key, row.fingerprint, row.created_at
        )

    def enrol(self, user_id: str, username: str, passphrase: str) -> OfficerKey:
        """A new key for an officer who has none (a lost passphrase: revoke, then enrol)."""
        if len(passphrase) < MIN_PASSPHRASE or passphrase.strip() != passphrase:
            raise PassphraseWeak(
                f"the signing passphrase needs at least {MIN_PASSPHRASE} characters and no "
                "spaces at either end"
            )
        if self.active(user_id) is not None:
            raise KeyExists("this officer already has a signing key")
        key_id = str(uuid.uuid4())
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        params = {
            "alg": "argon2id",
            "t": self.kdf.time_cost,
            "m": self.kdf.memory_kib,
            "p": self.kdf.parallelism,
            "salt": base64.b64encode(salt).decode(),
        }
        inner = AESGCM(_derive(passphrase, salt, params)).encrypt(
            nonce, seed, _context(user_id, key_id).encode()
        )
        sealed = seal_text(
            self._ring(), base64.b64encode(nonce + inner).decode(), _context(user_id, key_id)
        )
        now = datetime.now(UTC)
        row = OfficerKeyRow(
            id=key_id,
            user_id=user_id,
            username=username,
            public_key=base64.b64encode(raw).decode(),
            fingerprint=fingerprint(raw),
            sealed_seed=sealed,
            kdf=params,
            created_at=now,
            revoked_at=None,
        )
        with self._maker() as s, s.begin():
            s.add(row)
        return OfficerKey(key_id, user_id, username, row.public_key, row.fingerprint, now)

    def revoke(self, user_id: str) -> int:
        """Retire the officer's keys (lost passphrase, left the force); signed packages
        stay valid, they carry the public key and the fingerprint."""
        with self._maker() as s, s.begin():
            res = s.execute(
                update(OfficerKeyRow)
                .where(OfficerKeyRow.user_id == user_id, OfficerKeyRow.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        return int(getattr(res, "rowcount", 0) or 0)

    def sign(self, user_id: str, passphrase: str, data: bytes) -> tuple[OfficerKey, bytes]:
        """The officer's signature over ``data``; the key lives only for this call."""
        key = self.active(user_id)
        if key is None:
            raise NoSigningKey("you have no signing key: enrol one first")
        with self._maker() as s:
            row = s.get(OfficerKeyRow, key.id)
        assert row is not None
        ctx = _context(user_id, key.id)
        try:
            blob = base64.b64decode(open_text(self._ring(), row.sealed_seed, ctx))
        except KeyRingError as exc:
            raise NoSigningKey(f"the signing key does not open ({exc})") from None
        salt = base64.b64decode(row.kdf["salt"])
        try:
            seed = AESGCM(_derive(passphrase, salt, row.kdf)).decrypt(
                blob[:12], blob[12:], ctx.encode()
            )
        except Exception:  # InvalidTag: the wrong passphrase
            raise PassphraseInvalid("the signing passphrase is wrong") from None
        return key, Ed25519PrivateKey.from_private_bytes(seed).sign(data)
