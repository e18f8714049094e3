"""Ed25519 signing of evidence exports: who made a bundle can be checked offline.

The private key comes, like the other keys, from an environment variable
(``KUZET_EXPORT_SIGNING_KEY``: the 32-byte seed, base64) or a file it names
(``KUZET_EXPORT_SIGNING_KEY_FILE``: a PEM PKCS#8 key or the base64 seed). With neither,
the embedded one-command mode makes ``<data_dir>/keys/export-signing.key`` (0600) once
and warns at every start. The public key is published (``kuzet export public-key``);
a verifier pins it, since a bundle's own copy of the key proves nothing by itself.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

log = logging.getLogger(__name__)

KEY_ENV = "KUZET_EXPORT_SIGNING_KEY"
KEY_FILE_ENV = "KUZET_EXPORT_SIGNING_KEY_FILE"
EMBEDDED_FILE = Path("keys") / "export-signing.key"  # under the data dir, embedded mode only


class SigningError(RuntimeError):
    """No usable signing key, or a public key that does not parse."""


def fingerprint(public_raw: bytes) -> str:
    """``SHA256:<hex>`` of the raw 32-byte public key: short enough to read out."""
    return "SHA256:" + hashlib.sha256(public_raw).hexdigest()[:32]


def _private_from_text(text: str, source: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise SigningError(f"{source}: not an Ed25519 key")
            return key
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        seed = base64.b64decode(lines[-1] if lines else "", validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except SigningError:
        raise
    except Exception as exc:  # bad base64, wrong length, bad PEM
        raise SigningError(f"{source}: not an Ed25519 key ({exc})") from None


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key as ``kuzet export public-key`` prints it (base64 raw) or PEM."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise SigningError("not an Ed25519 public key")
            return key
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"not an Ed25519 public key ({exc})") from None


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_signature(public: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """The site's export signing key."""

    private: Ed25519PrivateKey
    source: str  # where it came from (an env var name or a file), for logs

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_b64(self) -> str:
        return base64.b64encode(public_raw(self.public)).decode()

    @property
    def fingerprint(self) -> str:
        return fingerprint(public_raw(self.public))

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    @staticmethod
    def generate_text() -> str:
        """A new key as the environment variable or the key file holds it (base64 seed)."""
        seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return base64.b64encode(seed).decode()

    @classmethod
    def load(cls, data_dir: Path | None = None, *, generate: bool = True) -> Signer:
        """``$KUZET_EXPORT_SIGNING_KEY``, else the file ``$KUZET_EXPORT_SIGNING_KEY_FILE``
        names, else the embedded mode's 0600 file under ``data_dir`` (made when missing and
        ``generate``)."""
        if text := os.environ.get(KEY_ENV):
            return cls(_private_from_text(text, KEY_ENV), KEY_ENV)
        if named := os.environ.get(KEY_FILE_ENV):
            try:
                text = Path(named).read_text()
            except OSError as exc:
                raise SigningError(f"{KEY_FILE_ENV}={named}: {exc}") from None
            return cls(_private_from_text(text, f"{KEY_FILE_ENV}={named}"), named)
        embedded = None if data_dir is None else (data_dir / EMBEDDED_FILE).absolute()
        if embedded is None or not (generate or embedded.exists()):
            raise SigningError(
                f"no export signing key: set {KEY_ENV} (base64 Ed25519 seed, "
                f"`kuzet export keygen` prints one) or {KEY_FILE_ENV}"
            )
        return cls._embedded(embedded)

    @classmethod
    def _embedded(cls, path: Path) -> Signer:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(f"# Kuzet export signing key (Ed25519 seed); production sets {KEY_ENV}\n")
                f.write(cls.generate_text() + "\n")
            try:
                os.link(tmp, path)  # another process made it first: use theirs
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        if path.stat().st_mode & 0o077:
            log.warning("export signing key %s is readable by other users: chmod 600 it", path)
        signer = cls(_private_from_text(path.read_text(), str(path)), str(path))
        log.warning(
            "evidence exports are signed with the key in %s (embedded mode: %s is not set); "
            "in production set %s to a key kept outside the data directory; public key %s",
            path,
            KEY_ENV,
            KEY_ENV,
            signer.fingerprint,
        )
        return signer
